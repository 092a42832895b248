// Sign-in by email over HTTP, read from the outbox: the six-digit code (10 minutes, five tries,
// bound to the asking browser), the magic link (15 minutes, single use; in another browser it signs
// nobody in and shows a code for the asking one), no enumeration, limits, the second factor after
// it, and an app's sign-in through it. Both engines; the server's clock is ours.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, linkIn, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

const COOKIE = '__Host-fd-email-demo';
const SUBJECT = / is your Demo sign-in code$/;

describe.each(engines)('sign-in by email (%s)', (engine) => {
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

  const newEmail = (label: string) => `email.${label}.${engine}.${++seq}@example.com`;

  async function ask(email: string, client = new FormClient(server.baseUrl)): Promise<{ client: FormClient; response: Response }> {
    await client.get('/t/demo/login');
    const response = await client.post('/t/demo/login/email', { email });
    return { client, response };
  }

  /** The code and link of the newest sign-in mail to `email`. */
  async function mailed(email: string): Promise<{ code: string; link: string; count: number }> {
    const mails = (await server.mailTo(email)).filter((m) => SUBJECT.test(m.subject));
    const [latest] = mails;
    if (!latest) throw new Error(`no sign-in mail to ${email}`);
    const code = /^(\d{6}) is your/.exec(latest.subject)![1]!;
    expect(latest.text).toContain(code);
    return { code, link: linkIn(latest.text, '/t/demo/login/email/link'), count: mails.length };
  }

  const signedIn = (client: FormClient) => client.cookies.has('__Host-fd-session-demo');
  const linkPath = (link: string) => new URL(link).pathname + new URL(link).search;

  it('signs in with the mailed code in the browser that asked: amr otp, single use', async () => {
    const email = newEmail('code');
    const user = await makeUser(server, email);
    const { client, response } = await ask(email);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/t/demo/login/email/code');
    expect(client.cookies.has(COOKIE)).toBe(true);
    const page = await client.get('/t/demo/login/email/code');
    expect(page.text).toContain('autocomplete="one-time-code"');
    const { code } = await mailed(email);
    const done = await client.post('/t/demo/login/email/code', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/t/demo/account');
    expect(signedIn(client)).toBe(true);
    expect(client.cookies.has(COOKIE)).toBe(false);
    const [session] = await server.services.sessions.listForUser('demo', user.id);
    expect(session?.amr).toEqual(['otp']);
    expect(session?.acr).toBe(ACR.password);
    // The funnel: a code mailed, a sign-in completed.
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/frontdoor_sign_in_methods_total\{method="email_code",stage="started"\} [1-9]/);
    expect(metrics).toMatch(/frontdoor_sign_in_methods_total\{method="email_code",stage="completed"\} [1-9]/);
    // Used: the same code again, even with the cookie put back, does nothing.
    const again = new FormClient(server.baseUrl);
    again.cookies.set(COOKIE, [...client.cookies.entries()].find(([k]) => k === COOKIE)?.[1] ?? 'x');
    await again.get('/t/demo/login');
    expect((await again.post('/t/demo/login/email/code', { code })).status).toBe(400);
    expect(signedIn(again)).toBe(false);
  });

  it('answers unknown, unverified and disabled addresses exactly like a known one, and mails none of them', async () => {
    const known = newEmail('known');
    await makeUser(server, known);
    const disabled = newEmail('disabled');
    const disabledUser = await makeUser(server, disabled);
    await adminApi(server)('POST', `/tenants/demo/users/${disabledUser.id}/disable`);
    const unknown = newEmail('unknown');
    const shape = (r: Response) => ({ status: r.status, location: r.location, cookies: r.setCookies.map((c) => c.split('=')[0]).sort() });
    const reference = shape((await ask(known)).response);
    for (const email of [unknown, disabled]) {
      const { client, response } = await ask(email);
      expect(shape(response), email).toEqual(reference);
      expect((await client.get('/t/demo/login/email/code')).status).toBe(200);
      // No code can work: there is nothing to match.
      for (const code of ['000000', '123456']) expect((await client.post('/t/demo/login/email/code', { code })).status).toBe(400);
      expect(signedIn(client)).toBe(false);
      expect((await server.mailTo(email)).filter((m) => SUBJECT.test(m.subject))).toEqual([]);
    }
  });

  it('refuses a wrong code, ends the request after five, and refuses an expired code or one asked for by another browser', async () => {
    const email = newEmail('tries');
    await makeUser(server, email);
    const { client } = await ask(email);
    const { code } = await mailed(email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i += 1) {
      const r = await client.post('/t/demo/login/email/code', { code: wrong });
      expect(r.status).toBe(400);
      expect(r.text).toContain('That code is not right');
    }
    const fifth = await client.post('/t/demo/login/email/code', { code: wrong });
    expect(fifth.text).toContain('This code has expired or had too many wrong tries');
    expect((await client.post('/t/demo/login/email/code', { code })).status).toBe(400);
    expect(signedIn(client)).toBe(false);

    // Another browser cannot use the code mailed for this one.
    const { client: asking } = await ask(email);
    const second = await mailed(email);
    const stranger = new FormClient(server.baseUrl);
    await ask(newEmail('stranger'), stranger);
    expect((await stranger.post('/t/demo/login/email/code', { code: second.code })).status).toBe(400);
    expect(signedIn(stranger)).toBe(false);

    // Ten minutes.
    now += 10 * 60_000 + 1000;
    const late = await asking.post('/t/demo/login/email/code', { code: second.code });
    expect(late.status).toBe(400);
    expect(signedIn(asking)).toBe(false);
  });

  it('signs in with the magic link in the asking browser, once; the link page itself changes nothing', async () => {
    const email = newEmail('link');
    const user = await makeUser(server, email);
    const { client } = await ask(email);
    const { link } = await mailed(email);
    // Mail scanners fetch links: a GET only shows a button.
    for (let i = 0; i < 2; i += 1) expect((await client.get(linkPath(link))).status).toBe(200);
    expect(signedIn(client)).toBe(false);
    const token = new URL(link).searchParams.get('token')!;
    const done = await client.post('/t/demo/login/email/link', { token });
    expect(done.status).toBe(200);
    expect(done.text).toContain('http-equiv="refresh" content="0;url=/t/demo/account"');
    expect(signedIn(client)).toBe(true);
    expect((await server.services.sessions.listForUser('demo', user.id))[0]?.amr).toEqual(['otp']);
    // Opened twice: the second time fails.
    const twice = await client.post('/t/demo/login/email/link', { token });
    expect(twice.status).toBe(410);
    expect((await new FormClient(server.baseUrl).get(linkPath(link))).status).toBe(410);
  });

  it('signs nobody in when the link is opened in another browser: it shows a code, which the asking browser types', async () => {
    const email = newEmail('forwarded');
    const user = await makeUser(server, email);
    const { client: asking } = await ask(email);
    const { link, code: mailedCode } = await mailed(email);
    const other = new FormClient(server.baseUrl);
    await other.get(linkPath(link));
    const shown = await other.post('/t/demo/login/email/link', { token: new URL(link).searchParams.get('token')! });
    expect(shown.status).toBe(200);
    expect(signedIn(other)).toBe(false);
    const transfer = /id="transfer-code">(\d{6})</.exec(shown.text)![1]!;
    // The link is spent, and the mailed code gave way to the new one.
    expect((await other.post('/t/demo/login/email/link', { token: new URL(link).searchParams.get('token')! })).status).toBe(410);
    if (mailedCode !== transfer) expect((await asking.post('/t/demo/login/email/code', { code: mailedCode })).status).toBe(400);
    const done = await asking.post('/t/demo/login/email/code', { code: transfer });
    expect(done.location).toBe('/t/demo/account');
    expect(signedIn(asking)).toBe(true);
    expect((await server.services.sessions.listForUser('demo', user.id)).length).toBe(1);
  });

  it('lets a link expire after 15 minutes', async () => {
    const email = newEmail('old-link');
    await makeUser(server, email);
    const { client } = await ask(email);
    const { link } = await mailed(email);
    now += 15 * 60_000 + 1000;
    expect((await client.get(linkPath(link))).status).toBe(410);
    expect((await client.post('/t/demo/login/email/link', { token: new URL(link).searchParams.get('token')! })).status).toBe(410);
  });

  it('limits how many mails one address gets', async () => {
    const email = newEmail('flood');
    await makeUser(server, email);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await ask(email)).response.status);
    expect(statuses.slice(0, 5)).toEqual([303, 303, 303, 303, 303]);
    expect(statuses.at(-1)).toBe(429);
    expect((await mailed(email)).count).toBe(5);
  });

  it('asks a user with a passkey for it after the mailed code', async () => {
    const email = newEmail('mfa');
    const user = await makeUser(server, email);
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    // Signed in by email once, the user adds a passkey on the account page.
    const setup = await ask(email);
    await setup.client.post('/t/demo/login/email/code', { code: (await mailed(email)).code });
    const account = await setup.client.get('/t/demo/account');
    await setup.client.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);

    now += 1000;
    const { client } = await ask(email);
    const step = await client.post('/t/demo/login/email/code', { code: (await mailed(email)).code });
    expect(step.location).toBe('/t/demo/login/second-factor');
    expect(signedIn(client)).toBe(false);
    const options = ceremonyOptions((await client.get('/t/demo/login/second-factor')).text, '/t/demo/login/second-factor/passkey');
    const done = await client.post('/t/demo/login/second-factor/passkey', { response: JSON.stringify(authenticator.get(options)) });
    expect(done.location).toBe('/t/demo/account');
    const sessions = await server.services.sessions.listForUser('demo', user.id);
    expect(sessions.sort((a, b) => b.createdAt - a.createdAt)[0]?.amr).toEqual(['otp', 'hwk', 'mfa']);
  });

  it('offers nothing by email where the tenant turned it off', async () => {
    const api = adminApi(server);
    expect((await api('PATCH', '/tenants/demo', { settings: { email_sign_in: false } })).status).toBe(200);
    try {
      const client = new FormClient(server.baseUrl);
      const page = await client.get('/t/demo/login');
      expect(page.text).not.toContain('/login/email');
      const refused = await client.post('/t/demo/login/email', { email: newEmail('off') });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Signing in by email is not available here');
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { email_sign_in: null } });
    }
  });

  it("signs in to an app with the mailed code inside the app's sign-in", async () => {
    const email = newEmail('oidc');
    const user = await makeUser(server, email);
    const REDIRECT = 'https://app.example.test/cb';
    const { app, clientSecret } = await makeApp(server, { name: 'Email App', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const browser = new FormClient(server.baseUrl);
    const login = await follow(browser, await browser.get(url.pathname + url.search));
    const action = /formaction="(\/t\/demo\/interaction\/[^"]+\/login\/email)"/.exec(login.text)?.[1];
    expect(action).toBeTruthy();
    const asked = await browser.post(action!, { email });
    expect(asked.location).toMatch(/\/t\/demo\/interaction\/[^/]+\/email-code$/);
    await browser.get(asked.location!);
    const done = await browser.post(asked.location!, { code: (await mailed(email)).code });
    const callback = await follow(browser, done);
    const callbackUrl = new URL(callback.location!);
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(['otp']);
    expect(claims.acr).toBe(ACR.password);
  });
});
