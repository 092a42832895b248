// Erasure: a customer deletes their account from the account page after confirming it is them. It
// leaves use at once — sessions end, the apps' refresh and access tokens stop working — and its
// personal data goes: the user row with everything hanging off it and the mail queued to the
// address; the audit trail names it only by its random id. With a grace period the account is
// closed first, a mailed link keeps it, and the erasure job finishes it when the period ends. An
// unknown or already erased account is a clean 404 for an admin. Both engines; our clock.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseDueAccounts } from '../../../src/core/users/account-deletion.ts';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from '../admin/admin-client.ts';

const REDIRECT = 'https://photos.example.test/cb';
const DAY = 86_400_000;

describe.each(engines)('account deletion (%s)', (engine) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let now = Date.now();
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
    const { app, clientSecret } = await makeApp(server, { name: 'Photo Printer', redirectUris: [REDIRECT], firstParty: false });
    config = await discover(server, app.clientId, clientSecret);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A customer signed in on the account page, with an app holding a refresh token for them. */
  async function customerWithApp() {
    const email = `delete.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email offline_access', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const { callbackUrl } = await authorize(client, url, { email, consent: 'allow' });
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await client.get('/t/demo/account')).status).toBe(200);
    return { user, email, client, tokens };
  }

  const refreshFails = (refreshToken: string) =>
    oidc.refreshTokenGrant(config, refreshToken).then(
      () => false,
      (error: { error?: string }) => error.error === 'invalid_grant',
    );

  it('erases the account at once: signed out, tokens dead, data gone, sign-in fails; the audit keeps only the id', async () => {
    const { user, email, client, tokens } = await customerWithApp();
    const account = await client.get('/t/demo/account');
    expect(account.text).toContain('Delete my account');

    // The box must be ticked.
    expect((await client.post('/t/demo/account/delete', {})).status).toBe(400);
    expect(await server.services.store.users.get('demo', user.id)).not.toBeNull();

    const deleted = await client.post('/t/demo/account/delete', { confirm: '1' });
    expect(deleted.location).toBe('/t/demo/login?notice=account_deleted');
    expect(await server.services.store.users.get('demo', user.id)).toBeNull();
    expect(await server.services.store.sessions.listActiveForUser('demo', user.id, now)).toEqual([]);
    expect(await server.mailTo(email)).toEqual([]);
    expect((await client.get('/t/demo/account')).location).toBe('/t/demo/login');
    expect(await refreshFails(tokens.refresh_token!)).toBe(true);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);

    const again = new FormClient(server.baseUrl);
    await again.get('/t/demo/login');
    expect((await again.post('/t/demo/login', { email, password: PASSWORD })).status).toBe(401);

    const audit = (await server.services.store.audit.query({ tenantId: 'demo', subject: user.id, limit: 100 })).items;
    expect(audit.find((e) => e.action === 'user.erased')).toMatchObject({ details: { reason: 'user' } });
    expect(JSON.stringify(audit.filter((e) => e.action === 'user.erased'))).not.toContain(email);

    // Erasing it again: nothing there.
    expect((await adminApi(server)('DELETE', `/tenants/demo/users/${user.id}`)).status).toBe(404);
  });

  it('asks the customer to confirm it is them when the sign-in is not recent', async () => {
    const { user, client } = await customerWithApp();
    now += 6 * 60_000;
    const asked = await client.post('/t/demo/account/delete', { confirm: '1' });
    expect(asked.location).toBe('/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount');
    expect(await server.services.store.users.get('demo', user.id)).not.toBeNull();
  });

  it('with a grace period: closes the account, mails a link that keeps it, and erases it when the period ends', async () => {
    await setTenantSettings(server, { account_deletion_grace_days: 14 });
    try {
      // Kept by the link.
      const first = await customerWithApp();
      expect((await first.client.get('/t/demo/account')).text).toContain('After 14 days everything we hold about you is erased');
      const closed = await first.client.post('/t/demo/account/delete', { confirm: '1' });
      expect(closed.location).toBe('/t/demo/login?notice=deletion_scheduled');
      expect(await server.services.store.users.get('demo', first.user.id)).toMatchObject({ status: 'disabled', eraseAfter: now + 14 * DAY });
      expect(await refreshFails(first.tokens.refresh_token!)).toBe(true);
      const [mail] = await server.mailTo(first.email);
      expect(mail!.subject).toContain('will be deleted');
      const link = new URL(linkIn(mail!.text, '/t/demo/account/keep'));
      const browser = new FormClient(server.baseUrl);
      const keepPage = await browser.get(link.pathname + link.search);
      expect(keepPage.text).toContain('Keep your account?');
      const kept = await browser.post('/t/demo/account/keep', { token: link.searchParams.get('token')! });
      expect(kept.location).toBe('/t/demo/login?notice=deletion_cancelled');
      expect(await server.services.store.users.get('demo', first.user.id)).toMatchObject({ status: 'active', eraseAfter: null });
      // A used link does nothing more.
      expect((await browser.get(link.pathname + link.search)).status).toBe(410);
      expect((await browser.post('/t/demo/account/keep', { token: link.searchParams.get('token')! })).status).toBe(410);

      // Not kept: erased by the job once the period has ended, not before.
      const second = await customerWithApp();
      await second.client.post('/t/demo/account/delete', { confirm: '1' });
      const system = { ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'system' };
      now += 13 * DAY;
      expect(await eraseDueAccounts(server.services, system)).toBe(0);
      expect(await server.services.store.users.get('demo', second.user.id)).not.toBeNull();
      now += 2 * DAY;
      // Two nodes run the job at once: the account is erased once.
      const [a, b] = await Promise.all([eraseDueAccounts(server.services, system), eraseDueAccounts(server.services, system)]);
      expect(a + b).toBe(1);
      expect(await server.services.store.users.get('demo', second.user.id)).toBeNull();
      const erasedEvents = (await server.services.store.audit.query({ tenantId: 'demo', subject: second.user.id, action: 'user.erased', limit: 10 })).items;
      expect(erasedEvents).toHaveLength(1);
      expect(erasedEvents[0]!.details).toEqual({ reason: 'grace_period_ended' });
      // The erasure took the mail queued to the address with it.
      expect(await server.mailTo(second.email)).toEqual([]);

      // An admin enabling a closed account keeps it: the job leaves it alone.
      const third = await customerWithApp();
      await third.client.post('/t/demo/account/delete', { confirm: '1' });
      expect((await adminApi(server)('POST', `/tenants/demo/users/${third.user.id}/enable`)).status).toBe(200);
      now += 15 * DAY;
      await eraseDueAccounts(server.services, system);
      expect(await server.services.store.users.get('demo', third.user.id)).toMatchObject({ status: 'active', eraseAfter: null });
    } finally {
      await setTenantSettings(server, { account_deletion_grace_days: null });
    }
  });
});
