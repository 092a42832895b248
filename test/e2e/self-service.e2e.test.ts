// The newcomer's path in a real browser: register, read the mail in the development mailbox,
// verify, see the account with its sessions, sign out, forget the password, reset it, sign in.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium, screenshotPath, botChallengesSettled } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH)) {
  if (REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
  console.warn(`[frontdoor tests] skipping browser tests: no Chromium at ${CHROMIUM_PATH}`);
}
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

async function openNewestMailLink(page: Page, server: TestServer, to: string, path: string): Promise<void> {
  await page.goto(`${server.baseUrl}/dev/mailbox`);
  const mail = page.locator('article, li, section').filter({ hasText: to }).first();
  await expect(mail.count()).resolves.toBeGreaterThan(0);
  const link = page.locator(`a[href*="${path}"]`).first();
  const href = await link.getAttribute('href');
  expect(href).toContain(path);
  await link.click();
}

describe.each(browserEngines)('self-service in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('registers, verifies, lists sessions, signs out and resets the password', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const email = `e2e.${engine}.${Date.now()}@example.com`;
    const password = 'Velvet-Compass-Orbit-582';
    const newPassword = 'Saffron-Glacier-Thimble-306';

    await page.goto(`${server.baseUrl}/t/demo/register`);
    await page.screenshot({ path: screenshotPath(`${engine}-01-register`), fullPage: true });
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button', { name: /create|sign up|register/i }).click();
    // A headless browser looks like automation: the form waits for its bot challenge, solved by the page.
    await page.waitForURL(/\/t\/demo\/check-email/);
    expect(await page.locator('h1').textContent()).toMatch(/email/i);
    await page.screenshot({ path: screenshotPath(`${engine}-02-check-email`), fullPage: true });

    await openNewestMailLink(page, server, email, '/t/demo/verify');
    await page.screenshot({ path: screenshotPath(`${engine}-03-verify`), fullPage: true });
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button').first().click();
    await page.waitForURL(/\/t\/demo\/account/);
    expect(await page.locator('main').textContent()).toContain(email);
    expect(await page.locator('main').textContent()).toMatch(/this device/i);
    await page.screenshot({ path: screenshotPath(`${engine}-04-account`), fullPage: true });

    await page.getByRole('button', { name: /sign out/i }).click();
    await page.waitForURL(/\/t\/demo\/login/);
    await page.goto(`${server.baseUrl}/t/demo/account`);
    await page.waitForURL(/\/t\/demo\/login/);

    await page.getByRole('link', { name: /forgot/i }).click();
    await page.getByLabel(/email/i).fill(email);
    await page.getByRole('button').first().click();
    await page.waitForURL(/\/t\/demo\/check-email\?kind=reset_requested/);
    await openNewestMailLink(page, server, email, '/t/demo/reset');
    await page.getByLabel(/password/i).fill(newPassword);
    await page.screenshot({ path: screenshotPath(`${engine}-05-reset`), fullPage: true });
    await page.getByRole('button').first().click();
    await page.waitForURL(/\/t\/demo\/login\?notice=password_reset/);

    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await botChallengesSettled(page);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    expect(await page.locator('[role="alert"]').first().isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath(`${engine}-06-login-error`), fullPage: true });
    // Focus lands on the field in error without any script.
    await page.getByLabel(/password/i).fill(newPassword);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    await page.waitForURL(/\/t\/demo\/account/);
    expect(await page.locator('main').textContent()).toContain(email);
    await context.close();
  });

  it('switches language by Accept-Language and by the switcher', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/t/demo/login`);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.goto(`${server.baseUrl}/t/demo/register`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en'); // the choice is remembered
    await context.close();
  });

  it('works with the keyboard only', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/t/demo/login`);
    // Runs in the page; a string because the test compiles without the DOM library.
    const active = '`${document.activeElement?.tagName}:${document.activeElement?.getAttribute("name") ?? document.activeElement?.textContent?.trim()}`';
    const focusable: string[] = [await page.evaluate<string>(active)];
    expect(focusable[0]).toBe('INPUT:email'); // autofocus puts the cursor in the first field
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      focusable.push(await page.evaluate<string>(active));
    }
    // Typing into the form and submitting with Enter signs in without a mouse.
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.keyboard.type('nobody@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Wrong-Password-Typed-0');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForSelector('[role="alert"]');
    expect(await page.locator('[role="alert"]').count()).toBeGreaterThan(0);
    expect(focusable.some((f) => f.startsWith('INPUT:password'))).toBe(true);
    expect(focusable.some((f) => f.startsWith('BUTTON'))).toBe(true);
    await context.close();
  });
});
