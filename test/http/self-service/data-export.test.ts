// Data portability: a customer downloads everything held about them from the account page, only
// after a fresh authentication; an admin gets the same document through the admin API. It holds
// the account, how they sign in, sessions, sign-ins and the audit trail, and never a secret. Both
// engines; the server's clock is ours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

describe.each(engines)('data export (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signedIn() {
    const email = `export.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email, 'demo', { given_name: 'Ada', family_name: 'Lovelace' });
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/account');
    return { user, email, client };
  }

  it('downloads the whole record after a fresh sign-in, without any secret in it', async () => {
    const { user, email, client } = await signedIn();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const account = await client.get('/t/demo/account');
    expect(account.text).toContain('Download my data');
    const added = await client.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    expect(added.location).toBe('/t/demo/account?notice=passkey_added');

    const response = await client.get('/t/demo/account/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="demo-account-data.json"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const data = JSON.parse(response.text);
    expect(data).toMatchObject({
      format: 'frontdoor.user_export/1',
      tenant: 'demo',
      account: { id: user.id, email, email_verified: true, status: 'active', profile: { given_name: 'Ada', family_name: 'Lovelace' } },
      sign_in_methods: { password: { set: true }, authenticator_app: null, recovery_codes_left: 0 },
    });
    expect(data.sign_in_methods.passkeys).toHaveLength(1);
    expect(data.sessions).toHaveLength(1);
    expect(data.sign_ins.length).toBeGreaterThanOrEqual(1);
    expect(data.audit_events.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.login', 'user.data_exported']));

    // Never a secret: no password hash, no passkey public key or credential id, no session token hash.
    const [passkey] = await server.services.store.passkeys.listForUser('demo', user.id);
    const password = await server.services.store.passwords.get('demo', user.id);
    const [session] = await server.services.store.sessions.listActiveForUser('demo', user.id, now);
    for (const secret of [password!.hash, passkey!.publicKey, passkey!.credentialId, session!.tokenHash]) expect(response.text).not.toContain(secret);
    expect(response.text).not.toMatch(/argon2/);
  });

  it('asks the customer to confirm it is them when the sign-in is not recent, then downloads', async () => {
    const { user, client } = await signedIn();
    now += 6 * 60_000;
    const asked = await client.get('/t/demo/account/export');
    expect(asked.status).toBe(303);
    expect(asked.location).toBe('/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount%2Fexport');
    expect((await client.get(asked.location!)).text).toContain('Confirm it is you');
    const confirmed = await client.post('/t/demo/account/confirm', { password: PASSWORD, next: '/t/demo/account/export' });
    expect(confirmed.location).toBe('/t/demo/account/export?notice=reauthenticated');
    const download = await client.get(confirmed.location!);
    expect(download.status).toBe(200);
    expect(JSON.parse(download.text).account.id).toBe(user.id);

    // Signed out: to the sign-in page, nothing served.
    const stranger = new FormClient(server.baseUrl);
    const anonymous = await stranger.get('/t/demo/account/export');
    expect(anonymous.location).toBe('/t/demo/login');
  });

  it('gives an admin the same document, audited, and keeps tenants apart', async () => {
    const { user, email } = await signedIn();
    const api = adminApi(server);
    const response = await api('GET', `/tenants/demo/users/${user.id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${user.id}.json"`);
    expect(response.body).toMatchObject({ format: 'frontdoor.user_export/1', account: { id: user.id, email } });
    const audit = (await server.services.store.audit.query({ tenantId: 'demo', subject: user.id, action: 'admin.user_data_exported', limit: 10 })).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toMatch(/^admin:/);

    expect((await api('POST', '/tenants', { id: `elsewhere-${engine}` })).status).toBe(201);
    expect((await api('GET', `/tenants/elsewhere-${engine}/users/${user.id}/export`)).status).toBe(404);
    expect((await api('GET', '/tenants/demo/users/usr_doesnotexist/export')).status).toBe(404);
    expect((await adminApi(server, null)('GET', `/tenants/demo/users/${user.id}/export`)).status).toBe(401);
  });
});
