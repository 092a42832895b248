// Debian's Chromium driven by playwright-core (no browser download). Screenshots land in the
// git-ignored test-artifacts/ folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.FRONTDOOR_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, `${name}.png`);
}

/**
 * Waits until every bot challenge on the page is solved (or failed). A form with one holds its
 * submit until then, so a click right after the page loads may not navigate at once.
 */
export async function botChallengesSettled(page: Page): Promise<void> {
  await page.locator('form[data-bot-challenge]:not([data-bot-challenge-state])').first().waitFor({ state: 'detached' });
}
