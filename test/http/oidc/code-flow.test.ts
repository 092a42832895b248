// Authorization code flow with PKCE, refresh rotation with reuse detection, code replay, and
// token checks, driven by openid-client (an independent relying party) and verified with jose
// against the published JWKS — on both database engines.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, issuerOf, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const REDIRECT = 'https://app.example.test/cb';

describe.each(engines)('OIDC authorization code flow (%s)', (engine) => {
  let server: TestServer;
  let clientId: string;
  let secret: string;
  let config: oidc.Configuration;
  let userId: string;
  const email = `code-flow-${engine}@example.test`;

  beforeAll(async () => {
    server = await startTestServer(engine);
    userId = (await makeUser(server, email, 'demo', { name: 'Ada Lovelace', given_name: 'Ada' })).id;
    const { app, clientSecret } = await makeApp(server, { name: 'Code flow app', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] });
    clientId = app.clientId;
    secret = clientSecret!;
    config = await discover(server, clientId, secret);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function runCodeFlow(browser: FormClient, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const result = await authorize(browser, url, { email });
    return { ...result, verifier, state, nonce };
  }

  it('signs in through the hosted page and returns verified tokens, claims and userinfo', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser);
    expect(callbackUrl?.origin + (callbackUrl?.pathname ?? '')).toBe(REDIRECT);
    // RFC 9207: the issuer comes back with the code; state is echoed exactly.
    expect(callbackUrl!.searchParams.get('iss')).toBe(issuerOf(server).toString());
    expect(callbackUrl!.searchParams.get('state')).toBe(state);

    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(userId);
    expect(claims.nonce).toBe(nonce);
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.auth_time).toBe('number');

    // The ID token verifies against the published keys, signed ES256 by default.
    const jwks = jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
    const verified = await jose.jwtVerify(tokens.id_token!, jwks, { issuer: issuerOf(server).toString(), audience: clientId });
    expect(verified.protectedHeader.alg).toBe('ES256');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect(userinfo).toMatchObject({ sub: userId, email, email_verified: true, name: 'Ada Lovelace', given_name: 'Ada' });
  });

  it('answers the token endpoint with Cache-Control: no-store', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier } = await runCodeFlow(browser);
    const response = await fetch(`${issuerOf(server)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callbackUrl!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('signs a second app of the browser in without a prompt (SSO), and prompt=login asks again', async () => {
    const browser = new FormClient(server.baseUrl);
    await runCodeFlow(browser);
    const again = await runCodeFlow(browser, {});
    expect(again.callbackUrl?.searchParams.get('code')).toBeTruthy();
    // prompt=none works silently while the session lives.
    const silent = await authorize(browser, oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }), {});
    expect(silent.callbackUrl?.searchParams.get('code')).toBeTruthy();
    // prompt=login shows the sign-in page although a session exists.
    const forced = await authorize(browser, oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }), { signIn: false });
    expect(forced.callbackUrl).toBeNull();
    expect(forced.response.text).toContain('/login"');
  });

  it("a signed-in user's repeated authorizations of a first-party app do not rewrite its grant, a new scope does", async () => {
    const browser = new FormClient(server.baseUrl);
    await runCodeFlow(browser);
    const grantRow = () =>
      server.services.db
        .selectFrom('oidc_artifacts')
        .select(['id', 'payload', 'expires_at'])
        .where('tenant_id', '=', 'demo')
        .where('model', '=', 'Grant')
        .where('account_id', '=', userId)
        .where('client_id', '=', clientId)
        .execute();
    const [first] = await grantRow();
    expect(first).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a rewrite would move expires_at
    const again = await runCodeFlow(browser);
    expect(again.callbackUrl?.searchParams.get('code')).toBeTruthy();
    expect(await grantRow()).toEqual([first]);
    const wider = await runCodeFlow(browser, { scope: 'openid email profile phone' });
    expect(wider.callbackUrl?.searchParams.get('code')).toBeTruthy();
    const [widened] = await grantRow();
    expect(widened?.id).toBe(first!.id);
    expect(JSON.parse(widened!.payload).openid.scope).toContain('phone');
  });

  it('answers prompt=none without a session with login_required', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl } = await authorize(browser, oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 's-1', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }));
    expect(callbackUrl?.searchParams.get('error')).toBe('login_required');
    expect(callbackUrl?.searchParams.get('state')).toBe('s-1');
  });

  it('refuses a code redeemed twice and revokes the tokens issued from it', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser);
    const first = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(true);
    await expect(oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(false);
  });

  it('lets only one of two simultaneous redemptions of a code win, revokes what it got, and audits the replay', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser);
    const before = (await server.services.store.audit.query({ tenantId: 'demo', action: 'oidc.token_replayed', limit: 100 })).items.length;
    const results = await Promise.allSettled([0, 1].map(() => oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>> => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' });
    // The winner's tokens came from a code that was replayed: they are revoked too.
    expect((await oidc.tokenIntrospection(config, won[0]!.value.access_token)).active).toBe(false);
    await expect.poll(async () => (await server.services.store.audit.query({ tenantId: 'demo', action: 'oidc.token_replayed', limit: 100 })).items.length).toBeGreaterThan(before);
  });

  it('refuses a wrong or missing PKCE verifier', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, state, nonce } = await runCodeFlow(browser);
    await expect(oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state, expectedNonce: nonce })).rejects.toMatchObject({ error: 'invalid_grant' });
    // Without a code_challenge the authorization request itself is refused.
    const noPkce = await authorize(new FormClient(server.baseUrl), oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 'x' }), { email });
    expect(noPkce.callbackUrl?.searchParams.get('error')).toBe('invalid_request');
    // plain is not a method we accept.
    const plain = await authorize(new FormClient(server.baseUrl), oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }), { email });
    expect(plain.callbackUrl?.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a code issued to one client when another client redeems it', async () => {
    const other = await makeApp(server, { name: 'Other app', redirectUris: [REDIRECT] });
    const otherConfig = await discover(server, other.app.clientId, other.clientSecret);
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state } = await runCodeFlow(browser);
    await expect(oidc.authorizationCodeGrant(otherConfig, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('shows an error page, never a redirect, for an unregistered redirect URI', async () => {
    const browser = new FormClient(server.baseUrl);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://evil.example.test/cb', scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    const response = await browser.get(url.pathname + url.search);
    expect(response.status).toBe(400);
    expect(response.location).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain('redirect_uri');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('rotates refresh tokens; replaying a rotated one revokes the whole grant and is audited', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const first = tokens.refresh_token!;
    expect(first).toBeTruthy();
    const rotated = await oidc.refreshTokenGrant(config, first);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(first);

    await expect(oidc.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The whole grant is gone: the newer refresh token and its access token too.
    await expect(oidc.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, rotated.access_token)).active).toBe(false);

    // Audited from the provider's grant.error event, after the answer has gone: wait for the row.
    const audited = async () => (await server.services.store.audit.query({ tenantId: 'demo', action: 'oidc.token_replayed', limit: 10 })).items.some((e) => e.subject === userId && e.result === 'failure');
    await expect.poll(audited, { timeout: 5000, interval: 50 }).toBe(true);
  });

  it('does not issue a refresh token without offline_access', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('revokes an access token (RFC 7009) and introspection then says inactive', async () => {
    const browser = new FormClient(server.baseUrl);
    const { callbackUrl, verifier, state, nonce } = await runCodeFlow(browser);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const before = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(before).toMatchObject({ active: true, client_id: clientId, sub: userId });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, userId)).rejects.toBeTruthy();
  });

  it('refuses a wrong client secret and an access token in the query string', async () => {
    const wrong = await discover(server, clientId, 'not-the-secret');
    await expect(oidc.tokenIntrospection(wrong, 'anything')).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
    const response = await fetch(`${issuerOf(server)}/me?access_token=abc`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('asks for consent for a third-party app, remembers it, and refuses a consent post without the right CSRF token', async () => {
    const third = await makeApp(server, { name: 'Partner <App>', redirectUris: [REDIRECT], firstParty: false });
    const thirdConfig = await discover(server, third.app.clientId, third.clientSecret);
    const url = async () => oidc.buildAuthorizationUrl(thirdConfig, { redirect_uri: REDIRECT, scope: 'openid email', state: 'st', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const browser = new FormClient(server.baseUrl);

    // Signed in, the consent page names the app (escaped) and what it asks for.
    const shown = await authorize(browser, await url(), { email });
    expect(shown.callbackUrl).toBeNull();
    expect(shown.response.text).toContain('Partner &lt;App&gt;');
    expect(shown.response.text).toContain('Your email address');
    const action = /action="([^"]+\/consent)"/.exec(shown.response.text)![1]!;

    // A forged post (wrong token) and a post for another interaction id are refused.
    expect((await browser.post(action, { decision: 'allow', _csrf: 'forged' })).status).toBe(403);
    const otherInteraction = action.replace(/interaction\/[^/]+\//, 'interaction/someone-elses-uid/');
    expect((await browser.post(otherInteraction, { decision: 'allow' })).status).toBe(400);

    // Deny → access_denied back to the app, with the state.
    const denied = await authorize(browser, await url(), { email, consent: 'deny' });
    expect(denied.callbackUrl?.searchParams.get('error')).toBe('access_denied');
    expect(denied.callbackUrl?.searchParams.get('state')).toBe('st');

    // Allow → a code; next time no consent page, even in a new browser session.
    const allowed = await authorize(browser, await url(), { email, consent: 'allow' });
    expect(allowed.callbackUrl?.searchParams.get('code')).toBeTruthy();
    const again = await authorize(new FormClient(server.baseUrl), await url(), { email });
    expect(again.callbackUrl?.searchParams.get('code')).toBeTruthy();
  });
});
