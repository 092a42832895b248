// Tenant MFA policies beyond off/optional/required: `adaptive` (no second factor at sign-in; an
// app's step-up or a sensitive action asks for it), turning authenticator apps off, and the
// one-time offer of a second factor after a few sign-ins without one. Both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

describe.each(engines)('MFA policies (%s)', (engine) => {
  let server: TestServer;
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterEach(async () => {
    await adminApi(server)('PATCH', '/tenants/demo', { settings: { mfa: null, authenticator_app: null, mfa_nudge_after_sign_ins: null } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const settings = (patch: Record<string, unknown>) => adminApi(server)('PATCH', '/tenants/demo', { settings: patch });
  const newUser = async () => {
    const email = `policy.${engine}.${++seq}@example.com`;
    return { email, user: await makeUser(server, email) };
  };
  async function signIn(email: string, client = new FormClient(server.baseUrl)) {
    await client.get('/t/demo/login');
    return { client, response: await client.post('/t/demo/login', { email, password: PASSWORD }) };
  }

  it('offers a second factor once, after the third sign-in without one, where the tenant asks for it', async () => {
    expect((await settings({ mfa_nudge_after_sign_ins: 3 })).status).toBe(200);
    const { email } = await newUser();
    expect((await signIn(email)).response.location).toBe('/t/demo/account');
    expect((await signIn(email)).response.location).toBe('/t/demo/account');
    const third = await signIn(email);
    expect(third.response.location).toBe('/t/demo/security?next=%2Ft%2Fdemo%2Faccount');
    const offer = await third.client.get(third.response.location!);
    expect(offer.text).toContain('Protect your account');
    expect(offer.text).toContain('href="/t/demo/account">Not now');
    expect((await signIn(email)).response.location).toBe('/t/demo/account');

    // Off by default.
    expect((await settings({ mfa_nudge_after_sign_ins: null })).status).toBe(200);
    const { email: other } = await newUser();
    for (let i = 0; i < 4; i += 1) expect((await signIn(other)).response.location).toBe('/t/demo/account');
  });

  it('adaptive: no second factor at sign-in, but an app asking for more gets it asked', async () => {
    expect((await settings({ mfa: 'adaptive', mfa_nudge_after_sign_ins: 0 })).status).toBe(200);
    const { email, user } = await newUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const { client } = await signIn(email);
    const account = await client.get('/t/demo/account');
    await client.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    await client.post('/t/demo/logout', {});

    // A user with a passkey signs in with the password alone.
    const { client: browser, response } = await signIn(email);
    expect(response.location).toBe('/t/demo/account');
    const session = (await server.services.sessions.listForUser('demo', user.id))[0]!;
    expect(session.acr).toBe(ACR.password);

    // An app asks for mfa: the passkey is asked inside its sign-in, and its token says so.
    const REDIRECT = 'https://app.example.test/cb';
    const { app, clientSecret } = await makeApp(server, { name: 'Adaptive App', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', acr_values: ACR.mfa, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const page = await follow(browser, await browser.get(url.pathname + url.search));
    const action = /action="(\/t\/demo\/interaction\/[^"]+\/second-factor\/passkey)"/.exec(page.text)![1]!;
    const done = await browser.post(action, { response: JSON.stringify(authenticator.get(ceremonyOptions(page.text, action))) });
    const callback = new URL((await follow(browser, done)).location!);
    const claims = (await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier })).claims()!;
    expect(claims.acr).toBe(ACR.phishingResistant);
  });

  it('hides and refuses authenticator apps where the tenant turned them off', async () => {
    expect((await settings({ authenticator_app: false })).status).toBe(200);
    const { email } = await newUser();
    const { client } = await signIn(email);
    const account = await client.get('/t/demo/account');
    expect(account.text).not.toContain('Authenticator app');
    expect((await client.get('/t/demo/account/totp')).location).toBe('/t/demo/account');
  });
});
