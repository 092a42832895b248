// The sign-in flow JSON API, as a mobile app would drive it: every method of the hosted pages —
// password, code by email (and the magic link opened on another device), passkey, and the second
// factor — over JSON with the flow token in a header; and an app's OIDC sign-in completed through
// it, the code redeemed by openid-client. Both engines.
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';

const BASE = '/t/demo/api/v1';

describe.each(engines)('sign-in flow API (%s)', (engine) => {
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

  /** A cookie-keeping client speaking JSON to the API. */
  function apiClient(client = new FormClient(server.baseUrl)) {
    let flow = '';
    const call = async (method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (flow) headers['x-frontdoor-flow'] = flow;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await client.raw(method, `${BASE}${path}`, body === undefined ? undefined : JSON.stringify(body), headers);
      const json = r.text ? (JSON.parse(r.text) as any) : null;
      if (r.status === 201 && json?.flow) flow = json.flow;
      return { status: r.status, body: json, cookies: r.setCookies };
    };
    return { client, call, get flow() { return flow; }, set flow(v: string) { flow = v; } };
  }

  const newEmail = (label: string) => `api.${label}.${engine}.${++seq}@example.com`;

  it('signs in with a password: first factor methods, then complete with a session cookie', async () => {
    const email = newEmail('password');
    const user = await makeUser(server, email);
    const api = apiClient();
    const created = await api.call('POST', '/sign-in', {});
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('first_factor');
    expect(created.body.methods).toEqual(['password', 'email', 'passkey']);
    expect(created.body.passkey_options.challenge).toBeTruthy();

    const wrong = await api.call('POST', '/sign-in/password', { email, password: 'not the password, clearly' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('auth.invalid_credentials');
    const done = await api.call('POST', '/sign-in/password', { email, password: PASSWORD });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'complete', acr: ACR.password, amr: ['pwd'] });
    // The session is the one the hosted pages know.
    expect((await api.client.get('/t/demo/account')).status).toBe(200);
    expect((await server.services.sessions.listForUser('demo', user.id)).length).toBe(1);
    // A finished flow does not take more steps.
    expect((await api.call('POST', '/sign-in/password', { email, password: PASSWORD })).status).toBe(400);
  });

  it('refuses calls without the flow token, with another flow’s token, with a form body, and unknown fields', async () => {
    const api = apiClient();
    await api.call('POST', '/sign-in', {});
    const token = api.flow;
    api.flow = '';
    expect((await api.call('POST', '/sign-in/password', { email: 'a@example.com', password: 'x' })).status).toBe(401);
    api.flow = 'not-a-flow';
    expect((await api.call('GET', '/sign-in')).status).toBe(401);
    api.flow = token;
    const form = await api.client.raw('POST', `${BASE}/sign-in/password`, 'email=a%40example.com&password=x', { 'content-type': 'application/x-www-form-urlencoded', 'x-frontdoor-flow': token });
    expect(form.status).toBe(415);
    const extra = await api.call('POST', '/sign-in/password', { email: 'a@example.com', password: 'x', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toBe('request.invalid');
  });

  it('signs in with a mailed code, and a magic link opened in a browser shows a code for the app', async () => {
    const email = newEmail('email');
    await makeUser(server, email);
    const api = apiClient();
    await api.call('POST', '/sign-in', {});
    const asked = await api.call('POST', '/sign-in/email', { email });
    expect(asked.body.state).toBe('email_code');
    const [mail] = (await server.mailTo(email)).filter((m) => m.subject.endsWith('sign-in code'));
    const link = linkIn(mail!.text, '/t/demo/login/email/link');
    // The link opened in a phone's browser: nobody signed in there, a code is shown for the app.
    const browser = new FormClient(server.baseUrl);
    await browser.get(new URL(link).pathname + new URL(link).search);
    const shown = await browser.post('/t/demo/login/email/link', { token: new URL(link).searchParams.get('token')! });
    const transfer = /id="transfer-code">(\d{6})</.exec(shown.text)![1]!;
    const done = await api.call('POST', '/sign-in/email/code', { code: transfer });
    expect(done.body).toMatchObject({ state: 'complete', amr: ['otp'] });

    // The code from the mail, in a second flow.
    const again = apiClient();
    await again.call('POST', '/sign-in', {});
    now += 1000;
    await again.call('POST', '/sign-in/email', { email });
    const [latest] = (await server.mailTo(email)).filter((m) => m.subject.endsWith('sign-in code'));
    const code = /^(\d{6})/.exec(latest!.subject)![1]!;
    expect((await again.call('POST', '/sign-in/email/code', { code: code === '000000' ? '111111' : '000000' })).body.error).toBe('email_code.invalid');
    expect((await again.call('POST', '/sign-in/email/code', { code })).body.state).toBe('complete');
  });

  it('signs in with a passkey alone, and asks a password user with a passkey for it as the second factor', async () => {
    const email = newEmail('passkey');
    const user = await makeUser(server, email);
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    // The passkey is added on the account page (hosted), as a user would.
    const browser = new FormClient(server.baseUrl);
    await browser.get('/t/demo/login');
    await browser.post('/t/demo/login', { email, password: PASSWORD });
    const account = await browser.get('/t/demo/account');
    await browser.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });

    const api = apiClient();
    const created = await api.call('POST', '/sign-in', {});
    const alone = await api.call('POST', '/sign-in/passkey', { response: authenticator.get(created.body.passkey_options) });
    expect(alone.body).toMatchObject({ state: 'complete', acr: ACR.phishingResistant });

    const api2 = apiClient();
    await api2.call('POST', '/sign-in', {});
    const step = await api2.call('POST', '/sign-in/password', { email, password: PASSWORD });
    expect(step.body.state).toBe('second_factor');
    expect(step.body.methods).toEqual(['passkey']);
    expect(step.body.passkey_options.allowCredentials).toHaveLength(1);
    const done = await api2.call('POST', '/sign-in/second-factor/passkey', { response: authenticator.get(step.body.passkey_options) });
    expect(done.body).toMatchObject({ state: 'complete', amr: ['pwd', 'hwk', 'mfa'], acr: ACR.phishingResistant });
    expect((await server.services.sessions.listForUser('demo', user.id)).length).toBeGreaterThanOrEqual(3);
  });

  it('texts a code as the second factor', async () => {
    const email = newEmail('sms');
    await makeUser(server, email);
    const browser = new FormClient(server.baseUrl);
    await browser.get('/t/demo/login');
    await browser.post('/t/demo/login', { email, password: PASSWORD });
    await browser.get('/t/demo/account');
    now += 1000;
    await browser.post('/t/demo/account/phone', { phone: '+1 212 555 0142' });
    const confirm = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    await browser.post('/t/demo/account/phone/confirm', { code: confirm });

    const api = apiClient();
    await api.call('POST', '/sign-in', {});
    const step = await api.call('POST', '/sign-in/password', { email, password: PASSWORD });
    expect(step.body).toMatchObject({ state: 'second_factor', methods: ['sms', 'code'], sms_phone: '+1 ••• 42' });
    now += 1000;
    await api.call('POST', '/sign-in/second-factor/sms');
    const code = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    const done = await api.call('POST', '/sign-in/second-factor/code', { code });
    expect(done.body).toMatchObject({ state: 'complete', amr: ['pwd', 'sms', 'mfa'], acr: ACR.mfa });
  });

  it("answers an app's OIDC sign-in: the flow returns where to go, and the app gets its code", async () => {
    const email = newEmail('oidc');
    const user = await makeUser(server, email);
    const REDIRECT = 'com.example.app:/callback';
    const { app } = await makeApp(server, { name: 'Native App', public: true, firstParty: true, redirectUris: [REDIRECT], oidc: { tokenEndpointAuthMethod: 'none' } });
    const config = await discover(server, app.clientId, null);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const client = new FormClient(server.baseUrl);
    const started = await client.get(url.pathname + url.search);
    const uid = /\/interaction\/([^/?]+)$/.exec(started.location!)![1]!;

    const api = apiClient(client);
    expect((await api.call('POST', '/sign-in', { interaction: 'someone-elses' })).status).toBe(400);
    await api.call('POST', '/sign-in', { interaction: uid });
    const done = await api.call('POST', '/sign-in/password', { email, password: PASSWORD });
    expect(done.body.state).toBe('complete');
    const redirectTo = new URL(done.body.redirect_to);
    // Follow the provider on our origin (a first-party app's consent is implied) until it leaves for the app.
    const response = await follow(client, await client.get(redirectTo.pathname + redirectTo.search));
    const callback = new URL(response.location!);
    expect(callback.protocol).toBe('com.example.app:');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, idTokenExpected: true });
    expect(tokens.claims()!.sub).toBe(user.id);
  });

  it('never lets the resume step answer an app that asked for a fresh sign-in with an older session', async () => {
    const email = newEmail('resume');
    await makeUser(server, email);
    // Signed in a minute before the app's request (the server's clock is this test's; the
    // provider stamps the interaction with the real time).
    now = Date.now() - 60_000;
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/account');
    const REDIRECT = 'https://resume.example.test/cb';
    const { app, clientSecret } = await makeApp(server, { name: 'Fresh App', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const started = await client.get(url.pathname + url.search);
    const interaction = started.location!;
    const resumed = await client.get(`${interaction}/resume`);
    expect(resumed.location).toBe(interaction);
  });

  it('publishes its OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.baseUrl}${BASE}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([`${BASE.replace('demo', '{tenant}')}/sign-in`, `${BASE.replace('demo', '{tenant}')}/sign-in/second-factor/passkey`]));
  });

  it('answers generated bad input on every step with a 4xx JSON error, never a 5xx', async () => {
    const api = apiClient();
    await api.call('POST', '/sign-in', {});
    const paths = ['/sign-in', '/sign-in/password', '/sign-in/email', '/sign-in/email/code', '/sign-in/passkey', '/sign-in/second-factor/code', '/sign-in/second-factor/sms', '/sign-in/second-factor/passkey'];
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('\u0000', 'a'.repeat(5000), '<script>', '{"id":"AAAA","type":"public-key","response":{}}'), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    const body = fc.oneof(fc.dictionary(fc.constantFrom('email', 'password', 'code', 'response', 'interaction', 'x'), value, { maxKeys: 4 }), fc.constant('not json'), fc.constant(''));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), body, fc.boolean(), async (path, payload, withToken) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (withToken) headers['x-frontdoor-flow'] = api.flow;
        const r = await api.client.raw('POST', `${BASE}${path}`, typeof payload === 'string' ? payload : JSON.stringify(payload), headers);
        expect(r.status, `${path} ${JSON.stringify(payload).slice(0, 120)}`).toBeLessThan(500);
        if (r.status >= 400) expect(typeof (JSON.parse(r.text) as { error?: unknown }).error).toBe('string');
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
