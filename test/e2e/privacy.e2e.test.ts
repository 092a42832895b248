// The customer's privacy rights in a real browser, through the account page: consent ticked at
// sign-up, withdrawn later with its history shown; the profile edited; the address changed (the
// new one confirmed by its link, the old one told); another browser's session revoked and signed
// out; a connected app's access removed and its refresh token refused; the data export downloaded
// and holding what the account holds; the account deleted and sign-in failing afterwards.
import { existsSync, readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium, screenshotPath, botChallengesSettled } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { discover, makeApp } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

describe.each(browserEngines)('privacy rights in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  let photoPrinter: oidc.Configuration;
  const PHOTO_PRINTER_CALLBACK = 'https://photos.example.test/cb';
  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
    // A third-party app the customer will let in, then throw out.
    const { app, clientSecret } = await makeApp(server, { name: 'Photo Printer', redirectUris: [PHOTO_PRINTER_CALLBACK], firstParty: false });
    photoPrinter = await discover(server, app.clientId, clientSecret);
    const created = await fetch(`${server.baseUrl}/admin/api/v1/tenants/demo/consent-purposes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'newsletter', name: 'Newsletter', description: 'Send me the monthly newsletter.', policy_text: 'Once a month, never shared.' }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await botChallengesSettled(page);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    await page.waitForURL(/\/t\/demo\/account/);
  }

  /** The link of the newest mail to `to` whose text holds `path`. */
  async function openMailLink(page: Page, to: string, path: string) {
    await page.goto(`${server.baseUrl}/dev/mailbox`);
    await page.locator('article.fd-mail').filter({ hasText: to }).locator(`a[href*="${path}"]`).first().click();
  }

  const refreshSucceeds = (refreshToken: string) =>
    oidc.refreshTokenGrant(photoPrinter, refreshToken).then(
      (tokens) => tokens.refresh_token ?? refreshToken,
      () => null,
    );

  it('consents, edits the profile, changes the address, revokes another session and an app, downloads the data, deletes the account', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', acceptDownloads: true });
    const page = await context.newPage();
    const email = `privacy.${engine}.${Date.now()}@example.com`;
    const password = 'Harbor-Lantern-Quietly-731';

    // Sign up with the newsletter ticked (it is offered unticked).
    await page.goto(`${server.baseUrl}/t/demo/register`);
    const newsletter = page.getByLabel(/monthly newsletter/i);
    expect(await newsletter.isChecked()).toBe(false);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/^password$/i).fill(password);
    await newsletter.check();
    await page.getByRole('button', { name: /create|sign up|register/i }).click();
    await page.waitForURL(/\/t\/demo\/check-email/);
    await page.goto(`${server.baseUrl}/dev/mailbox`);
    await page.locator('a[href*="/t/demo/verify"]').first().click();
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button').first().click();
    await page.waitForURL(/\/t\/demo\/account/);
    expect(await page.getByLabel(/monthly newsletter/i).isChecked()).toBe(true);

    // Withdraw it; the history shows both choices.
    await page.getByLabel(/monthly newsletter/i).uncheck();
    await page.getByRole('button', { name: /save my choices/i }).click();
    await page.waitForURL(/notice=consents_saved/);
    expect(await page.getByLabel(/monthly newsletter/i).isChecked()).toBe(false);
    await page.getByText('History of your choices').click();
    const history = await page.locator('#consent-history').textContent();
    expect(history).toContain('Newsletter: agreed to version 1');
    expect(history).toContain('Newsletter: withdrawn (version 1)');
    await page.screenshot({ path: screenshotPath(`${engine}-privacy-01-consents`), fullPage: true });

    // Edit the profile: a value the schema refuses is named at its field, then a good one is kept.
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Website').fill('not a web address');
    // The browser's own check of type=url would stop the form; the server must say it too.
    await page.locator('section#profile form').evaluate((form) => form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: /save profile/i }).click();
    await page.waitForSelector('#profile-website-error');
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
    await page.getByLabel('Website').fill('https://grace.example');
    await page.getByRole('button', { name: /save profile/i }).click();
    await page.waitForURL(/notice=profile_saved/);
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
    expect(await page.getByLabel('Website').inputValue()).toBe('https://grace.example');

    // Change the address: only the link mailed to the new one moves the account; the old one is told.
    const newEmail = `moved.${engine}.${Date.now()}@example.org`;
    await page.getByText('Change your email address').click();
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByRole('button', { name: /send a confirmation link/i }).click();
    await page.waitForURL(/notice=email_change_sent/);
    expect(await page.locator('.fd-email__address').textContent()).toBe(email);
    await openMailLink(page, newEmail, '/account/email/confirm');
    await page.getByRole('button').first().click();
    await page.waitForURL(/notice=email_changed/);
    expect(await page.locator('.fd-email__address').textContent()).toBe(newEmail);
    await page.goto(`${server.baseUrl}/dev/mailbox`);
    const notice = page.locator('article.fd-mail').filter({ hasText: 'now uses another address' });
    expect(await notice.locator('dd').first().textContent()).toBe(email);
    expect(await notice.locator('pre').textContent()).not.toContain(newEmail);
    await page.goto(`${server.baseUrl}/t/demo/account`);

    // A second browser signs in with the new address; the first ends its session; the second is signed out.
    const other = await browser.newContext({ locale: 'en-US' });
    const otherPage = await other.newPage();
    await signIn(otherPage, newEmail, password);
    await page.reload();
    const otherSession = page.locator('section[aria-labelledby="sessions-title"] li').filter({ hasNotText: 'This device' });
    await expect(otherSession.count()).resolves.toBe(1);
    await otherSession.getByRole('button', { name: /^sign out/i }).click();
    await page.waitForURL(/notice=session_revoked/);
    await otherPage.goto(`${server.baseUrl}/t/demo/account`);
    await otherPage.waitForURL(/\/t\/demo\/login/);
    await other.close();

    // Let a third-party app in (consent screen), then remove its access: its refresh token stops working.
    await context.route('https://photos.example.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'Photo Printer' }));
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(photoPrinter, { redirect_uri: PHOTO_PRINTER_CALLBACK, scope: 'openid email offline_access', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    await page.goto(authorizationUrl.href);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(PHOTO_PRINTER_CALLBACK));
    const tokens = await oidc.authorizationCodeGrant(photoPrinter, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
    const refreshToken = await refreshSucceeds(tokens.refresh_token!);
    expect(refreshToken).toBeTruthy();
    await page.goto(`${server.baseUrl}/t/demo/account`);
    await page.getByRole('button', { name: 'Remove access of Photo Printer' }).click();
    await page.waitForURL(/notice=/);
    expect(await page.locator('section[aria-labelledby="apps-title"]').textContent()).toContain('No app has access to your account.');
    expect(await refreshSucceeds(refreshToken!)).toBeNull();

    // Download my data.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /download my data/i }).click()]);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(data).toMatchObject({ format: 'frontdoor.user_export/1', account: { email: newEmail, profile: { given_name: 'Grace', website: 'https://grace.example' } } });
    expect(data.consents.history.map((r: { granted: boolean }) => r.granted)).toEqual([true, false]);
    expect(data.sessions.length).toBe(1);
    expect(data.connected_apps).toEqual([]);

    // Delete the account; signing in no longer works.
    await page.getByLabel(/I understand/i).check();
    await page.getByRole('button', { name: /delete my account/i }).click();
    await page.waitForURL(/\/t\/demo\/login\?notice=account_deleted/);
    await page.screenshot({ path: screenshotPath(`${engine}-privacy-02-deleted`), fullPage: true });
    await page.getByLabel(/email/i).fill(newEmail);
    await page.getByLabel(/password/i).fill(password);
    await botChallengesSettled(page);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    expect(await page.locator('[role="alert"]').first().isVisible()).toBe(true);
    expect(page.url()).toContain('/t/demo/login');
    await context.close();
  });
});
