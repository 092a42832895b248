// A family sharing one account, in a real browser: the owner adds a child profile and invites a
// member by email; the member opens the link, signs in and joins; signing in to the family's app,
// the member picks the child profile in "Who is using…?", and the app's access token (checked with
// jose against the JWKS) names the child and lacks `view:mature-content`; with four sessions of the
// household signed in (the plan's bound), a fifth sign-in is offered to sign another device out,
// and goes on once one is.
import { existsSync } from 'node:fs';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botChallengesSettled, CHROMIUM_PATH, launchChromium, screenshotPath } from '../support/browser.ts';
import { engines } from '../support/engines.ts';
import { discover, issuerOf, makeApp, makeUser, PASSWORD } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(CHROMIUM_PATH) && REQUIRE) throw new Error(`Chromium is required at ${CHROMIUM_PATH} (apt-get install chromium)`);
const browserEngines = existsSync(CHROMIUM_PATH) ? engines : [];

const API = 'https://media.example.test/api';
const CALLBACK = 'https://tv.example.test/cb';
const MATURE = { all: [{ eq: [{ var: 'user.age_verified' }, true] }, { ne: [{ var: 'profile.kind' }, 'child'] }] };

describe.each(browserEngines)('a household in Chromium (%s)', (engine) => {
  let server: TestServer;
  let browser: Browser;
  let tv: oidc.Configuration;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}/admin/api/v1/tenants/demo${path}`, { method, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    server = await startTestServer(engine);
    browser = await launchChromium();
    expect((await admin('POST', '/api-resources', { identifier: API, name: 'Media', scopes: [{ name: 'watch' }, { name: 'view:mature-content' }] })).status).toBe(201);
    expect((await admin('PUT', '/profile-schema', { type: 'object', properties: { given_name: { type: 'string', maxLength: 100 }, age_verified: { type: 'boolean', 'x-frontdoor-editable': false } }, additionalProperties: false })).status).toBe(200);
    expect((await admin('POST', '/roles', { name: 'viewer', permissions: [{ api: API, permission: 'watch' }, { api: API, permission: 'view:mature-content', condition: MATURE }] })).status).toBe(201);
    expect((await admin('PATCH', '', { settings: { default_roles: ['viewer'], plans: { family: { household: { max_members: 3, max_profiles: 6, max_concurrent_sessions: 4 } } } } })).status).toBe(200);
    const { app, clientSecret } = await makeApp(server, { name: 'Family TV', redirectUris: [CALLBACK] });
    tv = await discover(server, app.clientId, clientSecret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    // The family's app is not running here: its callback answers with a blank page.
    await context.route('https://tv.example.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'Family TV' }));
    return { context, page: await context.newPage() };
  }

  async function signIn(page: Page, email: string) {
    await page.goto(`${server.baseUrl}/t/demo/login`);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await botChallengesSettled(page);
    await page.getByRole('button', { name: /^sign in$/i }).click();
  }

  it('owner invites, member joins, picks the child profile in the app, and a fifth session is offered the choice', async () => {
    const owner = await makeUser(server, `owner.hh.${engine}@example.com`, 'demo', { given_name: 'Olivia', age_verified: true });
    const member = await makeUser(server, `member.hh.${engine}@example.com`, 'demo', { given_name: 'Max', age_verified: true });
    expect((await admin('PUT', `/users/${owner.id}/plan`, { plan: 'family' })).status).toBe(204);

    // The owner starts the household, adds a child profile and invites the member.
    const a = await newPage();
    await signIn(a.page, owner.email);
    await a.page.waitForURL(/\/t\/demo\/account/);
    await a.page.getByRole('link', { name: 'Household and profiles' }).click();
    await a.page.getByRole('button', { name: 'Start a household' }).click();
    await a.page.waitForURL(/notice=household_created/);
    await a.page.locator('summary', { hasText: 'Add a profile' }).click();
    await a.page.locator('#new-name').fill('Mia');
    await a.page.locator('#new-kind').selectOption('child');
    await a.page.locator('#new-rating').fill('12');
    await a.page.locator('#new-purchases').selectOption('blocked');
    await a.page.getByRole('button', { name: 'Add a profile' }).click();
    await a.page.waitForURL(/notice=household_profile_saved/);
    expect(await a.page.locator('#profiles').textContent()).toContain('Mia');
    await a.page.getByLabel('Invite someone by email').fill(member.email);
    await a.page.getByRole('button', { name: 'Send the invitation' }).click();
    await a.page.waitForURL(/notice=household_invitation_sent/);
    await a.page.screenshot({ path: screenshotPath(`household-owner-${engine}`), fullPage: true });

    // The member opens the mailed link, signs in, opens it again and joins.
    const b = await newPage();
    await b.page.goto(`${server.baseUrl}/dev/mailbox`);
    const link = await b.page.locator('article.fd-mail').filter({ hasText: member.email }).locator('a[href*="/household/invitation"]').first().getAttribute('href');
    expect(link).toBeTruthy();
    await b.page.goto(link!);
    expect(await b.page.textContent('main')).toContain('Sign in with');
    await signIn(b.page, member.email);
    await b.page.waitForURL(/\/t\/demo\/account/);
    await b.page.goto(link!);
    await b.page.getByRole('button', { name: 'Join the household' }).click();
    await b.page.waitForURL(/notice=household_joined/);
    expect(await b.page.locator('#members').textContent()).toContain(owner.email);

    // Signing in to the family's app: "Who is using Family TV?" — the child.
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(tv, { redirect_uri: CALLBACK, scope: 'openid household watch view:mature-content', resource: API, state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    await b.page.goto(url.toString());
    await b.page.getByRole('heading', { name: 'Who is using Family TV?' }).waitFor();
    await b.page.screenshot({ path: screenshotPath(`household-picker-${engine}`), fullPage: true });
    await b.page.getByRole('button', { name: 'Use the profile Mia' }).click();
    await b.page.waitForURL(/^https:\/\/tv\.example\.test\/cb\?/);
    const tokens = await oidc.authorizationCodeGrant(tv, new URL(b.page.url()), { pkceCodeVerifier: verifier, expectedState: state });
    const { payload } = await jose.jwtVerify(tokens.access_token, jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`)), { issuer: issuerOf(server).toString(), audience: API, typ: 'at+jwt' });
    expect(payload.scope).toBe('watch');
    expect(payload).toMatchObject({ profile_kind: 'child', profile_restrictions: { max_age_rating: 12, purchases: 'blocked' } });
    const idToken = (await jose.jwtVerify(tokens.id_token!, jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`)), { audience: tv.clientMetadata().client_id })).payload;
    expect(idToken).toMatchObject({ sub: member.id, profile_name: 'Mia', profile_id: payload.profile_id });

    // Two more of the household's sessions reach the plan's four at once; a fifth waits for a choice.
    const c = await newPage();
    await signIn(c.page, owner.email);
    await c.page.waitForURL(/\/t\/demo\/account/);
    const d = await newPage();
    await signIn(d.page, member.email);
    await d.page.waitForURL(/\/t\/demo\/account/);
    const e = await newPage();
    await signIn(e.page, owner.email);
    await e.page.waitForURL(/\/t\/demo\/household\/limit/);
    await e.page.getByRole('heading', { name: 'Too many devices signed in' }).waitFor();
    expect(await e.page.locator('[role="alert"]').textContent()).toContain('allows 4 devices signed in at once');
    expect(await e.page.locator('#household-choices li').count()).toBe(4);
    // Each session says who is on it: the profile it acts as (the member's sign-in to the app: Mia).
    expect(await e.page.locator('#household-choices').textContent()).toContain('Mia');
    await e.page.screenshot({ path: screenshotPath(`household-limit-${engine}`), fullPage: true });
    // Not signed in meanwhile.
    const waiting = await e.context.newPage();
    await waiting.goto(`${server.baseUrl}/t/demo/account`);
    await waiting.waitForURL(/\/t\/demo\/login/);
    await waiting.close();

    // Sign out C's session (the oldest-seen of the owner's is last in the list; pick C's by its row).
    const sessionsOfOwner = await server.services.store.sessions.listActiveForUser('demo', owner.id, Date.now());
    const cSession = sessionsOfOwner.sort((x, y) => x.createdAt - y.createdAt)[1]!;
    await e.page.locator(`form[action$="/sessions/${cSession.id}/end"] button`).click();
    await e.page.waitForURL(/\/t\/demo\/account/);
    expect(await e.page.getByRole('heading', { level: 1 }).textContent()).toBeTruthy();
    await c.page.goto(`${server.baseUrl}/t/demo/account`);
    await c.page.waitForURL(/\/t\/demo\/login/);
    // A and B are still signed in.
    await a.page.goto(`${server.baseUrl}/t/demo/account`);
    expect(a.page.url()).toContain('/t/demo/account');

    for (const p of [a, b, c, d, e]) await p.context.close();
  });
});
