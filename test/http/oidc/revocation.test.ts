// Taking access back: a user removing an app on the account page, and an administrator revoking a
// user's sessions, both end the app's refresh token and access token (not only the browser
// session), and a withdrawn consent is asked for again. Driven by openid-client, on both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from '../admin/admin-client.ts';

const REDIRECT = 'https://photos.example.test/cb';

describe.each(engines)('OIDC access revocation (%s)', (engine) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let clientId: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    const { app, clientSecret } = await makeApp(server, { name: 'Photo Printer', redirectUris: [REDIRECT], firstParty: false });
    clientId = app.clientId;
    config = await discover(server, clientId, clientSecret);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Signs `email` in through `browser`, consents, and redeems the code for tokens with offline_access. */
  async function connect(browser: FormClient, email: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email offline_access',
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const { callbackUrl } = await authorize(browser, url, { email, consent: 'allow' });
    expect(callbackUrl, 'the flow reached the app').not.toBeNull();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeTruthy();
    return tokens;
  }

  async function stillWorks(tokens: { access_token: string; refresh_token?: string }) {
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!).then(
      () => true,
      (error: { error?: string }) => {
        expect(error.error).toBe('invalid_grant');
        return false;
      },
    );
    return { accessActive: introspected.active, refreshWorks: refreshed };
  }

  it('the account page lists the app; removing its access ends its tokens and asks for consent again', async () => {
    const email = `revoke-page-${engine}@example.test`;
    await makeUser(server, email);
    const browser = new FormClient(server.baseUrl);
    const tokens = await connect(browser, email);

    const account = await browser.get('/t/demo/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Photo Printer');
    expect(account.text).toContain('Your email address');
    expect(account.text).toContain(`/t/demo/account/apps/${clientId}/revoke`);

    // Without the page's CSRF token nothing happens.
    const forged = await browser.post(`/t/demo/account/apps/${clientId}/revoke`, { _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await stillWorks(tokens)).toEqual({ accessActive: true, refreshWorks: true });
    const current = await connect(browser, email); // a fresh pair: the refresh above rotated the old one

    await browser.get('/t/demo/account');
    const revoked = await browser.post(`/t/demo/account/apps/${clientId}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.location).toContain('/t/demo/account?notice=app_revoked');
    expect(await stillWorks(current)).toEqual({ accessActive: false, refreshWorks: false });
    const after = await browser.get('/t/demo/account?notice=app_revoked');
    expect(after.text).toContain('The app no longer has access to your account.');
    expect(after.text).not.toContain(`/account/apps/${clientId}/revoke`);

    // The browser is still signed in to Frontdoor, but the app must ask for consent again.
    const again = await authorize(browser, oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }), {});
    expect(again.callbackUrl).toBeNull();
    expect(again.response.text).toContain('wants to access your account');

    const audit = await adminApi(server)('GET', `/tenants/demo/audit?action=user.app_access_revoked`);
    expect(audit.body.items.some((event: { details: { clientId?: string } }) => event.details.clientId === clientId)).toBe(true);
  });

  it("removing one user's access leaves another user's tokens for the same app alone", async () => {
    const [alice, bob] = [`alice-${engine}@example.test`, `bob-${engine}@example.test`];
    await makeUser(server, alice);
    await makeUser(server, bob);
    const aliceBrowser = new FormClient(server.baseUrl);
    await connect(aliceBrowser, alice);
    const bobTokens = await connect(new FormClient(server.baseUrl), bob);
    await aliceBrowser.get('/t/demo/account');
    expect((await aliceBrowser.post(`/t/demo/account/apps/${clientId}/revoke`, {})).status).toBe(303);
    expect(await stillWorks(bobTokens)).toEqual({ accessActive: true, refreshWorks: true });
  });

  it("an administrator revoking a user's sessions revokes the apps' refresh tokens too", async () => {
    const email = `revoke-admin-${engine}@example.test`;
    const user = await makeUser(server, email);
    const tokens = await connect(new FormClient(server.baseUrl), email);
    const api = adminApi(server);
    const response = await api('DELETE', `/tenants/demo/users/${user.id}/sessions`);
    expect(response.status).toBe(200);
    expect(await stillWorks(tokens)).toEqual({ accessActive: false, refreshWorks: false });
    const audit = await api('GET', `/tenants/demo/audit?action=admin.user_sessions_revoked&subject=${user.id}`);
    expect(audit.body.items[0].details).toMatchObject({ count: 1, oidcGrants: 1 });
  });

  it('disabling or deleting a user revokes the apps’ tokens', async () => {
    const api = adminApi(server);
    for (const action of ['disable', 'delete'] as const) {
      const email = `revoke-${action}-${engine}@example.test`;
      const user = await makeUser(server, email);
      const tokens = await connect(new FormClient(server.baseUrl), email);
      const response = action === 'disable' ? await api('POST', `/tenants/demo/users/${user.id}/disable`) : await api('DELETE', `/tenants/demo/users/${user.id}`);
      expect(response.status, action).toBeLessThan(300);
      expect(await stillWorks(tokens), action).toEqual({ accessActive: false, refreshWorks: false });
    }
  });
});
