// "Remember this device": after the second factor a browser may skip it for the tenant's number
// of days; the session then claims only the password (no `mfa`), an app that asks for more still
// gets the second factor asked, and forgetting the device or resetting the password ends it.
// The second factor here is a passkey answered by the software authenticator. Both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

const DEVICE = '__Host-fd-device-demo';
const SECOND_FACTOR = '/t/demo/login/second-factor/passkey';
const NEW_PASSWORD = 'Quartz-Lantern-Orchard-2049';

describe.each(engines)('remembered devices (%s)', (engine) => {
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

  async function passwordSignIn(client: FormClient, email: string, password = PASSWORD) {
    await client.get('/t/demo/login');
    return client.post('/t/demo/login', { email, password });
  }

  /** A user with a passkey as second factor, and a browser that gave it with "Remember this device". */
  async function rememberedBrowser() {
    const email = `remember.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const browser = new FormClient(server.baseUrl);
    await passwordSignIn(browser, email);
    const account = await browser.get('/t/demo/account');
    await browser.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    await browser.post('/t/demo/logout', {});

    expect((await passwordSignIn(browser, email)).location).toBe('/t/demo/login/second-factor');
    const page = await browser.get('/t/demo/login/second-factor');
    expect(page.text).toContain('Remember this device for 30 days');
    const done = await browser.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(ceremonyOptions(page.text, SECOND_FACTOR))), remember_device: '1' });
    expect(done.location).toBe('/t/demo/account');
    expect(browser.cookies.has(DEVICE)).toBe(true);
    await browser.post('/t/demo/logout', {});
    now += 1000;
    return { user, email, browser, authenticator };
  }

  const latestSession = async (userId: string) => (await server.services.sessions.listForUser('demo', userId)).sort((a, b) => b.createdAt - a.createdAt)[0]!;

  it('skips the second factor on the remembered browser only, and the session claims only the password', async () => {
    const { user, email, browser } = await rememberedBrowser();
    expect((await passwordSignIn(browser, email)).location).toBe('/t/demo/account');
    const session = await latestSession(user.id);
    expect(session.amr).toEqual(['pwd']);
    expect(session.acr).toBe(ACR.password);
    const account = await browser.get('/t/demo/account');
    expect(account.text).toContain('Remembered devices');

    // Another browser is asked; a copied cookie of another user does nothing either.
    const other = new FormClient(server.baseUrl);
    expect((await passwordSignIn(other, email)).location).toBe('/t/demo/login/second-factor');
    const stranger = await rememberedBrowser();
    const thief = new FormClient(server.baseUrl);
    thief.cookies.set(DEVICE, stranger.browser.cookies.get(DEVICE)!);
    expect((await passwordSignIn(thief, email)).location).toBe('/t/demo/login/second-factor');
  });

  it('still asks for the second factor when an app asks for more than a password', async () => {
    const { email, browser } = await rememberedBrowser();
    const REDIRECT = 'https://app.example.test/cb';
    const { app, clientSecret } = await makeApp(server, { name: 'Strict App', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', acr_values: ACR.mfa, code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const login = await follow(browser, await browser.get(url.pathname + url.search));
    const action = /action="(\/t\/demo\/interaction\/[^"]+\/login)"/.exec(login.text)![1]!;
    const afterPassword = await browser.post(action, { email, password: PASSWORD });
    // The remembered browser got a password-only session; the app's acr_values then asks for the factor.
    const next = await follow(browser, afterPassword);
    expect(next.text).toContain('Use your passkey');
  });

  it('ends with "Forget" on the account page, and with a password reset', async () => {
    const first = await rememberedBrowser();
    await passwordSignIn(first.browser, first.email);
    const account = await first.browser.get('/t/demo/account');
    const forget = /action="(\/t\/demo\/account\/devices\/[^"]+\/forget)"/.exec(account.text)![1]!;
    expect((await first.browser.post(forget, {})).location).toBe('/t/demo/account?notice=device_forgotten');
    await first.browser.post('/t/demo/logout', {});
    expect((await passwordSignIn(first.browser, first.email)).location).toBe('/t/demo/login/second-factor');

    const second = await rememberedBrowser();
    const asker = new FormClient(server.baseUrl);
    await asker.get('/t/demo/forgot');
    await asker.post('/t/demo/forgot', { email: second.email });
    const [mail] = await server.mailTo(second.email);
    const token = new URL(linkIn(mail!.text, '/t/demo/reset')).searchParams.get('token')!;
    await asker.get(`/t/demo/reset?token=${token}`);
    expect((await asker.post('/t/demo/reset', { token, password: NEW_PASSWORD })).status).toBe(303);
    expect(await server.services.store.trustedDevices.listForUser('demo', second.user.id, now)).toEqual([]);
    expect((await passwordSignIn(second.browser, second.email, NEW_PASSWORD)).location).toBe('/t/demo/login/second-factor');
  });

  it('lasts the tenant’s number of days, and is not offered when the tenant sets 0', async () => {
    const { email, browser } = await rememberedBrowser();
    now += 31 * 86_400_000;
    expect((await passwordSignIn(browser, email)).location).toBe('/t/demo/login/second-factor');
    const api = adminApi(server);
    expect((await api('PATCH', '/tenants/demo', { settings: { remember_device_days: 0 } })).status).toBe(200);
    try {
      expect((await browser.get('/t/demo/login/second-factor')).text).not.toContain('Remember this device');
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { remember_device_days: null } });
    }
  });
});
