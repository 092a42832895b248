// Authenticator-app second factor on the hosted pages, with codes computed by Debian's `oathtool`
// (not by our own code): setting the app up from the account page, signing in with a code,
// codes refused when wrong, reused or guessed too often, turning it off, and an OIDC app
// receiving acr/amr that say a second factor was used. Both engines; the server's clock is ours,
// so the 30-second steps are under the test's control.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, type Response } from '../../support/client.ts';
import { rawRows } from '../../support/raw-db.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from '../admin/admin-client.ts';

const OATHTOOL = '/usr/bin/oathtool';
const haveOathtool = existsSync(OATHTOOL);
if (!haveOathtool && process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1') throw new Error('oathtool is required (apt-get install oathtool)');
if (!haveOathtool) console.warn('skipping second-factor tests: oathtool not installed (apt-get install oathtool)');

/** The code `oathtool` computes for `secret` (base32) at `atMs`. */
function oathCode(secret: string, atMs: number): string {
  return execFileSync(OATHTOOL, ['--totp', '-b', '-N', `@${Math.floor(atMs / 1000)}`, secret], { encoding: 'utf8' }).trim();
}

describe.skipIf(!haveOathtool).each(engines)('authenticator app as a second factor (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  const clock = { now: () => now };
  /** Moves the server's clock on by whole 30-second steps. */
  const advanceSteps = (steps: number) => {
    now += steps * 30_000;
  };

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signIn(browser: FormClient, email: string): Promise<Response> {
    await browser.get('/t/demo/login');
    return browser.post('/t/demo/login', { email, password: PASSWORD });
  }

  const codesOn = (page: Response) => [...page.text.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]!);

  /** Signs in (password only), sets the app up on the account page; returns the secret and recovery codes. */
  async function enrollWithCodes(browser: FormClient, email: string): Promise<{ secret: string; recoveryCodes: string[] }> {
    expect((await signIn(browser, email)).location).toBe('/t/demo/account');
    const setup = await browser.get('/t/demo/account/totp');
    expect(setup.status).toBe(200);
    expect(setup.text).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="QR code for your authenticator app"/);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1]!.replace(/ /g, '');
    const confirmed = await browser.post('/t/demo/account/totp', { code: oathCode(secret, now) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('cache-control')).toContain('no-store');
    const recoveryCodes = codesOn(confirmed);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){5}$/);
    return { secret, recoveryCodes };
  }

  async function enroll(browser: FormClient, email: string): Promise<string> {
    return (await enrollWithCodes(browser, email)).secret;
  }

  it('sets the app up with a first code, then asks for a code at every sign-in', async () => {
    const email = `totp-${engine}@example.test`;
    await makeUser(server, email);
    const browser = new FormClient(server.baseUrl);
    // A wrong first code leaves it off.
    expect((await signIn(browser, email)).location).toBe('/t/demo/account');
    await browser.get('/t/demo/account/totp');
    const wrong = await browser.post('/t/demo/account/totp', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That code is not right');
    const stillOff = await browser.get('/t/demo/account');
    expect(stillOff.text).toContain('/t/demo/account/totp"');

    const secret = await enroll(browser, email);
    const account = await browser.get('/t/demo/account?notice=totp_enabled');
    expect(account.text).toContain('Your authenticator app is set up.');
    expect(account.text).toContain('/t/demo/account/totp/remove');
    // The secret is sealed at rest, under the account's own data key.
    const userId = (await server.services.store.users.findByEmail('demo', email))!.id;
    const [stored] = await rawRows(server.services.config.database, `select secret_sealed, sealed_with from totp_credentials where user_id = '${userId}'`);
    expect(stored).toMatchObject({ sealed_with: 'account', secret_sealed: expect.stringMatching(/^v1\./) });
    expect(String(stored!.secret_sealed)).not.toContain(secret);
    expect((await server.services.store.totp.get('demo', userId))?.secret).toBe(secret);

    // Sign-in: the password alone gives no session, only the second-factor page.
    const fresh = new FormClient(server.baseUrl);
    const afterPassword = await signIn(fresh, email);
    expect(afterPassword.location).toBe('/t/demo/login/second-factor');
    expect(fresh.cookies.has('__Host-fd-session-demo')).toBe(false);
    expect((await fresh.get('/t/demo/account')).location).toContain('/t/demo/login');
    const page = await fresh.get('/t/demo/login/second-factor');
    expect(page.text).toContain('autocomplete="one-time-code" inputmode="numeric"');
    advanceSteps(1);
    const code = oathCode(secret, now);
    const done = await fresh.post('/t/demo/login/second-factor', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(done.location).toBe('/t/demo/account');
    const session = (await server.services.sessions.listForUser('demo', (await server.services.store.users.findByEmail('demo', email))!.id)).find((s) => s.amr.includes('otp'));
    expect(session).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa });

    // The same code never works twice, even in a new sign-in within its 30 seconds.
    const replay = new FormClient(server.baseUrl);
    await signIn(replay, email);
    await replay.get('/t/demo/login/second-factor');
    const replayed = await replay.post('/t/demo/login/second-factor', { code });
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain('That code is not right');
    // A code from long ago is refused too; the current one (next step) works.
    expect((await replay.post('/t/demo/login/second-factor', { code: oathCode(secret, now - 10 * 60_000) })).status).toBe(400);
    advanceSteps(1);
    expect((await replay.post('/t/demo/login/second-factor', { code: oathCode(secret, now) })).location).toBe('/t/demo/account');

    // Turning it off needs a current code.
    const off = await replay.get('/t/demo/account');
    expect(off.status).toBe(200);
    const refused = await replay.post('/t/demo/account/totp/remove', { totp_code: '123456' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('That code is not right');
    advanceSteps(1);
    expect((await replay.post('/t/demo/account/totp/remove', { totp_code: oathCode(secret, now) })).location).toBe('/t/demo/account?notice=totp_disabled');
    expect((await signIn(new FormClient(server.baseUrl), email)).location).toBe('/t/demo/account');
    // The user was told both times (SECURITY.md: mail on every change of MFA).
    const notices = (await server.mailTo(email)).filter((m) => m.subject === 'How you sign in to Demo has changed').map((m) => m.text);
    expect(notices.some((text) => text.includes('An authenticator app was set up'))).toBe(true);
    expect(notices.some((text) => text.includes('The authenticator app of your Demo account was turned off'))).toBe(true);

    const audit = await server.services.store.audit.query({ tenantId: 'demo', action: 'user.second_factor', limit: 20 });
    expect(audit.items.map((e) => e.result)).toEqual(expect.arrayContaining(['success', 'failure']));

    // The funnel shows in /metrics.
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    for (const series of ['frontdoor_second_factor_total{method="any",result="started"}', 'frontdoor_second_factor_total{method="totp",result="success"}', 'frontdoor_second_factor_total{method="code",result="failure"}', 'frontdoor_mfa_enrollments_total{method="totp",stage="completed"}']) {
      expect(Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0), series).toBeGreaterThan(0);
    }
  });

  it('a recovery code signs in once, is mailed about, and a new set replaces the old one', async () => {
    const email = `totp-recovery-${engine}@example.test`;
    await makeUser(server, email);
    const { secret, recoveryCodes } = await enrollWithCodes(new FormClient(server.baseUrl), email);
    const [first, second] = recoveryCodes as [string, string];
    const storedHashes = await server.services.db.selectFrom('recovery_codes').select('code_hash').execute();
    expect(JSON.stringify(storedHashes)).not.toContain(first.replace(/-/g, ''));

    // Typed loosely (upper case, spaces) it works, once.
    const browser = new FormClient(server.baseUrl);
    await signIn(browser, email);
    const page = await browser.get('/t/demo/login/second-factor');
    expect(page.text).toContain('Lost your phone?');
    const used = await browser.post('/t/demo/login/second-factor', { code: first.toUpperCase().replace(/-/g, ' ') });
    expect(used.location).toBe('/t/demo/account');
    const mails = await server.mailTo(email);
    expect(mails.some((m) => m.subject.includes('recovery code was used'))).toBe(true);
    const account = await browser.get('/t/demo/account');
    expect(account.text).toContain('9 of 10 recovery codes left');

    const again = new FormClient(server.baseUrl);
    await signIn(again, email);
    await again.get('/t/demo/login/second-factor');
    expect((await again.post('/t/demo/login/second-factor', { code: first })).status).toBe(400);

    // New codes (a current app code needed); the old unused ones stop working.
    advanceSteps(1);
    expect((await browser.post('/t/demo/account/recovery-codes', { recovery_totp_code: '000000' })).status).toBe(400);
    const fresh = await browser.post('/t/demo/account/recovery-codes', { recovery_totp_code: oathCode(secret, now) });
    expect(fresh.status).toBe(200);
    const newCodes = codesOn(fresh);
    expect(newCodes).toHaveLength(10);
    expect(newCodes).not.toContain(second);
    expect((await again.post('/t/demo/login/second-factor', { code: second })).status).toBe(400);
    expect((await again.post('/t/demo/login/second-factor', { code: newCodes[0]! })).location).toBe('/t/demo/account');
    const audit = await server.services.store.audit.query({ tenantId: 'demo', action: 'user.recovery_code_used', limit: 10 });
    expect(audit.items.length).toBeGreaterThanOrEqual(2);
  });

  it('support resets a lost second factor through the admin API: audited, mailed, password-only sign-in again', async () => {
    const email = `totp-reset-${engine}@example.test`;
    const user = await makeUser(server, email);
    await enroll(new FormClient(server.baseUrl), email);
    expect((await signIn(new FormClient(server.baseUrl), email)).location).toBe('/t/demo/login/second-factor');
    const api = adminApi(server);
    const reset = await api('DELETE', `/tenants/demo/users/${user.id}/mfa`);
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ removed: true });
    expect((await signIn(new FormClient(server.baseUrl), email)).location).toBe('/t/demo/account');
    expect((await server.mailTo(email)).some((m) => m.subject.includes('Two-step verification was turned off'))).toBe(true);
    const audit = await api('GET', `/tenants/demo/audit?action=admin.user_mfa_reset&subject=${user.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect((await api('DELETE', `/tenants/demo/users/${user.id}/mfa`)).body).toEqual({ removed: false });
    expect((await api('DELETE', `/tenants/demo/users/usr_nobody/mfa`)).status).toBe(404);
    expect((await adminApi(server, null)('DELETE', `/tenants/demo/users/${user.id}/mfa`)).status).toBe(401);
  });

  it("tenant policy: 'required' makes a user set the app up at the next sign-in and keeps it; 'off' never asks", async () => {
    const api = adminApi(server);
    expect((await api('POST', '/tenants', { id: `strict-${engine}`, settings: { mfa: 'required' } })).status).toBe(201);
    const tenant = `strict-${engine}`;
    const email = `policy-${engine}@example.test`;
    await makeUser(server, email, tenant);
    const browser = new FormClient(server.baseUrl);
    await browser.get(`/t/${tenant}/login`);
    const afterPassword = await browser.post(`/t/${tenant}/login`, { email, password: PASSWORD });
    expect(afterPassword.location).toBe(`/t/${tenant}/login/second-factor`);
    expect(browser.cookies.has(`__Host-fd-session-${tenant}`)).toBe(false);
    const setup = await browser.get(afterPassword.location!);
    expect(setup.text).toContain('Your account needs a second sign-in step');
    expect(setup.text).toContain(`action="/t/${tenant}/login/second-factor/setup"`);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1]!.replace(/ /g, '');
    expect((await browser.post(`/t/${tenant}/login/second-factor/setup`, { code: '000000' })).status).toBe(400);
    const done = await browser.post(`/t/${tenant}/login/second-factor/setup`, { code: oathCode(secret, now) });
    expect(done.status).toBe(200);
    expect(codesOn(done)).toHaveLength(10);
    expect(done.text).toContain(`href="/t/${tenant}/account"`);
    expect(browser.cookies.has(`__Host-fd-session-${tenant}`)).toBe(true);

    // It cannot be turned off while the policy requires it.
    advanceSteps(1);
    const refused = await browser.post(`/t/${tenant}/account/totp/remove`, { totp_code: oathCode(secret, now) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('requires a second sign-in step');

    // The next sign-in asks for a code, not a set-up.
    const next = new FormClient(server.baseUrl);
    await next.get(`/t/${tenant}/login`);
    expect((await next.post(`/t/${tenant}/login`, { email, password: PASSWORD })).location).toBe(`/t/${tenant}/login/second-factor`);
    expect((await next.get(`/t/${tenant}/login/second-factor`)).text).toContain('Enter the 6-digit code');

    // Policy off: no second step, and nothing offered on the account page.
    expect((await api('PATCH', `/tenants/${tenant}`, { settings: { mfa: 'off' } })).body.settings.mfa).toBe('off');
    const relaxed = new FormClient(server.baseUrl);
    await relaxed.get(`/t/${tenant}/login`);
    expect((await relaxed.post(`/t/${tenant}/login`, { email, password: PASSWORD })).location).toBe(`/t/${tenant}/account`);
    expect((await relaxed.get(`/t/${tenant}/account`)).text).not.toContain('Authenticator app');
    expect((await relaxed.get(`/t/${tenant}/account/totp`)).location).toBe(`/t/${tenant}/account`);
  });

  it('ends a sign-in after five wrong codes, and a guessed flow cookie finds nothing', async () => {
    const email = `totp-guess-${engine}@example.test`;
    await makeUser(server, email);
    const secret = await enroll(new FormClient(server.baseUrl), email);
    advanceSteps(1);
    const browser = new FormClient(server.baseUrl);
    await signIn(browser, email);
    await browser.get('/t/demo/login/second-factor');
    for (let i = 0; i < 4; i += 1) expect((await browser.post('/t/demo/login/second-factor', { code: String(100000 + i) })).status).toBe(400);
    const fifth = await browser.post('/t/demo/login/second-factor', { code: '100004' });
    expect(fifth.text).toContain('This sign-in has expired or had too many wrong codes');
    // The flow is gone: even the right code does not sign this browser in.
    const right = await browser.post('/t/demo/login/second-factor', { code: oathCode(secret, now) });
    expect(right.status).toBe(400);
    expect(browser.cookies.has('__Host-fd-session-demo')).toBe(false);
    expect((await browser.get('/t/demo/login/second-factor')).location).toBe('/t/demo/login');

    const stranger = new FormClient(server.baseUrl);
    stranger.cookies.set('__Host-fd-flow-demo', 'guessed-token');
    await stranger.get('/t/demo/login');
    expect((await stranger.post('/t/demo/login/second-factor', { code: oathCode(secret, now) })).status).toBe(400);
  });

  it('step-up: an app asking acr_values=urn:frontdoor:acr:mfa of a password-only session gets the second-factor prompt, and its ID token says so', async () => {
    const email = `totp-stepup-${engine}@example.test`;
    await makeUser(server, email);
    const browser = new FormClient(server.baseUrl);
    // Signed in with the password, then the app is set up: this session is still password-only.
    const secret = await enroll(browser, email);
    advanceSteps(1);
    const { app, clientSecret } = await makeApp(server, { name: 'Bank app', redirectUris: ['https://bank.example.test/cb'] });
    const config = await discover(server, app.clientId, clientSecret);
    const authorizeWith = async (acrValues?: string) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://bank.example.test/cb',
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(acrValues ? { acr_values: acrValues } : {}),
      });
      return { verifier, response: await follow(browser, await browser.get(url.pathname + url.search)) };
    };

    // Without acr_values the session is enough, and the token says it was a password.
    const plain = await authorizeWith();
    expect(plain.response.location).toMatch(/^https:\/\/bank\.example\.test\/cb\?code=/);
    const plainTokens = await oidc.authorizationCodeGrant(config, new URL(plain.response.location!), { pkceCodeVerifier: plain.verifier });
    expect(plainTokens.claims()).toMatchObject({ acr: ACR.password, amr: ['pwd'] });

    // Asking for mfa: the second-factor page (no password page), then a code with acr mfa.
    const stepUp = await authorizeWith(ACR.mfa);
    expect(stepUp.response.status).toBe(200);
    expect(stepUp.response.text).toContain('Two-step verification');
    expect(stepUp.response.text).not.toContain('name="password"');
    const action = /<form method="post" action="([^"]+\/second-factor)"/.exec(stepUp.response.text)![1]!;
    const done = await follow(browser, await browser.post(action, { code: oathCode(secret, now) }));
    expect(done.location).toMatch(/^https:\/\/bank\.example\.test\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: stepUp.verifier });
    expect(tokens.claims()).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });

    // The stepped-up session now satisfies mfa without asking again.
    const again = await authorizeWith(ACR.mfa);
    expect(again.response.location).toMatch(/^https:\/\/bank\.example\.test\/cb\?code=/);
  });

  it('an OIDC app gets acr urn:frontdoor:acr:mfa and amr [pwd, otp, mfa] after the second factor', async () => {
    const email = `totp-oidc-${engine}@example.test`;
    await makeUser(server, email);
    const secret = await enroll(new FormClient(server.baseUrl), email);
    advanceSteps(1);
    const { app, clientSecret } = await makeApp(server, { name: 'MFA app', redirectUris: ['https://mfa.example.test/cb'] });
    const config = await discover(server, app.clientId, clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://mfa.example.test/cb', scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const browser = new FormClient(server.baseUrl);
    const loginPage = await follow(browser, await browser.get(url.pathname + url.search));
    const action = /<form method="post" action="([^"]+\/login)"/.exec(loginPage.text)![1]!.replace(/&amp;/g, '&');
    const afterPassword = await browser.post(action, { email, password: PASSWORD });
    // The second step stays inside the interaction (prompt=login is answered by this very sign-in).
    expect(afterPassword.location).toBe(`${action.slice(0, -'/login'.length)}/second-factor`);
    const page = await browser.get(afterPassword.location!);
    expect(page.text).toContain(`action="${afterPassword.location}"`);
    expect((await browser.post(afterPassword.location!, { code: '000000' })).status).toBe(400);
    const done = await browser.post(afterPassword.location!, { code: oathCode(secret, now) });
    const back = await follow(browser, done);
    expect(back.location).toMatch(/^https:\/\/mfa\.example\.test\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier });
    expect(tokens.claims()).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });
  });
});
