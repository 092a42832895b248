// Sensitive account actions need a recent sign-in: older than the tenant's window (default five
// minutes), adding a passkey or a phone, removing a passkey, or setting up an authenticator app
// sends the browser to "Confirm it is you" (password or passkey) and changes nothing until then.
// Both engines; the server's clock is ours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

const CONFIRM = '/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount';

describe.each(engines)('recent authentication for sensitive actions (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  const clock = { now: () => now };
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signedIn() {
    const email = `reauth.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/account');
    return { user, email, client };
  }

  const addPasskey = async (client: FormClient, authenticator: SoftAuthenticator) => {
    const account = await client.get('/t/demo/account');
    return client.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
  };

  it('asks for the password again after five minutes before adding a passkey, then lets it through', async () => {
    const { user, client } = await signedIn();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const account = await client.get('/t/demo/account');
    now += 5 * 60_000 + 1000;
    const asked = await client.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    expect(asked.location).toBe(CONFIRM);
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);

    const confirm = await client.get(CONFIRM);
    expect(confirm.text).toContain('Confirm it is you');
    const wrong = await client.post('/t/demo/account/confirm', { password: 'not the password at all', next: '/t/demo/account' });
    expect(wrong.status).toBe(401);
    // Only our own pages are a place to go back to.
    const done = await client.post('/t/demo/account/confirm', { password: PASSWORD, next: 'https://evil.example/' });
    expect(done.location).toBe('/t/demo/account?notice=reauthenticated');
    expect((await addPasskey(client, authenticator)).location).toBe('/t/demo/account?notice=passkey_added');
  });

  it('confirms with a passkey instead, and guards removing a passkey, adding a phone and setting up an app', async () => {
    const { user, client } = await signedIn();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    await addPasskey(client, authenticator);
    const [passkey] = await server.services.store.passkeys.listForUser('demo', user.id);
    now += 6 * 60_000;
    await client.get('/t/demo/account');
    expect((await client.post(`/t/demo/account/passkeys/${passkey!.id}/delete`, {})).location).toBe(CONFIRM);
    expect((await client.post('/t/demo/account/phone', { phone: '+49 151 2345 6789' })).location).toBe(CONFIRM);
    expect((await client.get('/t/demo/account/totp')).location).toBe('/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount%2Ftotp');
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);

    // Another user's passkey cannot confirm for this session.
    const other = await signedIn();
    const otherAuthenticator = new SoftAuthenticator({ origin: server.baseUrl });
    await addPasskey(other.client, otherAuthenticator);
    const page = await client.get(CONFIRM);
    const options = ceremonyOptions(page.text, '/t/demo/account/confirm/passkey');
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([passkey!.credentialId]);
    expect((await client.post('/t/demo/account/confirm/passkey', { response: JSON.stringify(otherAuthenticator.get({ ...options, allowCredentials: [] })), next: '/t/demo/account' })).status).toBe(400);

    const done = await client.post('/t/demo/account/confirm/passkey', { response: JSON.stringify(authenticator.get(options)), next: '/t/demo/account' });
    expect(done.location).toBe('/t/demo/account?notice=reauthenticated');
    const [session] = await server.services.sessions.listForUser('demo', user.id);
    expect(session?.authenticatedAt).toBe(now);
    // The passkey verified the person: that proof alone is multi-factor.
    expect(session?.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    await client.get('/t/demo/account');
    expect((await client.post(`/t/demo/account/passkeys/${passkey!.id}/delete`, {})).location).toBe('/t/demo/account?notice=passkey_removed');
  });

  it("uses the tenant's window", async () => {
    const api = adminApi(server);
    expect((await api('PATCH', '/tenants/demo', { settings: { recent_auth_minutes: 60 } })).status).toBe(200);
    try {
      const { client } = await signedIn();
      const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
      now += 30 * 60_000;
      expect((await addPasskey(client, authenticator)).location).toBe('/t/demo/account?notice=passkey_added');
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { recent_auth_minutes: null } });
    }
  });
});
