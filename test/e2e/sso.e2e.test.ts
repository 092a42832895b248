// Single sign-on in a real browser: the demo app (A, served by Frontdoor at /demo-app) and a
// second relying party (B, on its own origin) of tenant `demo`. Signing in to A signs the browser
// in to B without a prompt; signing out of A ends the session, B's back-channel logout endpoint
// receives a verified logout token and its front-channel logout URI is loaded in a frame.
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { JWTPayload } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '../../src/core/apps/app-admin.ts';
import { cliContext } from '../../src/core/context.ts';
import { demoRedirectUris, registerDemoRelyingParty } from '../../src/demo/relying-party.ts';
import { CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { issuerOf, makeUser, PASSWORD } from '../support/oidc.ts';
import { freePort, startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

describe.each(browserEngines)('single sign-on across two apps in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  let appB: FastifyInstance;
  let appBUrl: string;
  const logoutsAtB: JWTPayload[] = [];
  const frontchannelAtB: Record<string, string>[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
    // App B: another origin (127.0.0.1 instead of localhost), its own client of tenant demo.
    const port = await freePort();
    appBUrl = `http://127.0.0.1:${port}/app-b`;
    const uris = demoRedirectUris(appBUrl);
    const { app } = await createApplication(
      server.services,
      {
        tenantId: 'demo',
        name: 'App B',
        public: true,
        redirectUris: [uris.redirectUri],
        postLogoutRedirectUris: [uris.postLogoutRedirectUri],
        oidc: { tokenEndpointAuthMethod: 'none', backchannelLogoutUri: uris.backchannelLogoutUri, frontchannelLogoutUri: `${appBUrl}/frontchannel-logout` },
      },
      cliContext,
    );
    appB = Fastify();
    await appB.register(fastifyCookie);
    await appB.register(fastifyFormbody);
    // B's front-channel logout endpoint: Frontdoor's signed-out page loads it in a hidden frame.
    appB.get('/app-b/frontchannel-logout', async (request) => {
      frontchannelAtB.push(request.query as Record<string, string>);
      return 'signed out';
    });
    registerDemoRelyingParty(appB, { basePath: '/app-b', publicUrl: appBUrl, issuer: issuerOf(server).toString(), clientId: app.clientId, title: 'App B', onBackchannelLogout: (claims) => logoutsAtB.push(claims) });
    await appB.listen({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await browser?.close();
    await appB?.close();
    await server?.close();
  });

  it('signs in to app A, lands signed in at app B without a prompt, and signing out of A logs B out', async () => {
    const email = `sso.${engine}@example.test`;
    const user = await makeUser(server, email);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();

    // App A: the demo app Frontdoor serves.
    await page.goto(`${server.baseUrl}/demo-app/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/t\/demo\/interaction\//);
    await page.screenshot({ path: screenshotPath(`${engine}-sso-01-login`), fullPage: true });
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.baseUrl}/demo-app/`);
    const claimsA = JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as Record<string, unknown>;
    expect(claimsA.sub).toBe(user.id);
    expect(JSON.parse((await page.locator('#userinfo').textContent()) ?? '{}')).toMatchObject({ email });
    await page.screenshot({ path: screenshotPath(`${engine}-sso-02-app-a`), fullPage: true });

    // App B: one click, no password.
    await page.goto(`${appBUrl}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${appBUrl}/`);
    const claimsB = JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as Record<string, unknown>;
    expect(claimsB.sub).toBe(user.id);
    await page.screenshot({ path: screenshotPath(`${engine}-sso-03-app-b`), fullPage: true });

    // Sign out of A: confirm at Frontdoor, come back to A signed out.
    await page.goto(`${server.baseUrl}/demo-app/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/t\/demo\/oidc\/session\/end/);
    await page.screenshot({ path: screenshotPath(`${engine}-sso-04-logout-confirm`), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The signed-out page loads B's front-channel logout URI in a frame (allowed by its CSP), then
    // goes on to A by itself.
    await expect.poll(() => frontchannelAtB.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(frontchannelAtB[0]).toEqual({ iss: issuerOf(server).toString(), sid: claimsB.sid });
    await page.waitForURL(`${server.baseUrl}/demo-app/`);
    await expect(page.getByRole('button', { name: 'Sign in', exact: true }).count()).resolves.toBe(1);

    // B was told over the back channel, for this user and session.
    await expect.poll(() => logoutsAtB.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(logoutsAtB[0]).toMatchObject({ sub: user.id, sid: claimsB.sid });
    await page.goto(`${appBUrl}/`);
    await expect(page.locator('#notice').count()).resolves.toBe(1);

    // And the Frontdoor session is over: signing in to B again asks for the password.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/t\/demo\/interaction\//);
    await expect(page.getByLabel(/password/i).count()).resolves.toBe(1);
    await context.close();
  });
});
