// Social and enterprise login in a real browser: "Continue with Corp" on the sign-in page goes to
// Corp IdP (a real oidc-provider on its own loopback origin), its sign-in form, and back signed in;
// a second sign-in links nothing new; typing an address of corp's domain inside an app's sign-in
// (home-realm discovery) sends the browser to Corp and on into the app.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startCorpIdp, type CorpIdp } from '../support/upstream-idp.ts';
import { adminApi } from '../http/admin/admin-client.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

describe.each(browserEngines)('social and enterprise login in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  let corp: CorpIdp;
  let connectionId = '';

  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
    const api = adminApi(server);
    const created = await api('POST', '/tenants/demo/connections', { type: 'oidc', name: 'Corp', client_id: 'frontdoor', client_secret: 'corp-secret-for-the-e2e-test', settings: { issuer: 'https://corp.invalid', domains: ['corp.example'] } });
    connectionId = created.body.id;
    corp = await startCorpIdp({ clientId: 'frontdoor', clientSecret: 'corp-secret-for-the-e2e-test', redirectUris: [created.body.redirect_uri] });
    await api('PATCH', `/tenants/demo/connections/${connectionId}`, { settings: { issuer: corp.issuer } });
  });
  afterAll(async () => {
    await browser?.close();
    await corp?.close();
    await server?.close();
  });

  async function signInAtCorp(page: Page, login: string) {
    await page.waitForURL((url) => url.origin === corp.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }

  it('"Continue with Corp" signs in through Corp IdP; a second sign-in links nothing new', async () => {
    const email = `pat.${engine}@corp.example`;
    corp.accounts.set(`pat-${engine}`, { email, email_verified: true, name: 'Pat Corp' });
    for (const round of [1, 2]) {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/t/demo/login`);
      await page.getByRole('link', { name: 'Continue with Corp' }).click();
      await signInAtCorp(page, `pat-${engine}`);
      await page.waitForURL(`${server.baseUrl}/t/demo/account`);
      expect(await page.locator('#identities').textContent()).toContain('Corp');
      await page.screenshot({ path: screenshotPath(`${engine}-federation-0${round}-account`), fullPage: true });
      await context.close();
    }
    const user = (await server.services.store.users.findByEmail('demo', email))!;
    expect(await server.services.store.federatedIdentities.listForUser('demo', user.id)).toHaveLength(1);
  });

  it('home-realm discovery: an address at corp.example goes to Corp, and on into the app', async () => {
    const email = `quinn.${engine}@corp.example`;
    corp.accounts.set(`quinn-${engine}`, { email, email_verified: true });
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/demo-app/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/t\/demo\/interaction\//);
    await page.getByLabel(/email/i).fill(email);
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await signInAtCorp(page, `quinn-${engine}`);
    await page.waitForURL(`${server.baseUrl}/demo-app/**`);
    expect(await page.locator('body').textContent()).toContain(email);
    await page.screenshot({ path: screenshotPath(`${engine}-federation-03-app`), fullPage: true });
    await context.close();
  });
});
