// Consent: a tenant's purposes with versioned policy texts, offered unticked at registration and on
// the account page; every choice an append-only record with its evidence; a new policy version
// asks again only where the tenant says so; apps read the state and record choices through the
// admin API; each change is audited and published as an event. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../../src/core/events/security-events.ts';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';
import { PASSWORD, register, uniqueEmail } from './flows.ts';
import * as oidc from 'openid-client';
import { authorize, discover, makeApp, makeUser, PASSWORD as OIDC_PASSWORD } from '../../support/oidc.ts';

describe.each(engines)('consent (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  const events: SecurityEvent[] = [];
  const tenant = `consent-${engine}`;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    server.services.flows.events.subscribe((event) => void events.push(event));
    expect((await api('POST', '/tenants', { id: tenant })).status).toBe(201);
    const marketing = await api('POST', `/tenants/${tenant}/consent-purposes`, {
      id: 'marketing_email',
      name: 'Marketing email',
      description: 'Send me offers and news by email.',
      policy_text: 'We send at most one email a week.\n\nYou can stop them at any time.',
    });
    expect(marketing.status).toBe(201);
    expect(marketing.body).toMatchObject({ id: 'marketing_email', version: 1, ask_again_from: 1, archived: false });
    expect((await api('POST', `/tenants/${tenant}/consent-purposes`, { id: 'analytics', name: 'Analytics', description: 'Measure how I use the apps.', policy_text: 'Pseudonymous usage statistics.' })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  const consents = async (userId: string) => (await api('GET', `/tenants/${tenant}/users/${userId}/consents`)).body;
  const state = async (userId: string) => Object.fromEntries(((await consents(userId)).current as { purpose: string; granted: boolean; ask_again: boolean }[]).map((c) => [c.purpose, c]));

  /** Registers through the page with the given boxes ticked, verifies, and ends signed in on the account page. */
  async function registerWith(ticked: string[]) {
    const email = uniqueEmail(`consent-${engine}`);
    const client = new FormClient(server.baseUrl);
    const page = await client.get(`/t/${tenant}/register`);
    // Offered, and never ticked in advance.
    expect(page.text).toContain('name="consent_marketing_email" value="1">');
    expect(page.text).toContain('name="consent_analytics" value="1">');
    expect(page.text).not.toMatch(/name="consent_[a-z_]+" value="1" checked/);
    expect(page.text).toContain('Read the policy (version');
    const form: Record<string, string> = { email, password: PASSWORD };
    for (const id of ticked) form[`consent_${id}`] = '1';
    let registered = await client.post(`/t/${tenant}/register`, form);
    if (registered.status === 403 && client.lastBotChallenge && client.solvesBotChallenges) registered = await client.post(`/t/${tenant}/register`, form);
    expect(registered.status).toBe(303);
    const [mail] = await server.mailTo(email);
    const link = new URL(linkIn(mail!.text, `/t/${tenant}/verify`));
    await client.get(link.pathname + link.search);
    expect((await client.post(`/t/${tenant}/verify`, { token: link.searchParams.get('token')!, password: PASSWORD })).status).toBe(303);
    const user = (await server.services.store.users.findByEmail(tenant, email))!;
    return { client, user, email };
  }

  it('records what was ticked at registration, with its evidence, and nothing for a box left empty', async () => {
    const { user } = await registerWith(['marketing_email']);
    const body = await consents(user.id);
    expect(body.history).toHaveLength(1);
    expect(body.history[0]).toMatchObject({ purpose: 'marketing_email', policy_version: 1, granted: true, channel: 'registration', ip: '127.0.0.1' });
    expect(body.history[0].request_id).toEqual(expect.any(String));
    expect(body.history[0].user_agent).toEqual(expect.any(String));
    expect(await state(user.id)).toMatchObject({ marketing_email: { granted: true, ask_again: false }, analytics: { granted: false, ask_again: false } });
    expect(events.filter((e) => e.userId === user.id).map((e) => [e.type, e.details.purpose])).toEqual([['consent.granted', 'marketing_email']]);
  });

  it('lets the customer change their choices on the account page; a withdrawal is a new record, never an edit', async () => {
    const { client, user } = await registerWith(['marketing_email']);
    const account = await client.get(`/t/${tenant}/account`);
    expect(account.text).toContain('name="consent_marketing_email" value="1" checked>');
    expect(account.text).toContain('name="consent_analytics" value="1">');

    const saved = await client.post(`/t/${tenant}/account/consents`, { consent_analytics: '1' });
    expect(saved.location).toBe(`/t/${tenant}/account?notice=consents_saved`);
    const body = await consents(user.id);
    expect(body.history.map((r: { purpose: string; granted: boolean; channel: string }) => [r.purpose, r.granted, r.channel])).toEqual([
      ['marketing_email', true, 'registration'],
      ['marketing_email', false, 'account'],
      ['analytics', true, 'account'],
    ]);
    expect(await state(user.id)).toMatchObject({ marketing_email: { granted: false }, analytics: { granted: true } });
    // Saving the same choices again writes nothing.
    await client.post(`/t/${tenant}/account/consents`, { consent_analytics: '1' });
    expect((await consents(user.id)).history).toHaveLength(3);
    const page = await client.get(`/t/${tenant}/account`);
    expect(page.text).toContain('id="consent-history"');
    expect(page.text).toContain('Marketing email: withdrawn (version 1)');
    const audited = (await server.services.store.audit.query({ tenantId: tenant, subject: user.id, limit: 50 })).items.map((e) => e.action);
    expect(audited).toEqual(expect.arrayContaining(['user.consent_granted', 'user.consent_withdrawn']));
    expect(events.filter((e) => e.userId === user.id).map((e) => e.type)).toEqual(['consent.granted', 'consent.withdrawn', 'consent.granted']);

    // Without a session or the form's CSRF token, nothing is recorded.
    expect((await new FormClient(server.baseUrl).post(`/t/${tenant}/account/consents`, { consent_marketing_email: '1' })).status).toBeGreaterThanOrEqual(400);
    expect((await consents(user.id)).history).toHaveLength(3);
  });

  it('asks again after a new policy version only where the tenant says so, and keeps every version', async () => {
    const { client, user } = await registerWith(['marketing_email', 'analytics']);
    const republished = await api('PATCH', `/tenants/${tenant}/consent-purposes/marketing_email`, {
      policy: { description: 'Send me offers, news and surveys by email.', policy_text: 'Now with surveys.', ask_again: true },
    });
    expect(republished.body).toMatchObject({ version: 2, ask_again_from: 2, description: 'Send me offers, news and surveys by email.' });
    expect((await api('PATCH', `/tenants/${tenant}/consent-purposes/analytics`, { policy: { description: 'Measure how I use the apps.', policy_text: 'Clarified wording.', ask_again: false } })).body).toMatchObject({ version: 2, ask_again_from: 1 });

    expect(await state(user.id)).toMatchObject({ marketing_email: { granted: false, ask_again: true }, analytics: { granted: true, ask_again: false } });
    const account = await client.get(`/t/${tenant}/account`);
    expect(account.text).toContain('We have changed this policy since you agreed.');
    expect(account.text).toContain('name="consent_marketing_email" value="1">');

    await client.post(`/t/${tenant}/account/consents`, { consent_marketing_email: '1', consent_analytics: '1' });
    const history = (await consents(user.id)).history as { purpose: string; policy_version: number; granted: boolean }[];
    expect(history.slice(-2)).toEqual([expect.objectContaining({ purpose: 'marketing_email', policy_version: 2, granted: true }), expect.objectContaining({ purpose: 'analytics', policy_version: 2, granted: true })]);
    const versions = (await api('GET', `/tenants/${tenant}/consent-purposes/marketing_email/versions`)).body.items;
    expect(versions.map((v: { version: number; policy_text: string }) => [v.version, v.policy_text])).toEqual([
      [1, 'We send at most one email a week.\n\nYou can stop them at any time.'],
      [2, 'Now with surveys.'],
    ]);
    // Later sign-ups see the current version.
    expect((await new FormClient(server.baseUrl).get(`/t/${tenant}/register`)).text).toContain('Read the policy (version 2)');
  });

  it('asks again right after the next sign-in, and tells apps the state in the consents claim', async () => {
    // A tenant of its own: the policy change here must not touch the other tests' purposes.
    const review = `review-${engine}`;
    expect((await api('POST', '/tenants', { id: review })).status).toBe(201);
    for (const id of ['news', 'surveys']) {
      expect((await api('POST', `/tenants/${review}/consent-purposes`, { id, name: id, description: `Send me ${id}.`, policy_text: 'v1' })).status).toBe(201);
    }
    const email = uniqueEmail(`review-${engine}`);
    const user = await makeUser(server, email, review);
    expect((await api('POST', `/tenants/${review}/users/${user.id}/consents`, { choices: { news: true, surveys: true } })).status).toBe(200);
    await api('PATCH', `/tenants/${review}/consent-purposes/news`, { policy: { description: 'Send me news and offers.', policy_text: 'v2: offers too', ask_again: true } });
    await api('PATCH', `/tenants/${review}/consent-purposes/surveys`, { policy: { description: 'Send me surveys.', policy_text: 'v2: shorter', ask_again: true } });

    const client = new FormClient(server.baseUrl);
    await client.get(`/t/${review}/login`);
    const signedIn = await client.post(`/t/${review}/login`, { email, password: OIDC_PASSWORD });
    expect(signedIn.location).toBe(`/t/${review}/consents/review?next=%2Ft%2F${review}%2Faccount`);
    const page = await client.get(signedIn.location!);
    expect(page.text).toContain('Our terms have changed');
    expect(page.text).toContain('v2: offers too');
    expect(page.text).toContain('name="consent_news" value="1">'); // unticked
    const saved = await client.post(`/t/${review}/consents/review`, { next: `/t/${review}/account`, consent_news: '1' });
    expect(saved.location).toBe(`/t/${review}/account`);
    const after = (await api('GET', `/tenants/${review}/users/${user.id}/consents`)).body;
    expect(Object.fromEntries(after.current.map((c: { purpose: string; granted: boolean; ask_again: boolean }) => [c.purpose, [c.granted, c.ask_again]]))).toEqual({ news: [true, false], surveys: [false, false] });
    expect(after.history.slice(-2)).toEqual([
      expect.objectContaining({ purpose: 'news', granted: true, policy_version: 2, channel: 'sign_in' }),
      expect.objectContaining({ purpose: 'surveys', granted: false, channel: 'sign_in' }),
    ]);
    // Answered: the next sign-in goes straight on.
    const again = new FormClient(server.baseUrl);
    await again.get(`/t/${review}/login`);
    expect((await again.post(`/t/${review}/login`, { email, password: OIDC_PASSWORD })).location).toBe(`/t/${review}/account`);

    // An app with the `consents` scope reads the current state.
    const { app, clientSecret } = await makeApp(server, { tenantId: review, name: 'Mailer', redirectUris: ['https://mailer.example.test/cb'], grantTypes: ['authorization_code'], firstParty: true });
    const config = await discover(server, app.clientId, clientSecret, review);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://mailer.example.test/cb', scope: 'openid consents', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'st' });
    const { callbackUrl } = await authorize(again, url, { email });
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: 'st' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(info.consents).toEqual({ news: true, surveys: false });
  });

  it('asks again after a sign-in by email code too', async () => {
    const review = `review-code-${engine}`;
    expect((await api('POST', '/tenants', { id: review, name: 'Review' })).status).toBe(201);
    expect((await api('POST', `/tenants/${review}/consent-purposes`, { id: 'news', name: 'News', description: 'Send me news.', policy_text: 'v1' })).status).toBe(201);
    const email = uniqueEmail(`review-code-${engine}`);
    const user = await makeUser(server, email, review);
    await api('POST', `/tenants/${review}/users/${user.id}/consents`, { choices: { news: true } });
    await api('PATCH', `/tenants/${review}/consent-purposes/news`, { policy: { description: 'Send me news.', policy_text: 'v2', ask_again: true } });

    const client = new FormClient(server.baseUrl);
    await client.get(`/t/${review}/login`);
    expect((await client.post(`/t/${review}/login/email`, { email })).location).toBe(`/t/${review}/login/email/code`);
    const [mail] = (await server.mailTo(email)).filter((m) => / is your Review sign-in code$/.test(m.subject));
    const code = /^(\d{6}) is your/.exec(mail!.subject)![1]!;
    const done = await client.post(`/t/${review}/login/email/code`, { code });
    expect(done.location).toBe(`/t/${review}/consents/review?next=%2Ft%2F${review}%2Faccount`);
    expect((await client.get(done.location!)).text).toContain('name="consent_news" value="1">');
  });

  it('records choices made in an app or before the move through the admin API, and refuses bad input', async () => {
    const { user } = await registerWith([]);
    expect((await consents(user.id)).history).toEqual([]);
    const imported = await api('POST', `/tenants/${tenant}/users/${user.id}/consents`, { choices: { analytics: true }, channel: 'import' });
    expect(imported.status).toBe(200);
    expect(imported.body.history).toEqual([expect.objectContaining({ purpose: 'analytics', granted: true, channel: 'import' })]);
    expect(imported.body.current).toEqual(expect.arrayContaining([expect.objectContaining({ purpose: 'analytics', granted: true })]));

    // One unknown purpose refuses the whole request: nothing of it is recorded.
    expect((await api('POST', `/tenants/${tenant}/users/${user.id}/consents`, { choices: { marketing_email: true, nonsense: true } })).body.error).toBe('consent.purpose_not_found');
    expect((await consents(user.id)).history).toHaveLength(1);
    expect((await api('POST', `/tenants/${tenant}/users/${user.id}/consents`, { choices: { analytics: 'yes' } })).status).toBe(400);
    expect((await api('POST', `/tenants/${tenant}/consent-purposes`, { id: 'Bad Id', name: 'x', description: 'x', policy_text: 'x' })).status).toBe(400);
    expect((await api('POST', `/tenants/${tenant}/consent-purposes`, { id: 'analytics', name: 'x', description: 'x', policy_text: 'x' })).status).toBe(409);
    expect((await api('PATCH', `/tenants/${tenant}/consent-purposes/nope`, { name: 'x' })).status).toBe(404);
    // Another tenant's customer is not found here.
    expect((await api('GET', `/tenants/demo/users/${user.id}/consents`)).status).toBe(404);

    // Archived: no longer offered, its records kept.
    const archived = await api('PATCH', `/tenants/${tenant}/consent-purposes/analytics`, { archived: true });
    expect(archived.body, JSON.stringify(archived.body)).toMatchObject({ archived: true });
    expect((await new FormClient(server.baseUrl).get(`/t/${tenant}/register`)).text).not.toContain('consent_analytics');
    expect((await consents(user.id)).history).toHaveLength(1);
    expect((await api('POST', `/tenants/${tenant}/users/${user.id}/consents`, { choices: { analytics: false } })).body.error).toBe('consent.purpose_not_found');
    expect((await api('PATCH', `/tenants/${tenant}/consent-purposes/analytics`, { archived: false })).status).toBe(200);
  });

  it('puts the consents with their history in the data export', async () => {
    const { user } = await registerWith(['marketing_email']);
    const exported = (await api('GET', `/tenants/${tenant}/users/${user.id}/export`)).body;
    expect(exported.consents.current).toEqual(expect.arrayContaining([expect.objectContaining({ purpose: 'marketing_email', granted: true })]));
    expect(exported.consents.history).toEqual([expect.objectContaining({ purpose: 'marketing_email', granted: true, channel: 'registration' })]);
  });
});
