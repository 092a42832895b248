// The customer's privacy rights in a real browser, through the account page: consent ticked at
// sign-up, withdrawn later with its history shown; another browser's session revoked and signed
// out; the data export downloaded and holding what the account holds; the account deleted and
// sign-in failing afterwards.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium, screenshotPath, botChallengesSettled } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

describe.each(browserEngines)('privacy rights in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
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

  it('consents, edits the profile, revokes another session, downloads the data, deletes the account', async () => {
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

    // A second browser signs in; the first ends its session; the second is signed out.
    const other = await browser.newContext({ locale: 'en-US' });
    const otherPage = await other.newPage();
    await signIn(otherPage, email, password);
    await page.reload();
    const otherSession = page.locator('section[aria-labelledby="sessions-title"] li').filter({ hasNotText: 'This device' });
    await expect(otherSession.count()).resolves.toBe(1);
    await otherSession.getByRole('button', { name: /^sign out/i }).click();
    await page.waitForURL(/notice=session_revoked/);
    await otherPage.goto(`${server.baseUrl}/t/demo/account`);
    await otherPage.waitForURL(/\/t\/demo\/login/);
    await other.close();

    // Download my data.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /download my data/i }).click()]);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(data).toMatchObject({ format: 'frontdoor.user_export/1', account: { email, profile: { given_name: 'Grace', website: 'https://grace.example' } } });
    expect(data.consents.history.map((r: { granted: boolean }) => r.granted)).toEqual([true, false]);
    expect(data.sessions.length).toBe(1);

    // Delete the account; signing in no longer works.
    await page.getByLabel(/I understand/i).check();
    await page.getByRole('button', { name: /delete my account/i }).click();
    await page.waitForURL(/\/t\/demo\/login\?notice=account_deleted/);
    await page.screenshot({ path: screenshotPath(`${engine}-privacy-02-deleted`), fullPage: true });
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await botChallengesSettled(page);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    expect(await page.locator('[role="alert"]').first().isVisible()).toBe(true);
    expect(page.url()).toContain('/t/demo/login');
    await context.close();
  });
});
