// An organization's `require_mfa`, enforced when an app signs a member in for it
// (`organization=<org id>`), on both engines: a password-only session is stepped up to the second
// factor, a fresh password sign-in too (also where the tenant itself asks nothing); a member
// without a second factor sets the authenticator app up inside the sign-in (after giving the
// password again when the session is older than a few minutes), or, where the tenant offers no
// app, the app gets access_denied; a passkey sign-in counts as multi-factor. Non-members are refused
// as before and organizations without the setting ask nothing more. Codes computed by Debian's
// `oathtool`; tokens checked with openid-client and jose against the JWKS.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, issuerOf, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const OATHTOOL = '/usr/bin/oathtool';
const haveOathtool = existsSync(OATHTOOL);
if (!haveOathtool && process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1') throw new Error('oathtool is required (apt-get install oathtool)');
if (!haveOathtool) console.warn('skipping organization MFA tests: oathtool not installed (apt-get install oathtool)');

/** The code `oathtool` computes for `secret` (base32) at `atMs`. */
function oathCode(secret: string, atMs: number): string {
  return execFileSync(OATHTOOL, ['--totp', '-b', '-N', `@${Math.floor(atMs / 1000)}`, secret], { encoding: 'utf8' }).trim();
}

const REDIRECT = 'https://org-mfa.example.test/cb';

interface TenantApp {
  tenant: string;
  clientId: string;
  config: oidc.Configuration;
  jwks: ReturnType<typeof jose.createRemoteJWKSet>;
}

describe.skipIf(!haveOathtool).each(engines)('organization require_mfa at sign-in (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let demo: TenantApp;
  let seq = 0;
  // The server's clock is ours: TOTP steps and the age of a session are under the test's control.
  let now = Date.now();
  const clock = { now: () => now };
  const advanceSteps = (steps: number) => {
    now += steps * 30_000;
  };

  async function appIn(tenant: string): Promise<TenantApp> {
    const { app, clientSecret } = await makeApp(server, { tenantId: tenant, name: `Org MFA app ${tenant}`, redirectUris: [REDIRECT] });
    return { tenant, clientId: app.clientId, config: await discover(server, app.clientId, clientSecret, tenant), jwks: jose.createRemoteJWKSet(new URL(`${issuerOf(server, tenant)}/jwks`)) };
  }

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock } });
    api = adminApi(server);
    demo = await appIn('demo');
  });
  afterAll(async () => {
    await server?.close();
  });

  async function member(tenant = 'demo'): Promise<{ id: string; email: string }> {
    const email = `org-mfa.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email, tenant);
    return { id: user.id, email };
  }

  /** An organization (owned by someone else) with `user` as a plain member. */
  async function organization(tenant: string, requireMfa: boolean, user?: string): Promise<string> {
    const owner = await member(tenant);
    const created = await api('POST', `/tenants/${tenant}/organizations`, { name: `Org ${++seq}`, owner: owner.id, settings: { require_mfa: requireMfa } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    if (user) expect((await api('PUT', `/tenants/${tenant}/organizations/${created.body.id}/members/${user}`, { roles: ['member'] })).status).toBe(200);
    return created.body.id as string;
  }

  /** Signs in on the hosted page with the password alone (the session is password-only). */
  async function hostedSignIn(browser: FormClient, tenant: string, email: string): Promise<void> {
    await browser.get(`/t/${tenant}/login`);
    expect((await browser.post(`/t/${tenant}/login`, { email, password: PASSWORD })).location).toBe(`/t/${tenant}/account`);
  }

  /** Sets the authenticator app up from the account page of a signed-in browser; returns the secret. */
  async function setUpApp(browser: FormClient, tenant: string): Promise<string> {
    const setup = await browser.get(`/t/${tenant}/account/totp`);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1]!.replace(/ /g, '');
    expect((await browser.post(`/t/${tenant}/account/totp`, { code: oathCode(secret, now) })).status).toBe(200);
    advanceSteps(1);
    return secret;
  }

  /** Opens an authorization request in `browser`, following our own redirects to the first page or the app. */
  async function startAuthorization(browser: FormClient, app: TenantApp, organizationId?: string): Promise<{ response: Response; verifier: string; state: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(app.config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(organizationId ? { organization: organizationId } : {}),
    });
    return { response: await follow(browser, await browser.get(url.pathname + url.search)), verifier, state };
  }

  /** The interaction form on `page` whose action ends with `suffix`. */
  function formAction(page: Response, suffix: string): string {
    const match = new RegExp(`<form method="post" action="([^"]+/interaction/[^"]+${suffix})"`).exec(page.text);
    if (!match) throw new Error(`no form ending ${suffix} on the page (status ${page.status}): ${page.text.slice(0, 300)}`);
    return match[1]!.replace(/&amp;/g, '&');
  }

  async function passwordInto(browser: FormClient, page: Response, email: string): Promise<Response> {
    return follow(browser, await browser.post(formAction(page, '/login'), { email, password: PASSWORD }));
  }

  /** The code at the app's redirect, exchanged; the ID token verified against the tenant's JWKS. */
  async function idToken(app: TenantApp, response: Response, verifier: string, state: string): Promise<jose.JWTPayload> {
    expect(response.location, response.text.slice(0, 300)).toMatch(new RegExp(`^${REDIRECT}\\?code=`));
    const tokens = await oidc.authorizationCodeGrant(app.config, new URL(response.location!), { pkceCodeVerifier: verifier, expectedState: state });
    return (await jose.jwtVerify(tokens.id_token!, app.jwks, { audience: app.clientId, issuer: issuerOf(server, app.tenant).toString() })).payload;
  }

  it('steps a password-only session of a member with an authenticator app up to the code; the ID token says mfa', async () => {
    const user = await member();
    const strict = await organization('demo', true, user.id);
    const relaxed = await organization('demo', false, user.id);
    const browser = new FormClient(server.baseUrl);
    await hostedSignIn(browser, 'demo', user.email);
    // Set up after signing in: this session stays password-only.
    const secret = await setUpApp(browser, 'demo');

    // An organization without require_mfa, and no organization at all: the session as it is.
    const plain = await startAuthorization(browser, demo, relaxed);
    expect(await idToken(demo, plain.response, plain.verifier, plain.state)).toMatchObject({ acr: ACR.password, amr: ['pwd'], org_id: relaxed });
    const none = await startAuthorization(browser, demo);
    expect((await idToken(demo, none.response, none.verifier, none.state)).acr).toBe(ACR.password);

    // The organization that requires it: the second-factor page inside the interaction, no password.
    const stepUp = await startAuthorization(browser, demo, strict);
    expect(stepUp.response.status).toBe(200);
    expect(stepUp.response.text).toContain('Two-step verification');
    expect(stepUp.response.text).not.toContain('name="password"');
    const action = formAction(stepUp.response, '/second-factor');
    expect((await browser.post(action, { code: '000000' })).status).toBe(400);
    const done = await follow(browser, await browser.post(action, { code: oathCode(secret, now) }));
    expect(await idToken(demo, done, stepUp.verifier, stepUp.state)).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'], org_id: strict, org_roles: ['member'] });

    // The session has its second factor now: no prompt the next time.
    const again = await startAuthorization(browser, demo, strict);
    expect(await idToken(demo, again.response, again.verifier, again.state)).toMatchObject({ acr: ACR.mfa, org_id: strict });
  });

  it('asks a fresh password sign-in for the code even where the tenant asks nothing (adaptive); other organizations do not', async () => {
    const tenant = `org-adaptive-${engine}`;
    expect((await api('POST', '/tenants', { id: tenant, name: 'Adaptive', settings: { mfa: 'adaptive' } })).status).toBe(201);
    const app = await appIn(tenant);
    const user = await member(tenant);
    const strict = await organization(tenant, true, user.id);
    const relaxed = await organization(tenant, false, user.id);
    const setup = new FormClient(server.baseUrl);
    await hostedSignIn(setup, tenant, user.email);
    const secret = await setUpApp(setup, tenant);

    // Without the requirement: the password is all this tenant asks.
    const relaxedBrowser = new FormClient(server.baseUrl);
    const plain = await startAuthorization(relaxedBrowser, app, relaxed);
    const plainDone = await passwordInto(relaxedBrowser, plain.response, user.email);
    expect(await idToken(app, plainDone, plain.verifier, plain.state)).toMatchObject({ acr: ACR.password, amr: ['pwd'], org_id: relaxed });

    // With it: after the password, the code.
    const browser = new FormClient(server.baseUrl);
    const started = await startAuthorization(browser, app, strict);
    expect(started.response.text).toContain('name="password"');
    const afterPassword = await passwordInto(browser, started.response, user.email);
    expect(afterPassword.status).toBe(200);
    expect(afterPassword.text).toContain('Two-step verification');
    const done = await follow(browser, await browser.post(formAction(afterPassword, '/second-factor'), { code: oathCode(secret, now) }));
    expect(await idToken(app, done, started.verifier, started.state)).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'], org_id: strict });
  });

  it('has a member without a second factor set the app up inside the sign-in, then gives tokens that say mfa', async () => {
    const user = await member();
    const strict = await organization('demo', true, user.id);
    const browser = new FormClient(server.baseUrl);
    const started = await startAuthorization(browser, demo, strict);
    const setupPage = await passwordInto(browser, started.response, user.email);
    // The set-up the tenant policy `required` uses, not a way past it.
    expect(setupPage.status).toBe(200);
    expect(setupPage.text).toContain('Your account needs a second sign-in step');
    expect(setupPage.text).toContain('action="/t/demo/login/second-factor/setup"');
    expect(await server.services.flows.totp.isEnrolled('demo', user.id)).toBe(false);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setupPage.text)![1]!.replace(/ /g, '');
    expect((await browser.post('/t/demo/login/second-factor/setup', { code: '000000' })).status).toBe(400);
    const codes = await browser.post('/t/demo/login/second-factor/setup', { code: oathCode(secret, now) });
    expect(codes.status).toBe(200);
    expect(codes.text).toContain('<li><code>');
    // The recovery codes page goes on to the interaction, which finishes the app's sign-in.
    const next = /<a class="fd-button" href="([^"]+)"/.exec(codes.text)![1]!.replace(/&amp;/g, '&');
    expect(next).toMatch(/^\/t\/demo\/interaction\//);
    const done = await follow(browser, await browser.get(next));
    expect(await idToken(demo, done, started.verifier, started.state)).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'], org_id: strict });
    expect(await server.services.flows.totp.isEnrolled('demo', user.id)).toBe(true);
  });

  it('asks an older session for the password again before a second factor is set up', async () => {
    const user = await member();
    const strict = await organization('demo', true, user.id);
    const browser = new FormClient(server.baseUrl);
    await hostedSignIn(browser, 'demo', user.email);
    now += 10 * 60_000;
    const started = await startAuthorization(browser, demo, strict);
    expect(started.response.status).toBe(200);
    expect(started.response.text).toContain('name="password"');
    expect(started.response.text).not.toContain('id="totp-secret"');
    const setupPage = await passwordInto(browser, started.response, user.email);
    expect(setupPage.text).toContain('action="/t/demo/login/second-factor/setup"');
  });

  it('refuses with access_denied where the tenant offers no authenticator app to set up', async () => {
    const tenant = `org-noapp-${engine}`;
    expect((await api('POST', '/tenants', { id: tenant, name: 'No app', settings: { authenticator_app: false } })).status).toBe(201);
    const app = await appIn(tenant);
    const user = await member(tenant);
    const strict = await organization(tenant, true, user.id);
    const browser = new FormClient(server.baseUrl);
    const started = await startAuthorization(browser, app, strict);
    const refused = await passwordInto(browser, started.response, user.email);
    const callback = new URL(refused.location!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toContain('requires a second factor');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('still refuses a non-member with access_denied, without asking for a second factor first', async () => {
    const outsider = await member();
    const strict = await organization('demo', true);
    const browser = new FormClient(server.baseUrl);
    await hostedSignIn(browser, 'demo', outsider.email);
    await setUpApp(browser, 'demo');
    const refused = await startAuthorization(browser, demo, strict);
    expect(refused.response.location).toMatch(new RegExp(`^${REDIRECT}\\?`));
    expect(new URL(refused.response.location!).searchParams.get('error')).toBe('access_denied');
  });

  it('counts a passkey sign-in as multi-factor: no further step', async () => {
    const user = await member();
    const strict = await organization('demo', true, user.id);
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const setup = new FormClient(server.baseUrl);
    await hostedSignIn(setup, 'demo', user.email);
    const account = await setup.get('/t/demo/account');
    await setup.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);

    const browser = new FormClient(server.baseUrl);
    const started = await startAuthorization(browser, demo, strict);
    const action = formAction(started.response, '/login/passkey');
    const done = await follow(browser, await browser.post(action, { response: JSON.stringify(authenticator.get(ceremonyOptions(started.response.text, action))) }));
    const claims = await idToken(demo, done, started.verifier, started.state);
    expect(claims).toMatchObject({ acr: ACR.phishingResistant, org_id: strict });
    expect(claims.amr).toContain('mfa');
  });
});
