// Enterprise login through SAML 2.0 in a real browser: "Continue with Acme SSO" goes to the SAML
// identity provider (pysaml2 on its own loopback origin, test/support/saml-idp), whose page posts
// the signed response back to our AssertionConsumerService, and the browser lands signed in; inside
// an app's sign-in, an address of acme's domain goes through the IdP and on into the app.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { samlIdpAvailable, startSamlIdp, type SamlIdp } from '../support/saml-idp.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminApi } from '../http/admin/admin-client.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const available = existsSync(CHROMIUM_PATH) && (await samlIdpAvailable('the SAML browser test'));

describe.each(available ? engines : [])('SAML sign-in in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  let idp: SamlIdp;

  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
    idp = await startSamlIdp();
    const created = await adminApi(server)('POST', '/tenants/demo/connections', { type: 'saml', name: 'Acme SSO', settings: { saml: { metadata_xml: await idp.metadataXml() }, domains: ['acme.example'] } });
    expect(created.status).toBe(201);
    await idp.setServiceProvider({ metadataUrl: created.body.service_provider.metadata_url });
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await server?.close();
  });

  it('"Continue with Acme SSO" signs in through the SAML identity provider', async () => {
    const email = `sam.${engine}@acme.example`;
    await idp.configure({ reset: true, mode: 'good', account: { nameId: `sam-${engine}`, attributes: { email, displayName: 'Sam Acme' } } });
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.getByRole('link', { name: 'Continue with Acme SSO' }).click();
    await page.waitForURL(`${server.baseUrl}/t/demo/account`);
    expect(await page.locator('#identities').textContent()).toContain('Acme SSO');
    await page.screenshot({ path: screenshotPath(`${engine}-saml-01-account`), fullPage: true });
    await context.close();
    const user = (await server.services.store.users.findByEmail('demo', email))!;
    expect(user.profile).toMatchObject({ name: 'Sam Acme' });
  });

  it('home-realm discovery inside an app: an address at acme.example goes through the IdP and on into the app', async () => {
    const email = `tess.${engine}@acme.example`;
    await idp.configure({ reset: true, mode: 'good', account: { nameId: `tess-${engine}`, attributes: { email } } });
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/demo-app/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/t\/demo\/interaction\//);
    await page.getByLabel(/email/i).fill(email);
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL(`${server.baseUrl}/demo-app/**`);
    expect(await page.locator('body').textContent()).toContain(email);
    await page.screenshot({ path: screenshotPath(`${engine}-saml-02-app`), fullPage: true });
    await context.close();
  });
});
