// Passkeys in a real browser: Chromium with the DevTools WebAuthn virtual authenticator (CTAP2,
// internal transport, resident keys, user verification). A customer signs in with a password,
// declines the passkey offer, adds a passkey from the account page, renames it, signs out, signs
// in with the passkey button and with autofill (conditional UI), uses the passkey as the second
// factor after a password, removes it, and is told the passkey is unknown when it is offered again.
// A new customer signs up through the pages and creates a passkey right after confirming the address;
// inside an app's OIDC sign-in the offer resumes the app's sign-in.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../src/core/auth/acr.ts';
import { CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import * as oidc from 'openid-client';
import { discover, makeApp, makeUser, PASSWORD } from '../support/oidc.ts';
import { linkIn } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
const ready = existsSync(CHROMIUM_PATH);
if (!ready && REQUIRE) throw new Error(`Chromium (${CHROMIUM_PATH}) is required`);
if (!ready) console.warn('[frontdoor tests] skipping the passkey browser test: Chromium missing');

/** Waits that follow a navigation or an authenticator answer: generous, for a loaded CI machine. */
const SLOW = { timeout: 15_000 };

interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  credentials(): Promise<{ credentialId: string; isResidentCredential: boolean; signCount: number; userHandle?: string }[]>;
}

/** A platform authenticator with resident keys and user verification, answering without a prompt. */
async function addAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    cdp,
    id: authenticatorId,
    async credentials() {
      return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    },
  };
}

/**
 * Reports which kind of WebAuthn request (`conditional` or `modal`) the authenticator answered, as
 * a console message: the page's own script is unchanged, the call is only observed.
 */
async function observeMediation(context: BrowserContext, page: Page): Promise<string[]> {
  // Plain browser JavaScript (this file is compiled without the DOM types).
  await context.addInitScript({
    content: `(() => {
      const credentials = navigator.credentials;
      const get = credentials.get.bind(credentials);
      credentials.get = async (options) => {
        const answer = await get(options);
        console.info('fd-test-mediation ' + (options && options.mediation === 'conditional' ? 'conditional' : 'modal'));
        return answer;
      };
    })();`,
  });
  const answered: string[] = [];
  page.on('console', (message) => {
    const match = /^fd-test-mediation (\w+)$/.exec(message.text());
    if (match) answered.push(match[1]!);
  });
  return answered;
}

describe.skipIf(!ready).each(engines)('passkeys in Chromium (%s)', (engine) => {
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

  const main = (page: Page) => page.locator('main').textContent();

  async function signInWithPassword(page: Page, email: string) {
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(PASSWORD);
    // The page's script has had its chance to say this device can hold a passkey.
    await expect.poll(() => page.locator('input[name="passkey_capable"]').inputValue(), SLOW).toBe('1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /**
   * Signs out. The sign-in page that follows starts a conditional (autofill) request at once; the
   * authenticator is made to wait first, so that request answers only when a step means it to.
   */
  async function signOut(page: Page, presence: (enabled: boolean) => Promise<unknown>) {
    await presence(false);
    await page.getByRole('button', { name: 'Sign out' }).last().click();
    await page.waitForURL(/\/t\/demo\/login/);
  }

  async function latestSession(userId: string) {
    const sessions = await server.services.sessions.listForUser('demo', userId);
    return sessions.sort((a, b) => b.createdAt - a.createdAt)[0]!;
  }

  it('adds a passkey, signs in with it by button and by autofill, uses it as a second factor, and removes it', async () => {
    const email = `e2e.passkey.${engine}@example.com`;
    const user = await makeUser(server, email);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const mediations = await observeMediation(context, page);
    const authenticator = await addAuthenticator(context, page);
    /** Whether the authenticator answers requests by itself (as if the person touched it). */
    const presence = (enabled: boolean) => authenticator.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: authenticator.id, enabled });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // Password sign-in on a device that can hold a passkey: the offer comes; "Not now" goes on
    // and is remembered on this browser.
    await signInWithPassword(page, email);
    await page.waitForURL(/\/t\/demo\/passkeys\/offer/);
    await page.screenshot({ path: screenshotPath(`${engine}-passkey-01-offer`), fullPage: true });
    await page.getByRole('button', { name: 'Not now' }).click();
    await page.waitForURL(/\/t\/demo\/account/);
    expect((await context.cookies()).some((c) => c.name === '__Host-fd-passkey-offer-demo')).toBe(true);

    // Add one from the account page.
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/notice=passkey_added/);
    await expect.poll(() => main(page), SLOW).toContain('This device only');
    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(credential?.userHandle).toBe(Buffer.from(user.id).toString('base64'));
    const [stored] = await server.services.store.passkeys.listForUser('demo', user.id);
    expect(stored?.credentialId).toBe(Buffer.from(credential!.credentialId, 'base64').toString('base64url'));
    // Named after the browser and system it was made on (headless Chromium reads as a generic browser).
    expect(stored?.name).toMatch(/ on Linux$/);
    await page.screenshot({ path: screenshotPath(`${engine}-passkey-02-account`), fullPage: true });

    // Rename it.
    await page.getByLabel('Name', { exact: true }).fill('Work laptop');
    await page.getByRole('button', { name: /Rename the passkey/ }).click();
    await page.waitForURL(/notice=passkey_renamed/);
    await expect.poll(() => main(page), SLOW).toContain('The passkey has been renamed.');
    expect((await server.services.store.passkeys.listForUser('demo', user.id))[0]?.name).toBe('Work laptop');
    await signOut(page, presence);

    // The button: no email, no password. The page's conditional request waits (no presence yet);
    // the button replaces it with a modal request, which the authenticator then answers.
    await page.goto(`${server.baseUrl}/t/demo/login`);
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await button.waitFor();
    await presence(true);
    await button.click();
    await page.waitForURL(/\/t\/demo\/account/);
    expect(mediations.at(-1)).toBe('modal');
    let session = await latestSession(user.id);
    expect(session.acr).toBe(ACR.phishingResistant);
    expect(session.amr).toEqual(['hwk', 'user', 'mfa']);
    await signOut(page, presence);

    // Autofill (conditional UI): the page starts a conditional request as it loads, which the
    // browser offers among the email field's suggestions; the virtual authenticator picks it.
    const before = (await authenticator.credentials())[0]!.signCount;
    await presence(true);
    // The page's script may answer and submit before the load event: wait for the response only.
    await page.goto(`${server.baseUrl}/t/demo/login`, { waitUntil: 'commit' });
    await page.waitForURL(/\/t\/demo\/account/);
    expect(mediations.at(-1)).toBe('conditional');
    expect((await authenticator.credentials())[0]!.signCount).toBeGreaterThan(before);
    await signOut(page, presence);

    // As the second factor after the password (the person ignores the passkey suggestion while
    // typing: no presence until they choose the passkey button on the second page).
    await signInWithPassword(page, email);
    await page.waitForURL(/\/t\/demo\/login\/second-factor/);
    await page.screenshot({ path: screenshotPath(`${engine}-passkey-03-second-factor`), fullPage: true });
    await page.getByRole('button', { name: 'Use your passkey' }).waitFor();
    await presence(true);
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await page.waitForURL(/\/t\/demo\/account/);
    session = await latestSession(user.id);
    expect(session.amr).toEqual(['pwd', 'hwk', 'mfa']);
    expect(session.acr).toBe(ACR.phishingResistant);

    // Remove it: the account page tells the device (Signal API: all accepted credentials) that no
    // passkey is accepted any more, and the authenticator drops it.
    await page.getByRole('button', { name: /Remove the passkey/ }).click();
    await page.waitForURL(/notice=passkey_removed/);
    expect(await page.locator('[data-passkey-signal]').getAttribute('data-accepted')).toBe('[]');
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);
    await expect.poll(() => authenticator.credentials(), SLOW).toEqual([]);

    // A passkey removed elsewhere (here: straight from the store, as another device's account page
    // would) is still on this device. Offered by autofill, it is refused, and the page signals the
    // unknown credential, so the authenticator drops it.
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/notice=passkey_added/);
    const [second] = await server.services.store.passkeys.listForUser('demo', user.id);
    await server.services.store.passkeys.delete('demo', user.id, second!.id);
    await signOut(page, presence);
    await presence(true);
    await page.goto(`${server.baseUrl}/t/demo/login`, { waitUntil: 'commit' });
    await expect.poll(() => main(page), SLOW).toContain('That passkey is not registered here any more');
    expect(await page.locator('[data-passkey-signal]').getAttribute('data-unknown-credential')).toBe(second!.credentialId);
    await page.screenshot({ path: screenshotPath(`${engine}-passkey-04-unknown`), fullPage: true });
    await expect.poll(() => authenticator.credentials(), SLOW).toEqual([]);

    expect(cspViolations).toEqual([]);
    await context.close();
  }, 120_000);

  it('inside an app sign-in: the passkey offer after the password resumes the app sign-in, and the passkey later signs in to the app with a phishing-resistant acr', async () => {
    const email = `e2e.passkey.oidc.${engine}@example.com`;
    await makeUser(server, email);
    const REDIRECT = 'https://app.example.test/cb';
    const { app } = await makeApp(server, { name: 'Passkey App', public: true, redirectUris: [REDIRECT], oidc: { tokenEndpointAuthMethod: 'none' } });
    const config = await discover(server, app.clientId, null);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const mediations = await observeMediation(context, page);
    // The app's callback: the browser's request to it is seen (the app itself does not exist), and
    // openid-client redeems the code.
    let callback: URL | null = null;
    page.on('request', (request) => {
      if (request.url().startsWith('https://app.example.test/')) callback = new URL(request.url());
    });
    const authenticator = await addAuthenticator(context, page);
    const presence = (enabled: boolean) => authenticator.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: authenticator.id, enabled });

    async function signInToApp(params: Record<string, string>, act: () => Promise<void>) {
      callback = null;
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params });
      // With a passkey autofill may finish the sign-in while the page still loads, and the final
      // redirect goes to an app that does not exist: the navigation's own outcome is not the test.
      await page.goto(url.toString()).catch(() => undefined);
      await act();
      await expect.poll(() => callback, SLOW).not.toBeNull();
      const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: verifier, expectedNonce: nonce });
      return tokens.claims()!;
    }

    // Password at the app's sign-in page, then the offer; "Create a passkey" makes one and the
    // app's sign-in goes on where it was.
    await presence(false);
    const first = await signInToApp({}, async () => {
      await page.getByLabel(/email/i).fill(email);
      await page.getByLabel(/password/i).fill(PASSWORD);
      await expect.poll(() => page.locator('input[name="passkey_capable"]').inputValue(), SLOW).toBe('1');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/t\/demo\/passkeys\/offer/);
      await presence(true);
      await page.getByRole('button', { name: 'Create a passkey' }).click();
    });
    expect(first.amr).toEqual(['pwd']);
    expect(first.acr).toBe(ACR.password);
    expect(await authenticator.credentials()).toHaveLength(1);

    // The app asks for a fresh, phishing-resistant sign-in: the passkey (offered by autofill on
    // the app's sign-in page) gives it, and the ID token says so.
    const second = await signInToApp({ prompt: 'login', acr_values: ACR.phishingResistant }, async () => {});
    expect(mediations.at(-1)).toBe('conditional');
    expect(second.acr).toBe(ACR.phishingResistant);
    expect(second.amr).toEqual(['hwk', 'user', 'mfa']);
    await context.close();
  }, 120_000);

  it('signs up through the pages and creates a passkey right after confirming the address', async () => {
    const email = `e2e.passkey.signup.${engine}@example.com`;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const authenticator = await addAuthenticator(context, page);
    await page.goto(`${server.baseUrl}/t/demo/register`);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await page.getByRole('button', { name: /create|sign up|register/i }).click();
    await expect.poll(() => page.locator('h1').textContent(), SLOW).toMatch(/email/i);
    const [mail] = await server.mailTo(email);
    const link = linkIn(mail!.text, '/t/demo/verify');
    await page.goto(link);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await expect.poll(() => page.locator('input[name="passkey_capable"]').inputValue(), SLOW).toBe('1');
    // The person acts when they press the button (a silent conditional create would wait).
    const presence = (enabled: boolean) => authenticator.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: authenticator.id, enabled });
    await presence(false);
    await page.getByRole('button').first().click();
    // A new account on a device that can hold a passkey: the offer, before the account page.
    await page.waitForURL(/\/t\/demo\/passkeys\/offer/);
    await presence(true);
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.waitForURL(/\/t\/demo\/account\?notice=verified/);
    const user = (await server.services.store.users.findByEmail('demo', email))!;
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);
    expect(await authenticator.credentials()).toHaveLength(1);
    await expect.poll(() => main(page), SLOW).toContain('This device only');
    await context.close();
  }, 120_000);
});
