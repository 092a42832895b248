// The authenticator app in a real browser, at phone width: set it up from the account page (the QR
// code must render under the pages' CSP), keep the recovery codes, sign out, sign in again with a
// code computed by Debian's oathtool from the key the page shows, and once more with a recovery code.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { makeUser, PASSWORD } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const OATHTOOL = '/usr/bin/oathtool';
const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
const ready = existsSync(CHROMIUM_PATH) && existsSync(OATHTOOL);
if (!ready && REQUIRE) throw new Error(`Chromium (${CHROMIUM_PATH}) and oathtool (${OATHTOOL}) are required`);
if (!ready) console.warn('[frontdoor tests] skipping the second-factor browser test: Chromium or oathtool missing');

describe.skipIf(!ready).each(engines)('authenticator app in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  // The server's clock, so each code falls in a 30-second step of its own.
  let now = Date.now();
  const code = (secret: string) => execFileSync(OATHTOOL, ['--totp', '-b', '-N', `@${Math.floor(now / 1000)}`, secret], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signInWithPassword(page: Page, email: string) {
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('sets the app up, then signs in with a code and with a recovery code', async () => {
    const email = `e2e.totp.${engine}@example.com`;
    await makeUser(server, email);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await signInWithPassword(page, email);
    await page.waitForURL(/\/t\/demo\/account/);
    await page.getByRole('link', { name: 'Set up' }).click();
    await page.waitForURL(/\/t\/demo\/account\/totp/);
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    // The QR code really rendered (a data: image the CSP allows), not a broken image.
    await expect.poll(() => qr.evaluate((img) => { const image = img as unknown as { complete: boolean; naturalWidth: number }; return image.complete && image.naturalWidth > 0; })).toBe(true);
    await page.screenshot({ path: screenshotPath(`${engine}-totp-01-setup`), fullPage: true });
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code').fill(code(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Save your recovery codes');
    const recoveryCodes = await page.locator('#recovery-codes code').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.screenshot({ path: screenshotPath(`${engine}-totp-02-recovery-codes`), fullPage: true });
    await page.getByRole('link', { name: 'I have saved them' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Your authenticator app is set up.');
    await page.getByRole('button', { name: 'Sign out' }).last().click();
    await page.waitForURL(/\/t\/demo\/login/);

    // Password, then the code from the app.
    now += 30_000;
    await signInWithPassword(page, email);
    await page.waitForURL(/\/t\/demo\/login\/second-factor/);
    await page.screenshot({ path: screenshotPath(`${engine}-totp-03-second-factor`), fullPage: true });
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await expect.poll(() => page.locator('main').textContent()).toContain('That code is not right');
    await page.getByLabel('Code', { exact: true }).fill(code(secret));
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await page.waitForURL(/\/t\/demo\/account/);
    await page.getByRole('button', { name: 'Sign out' }).last().click();
    await page.waitForURL(/\/t\/demo\/login/);

    // Lost phone: a recovery code from the fold-out.
    await signInWithPassword(page, email);
    await page.waitForURL(/\/t\/demo\/login\/second-factor/);
    await page.getByText('Lost your phone?').click();
    await page.getByLabel('Recovery codes').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).last().click();
    await page.waitForURL(/\/t\/demo\/account/);
    await expect.poll(() => page.locator('main').textContent()).toContain('9 of 10 recovery codes left');
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
