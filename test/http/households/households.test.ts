// Households (shared accounts) on both engines: created for a plan that includes one; an adult
// invited by email joins once, with the invited address only, before the link expires; managed
// profiles with restrictions and PINs; switching profile (a child profile does not leave itself
// without the PIN or the account holder, PIN guesses bounded); tokens naming the acting profile and
// narrowed by it (a child profile gets no `view:mature-content`), checked with openid-client and
// jose, refreshes following a switch; the plan's bound on sessions at once and on devices offering
// the choice of signing another out; a removed member signed out everywhere; another household's
// ids not found.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, follow, issuerOf, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';
import { cliContext } from '../../../src/core/context.ts';
import { householdAdmission } from '../../../src/core/households/profile-sessions.ts';

const API = 'https://media.example/api';
const REDIRECT = 'https://tv.example/cb';
const MATURE = { all: [{ eq: [{ var: 'user.age_verified' }, true] }, { ne: [{ var: 'profile.kind' }, 'child'] }] };

describe.each(engines)('households (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let config: oidc.Configuration;
  let seq = 0;
  // Real time, moved forward on demand (a sign-in no longer recent, an invitation expiring).
  let offset = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => Date.now() + offset } } });
    api = adminApi(server);
    expect((await api('POST', '/tenants/demo/api-resources', { identifier: API, name: 'Media', scopes: [{ name: 'watch' }, { name: 'view:mature-content' }] })).status).toBe(201);
    const schema = await api('PUT', '/tenants/demo/profile-schema', { type: 'object', properties: { given_name: { type: 'string', maxLength: 100 }, age_verified: { type: 'boolean', 'x-frontdoor-editable': false } }, additionalProperties: false });
    expect(schema.status, JSON.stringify(schema.body)).toBe(200);
    const role = await api('POST', '/tenants/demo/roles', { name: 'viewer', permissions: [{ api: API, permission: 'watch' }, { api: API, permission: 'view:mature-content', condition: MATURE }] });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const settings = await api('PATCH', '/tenants/demo', {
      settings: {
        default_roles: ['viewer'],
        plans: {
          family: { household: { max_members: 1, max_profiles: 4, max_concurrent_sessions: 2 } },
          solo: { household: { max_members: 0, max_devices: 1 } },
        },
      },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body.settings.plans.family).toEqual({ household: { max_members: 1, max_profiles: 4, max_concurrent_sessions: 2 } });
    const { app, clientSecret } = await makeApp(server, { name: 'Family TV', redirectUris: [REDIRECT] });
    config = await discover(server, app.clientId, clientSecret);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function person(plan: string | null = null) {
    const email = `hh.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email, 'demo', { given_name: `Person ${seq}`, age_verified: true });
    if (plan) expect((await api('PUT', `/tenants/demo/users/${user.id}/plan`, { plan })).status).toBe(204);
    return { id: user.id, email };
  }

  async function browserFor(email: string): Promise<FormClient> {
    const browser = new FormClient(server.baseUrl);
    await browser.get('/t/demo/login');
    const signedIn = await browser.post('/t/demo/login', { email, password: PASSWORD });
    expect(signedIn.location, signedIn.text.slice(0, 500)).toBe('/t/demo/account');
    return browser;
  }

  async function household(owner: { id: string }) {
    const created = await api('POST', '/tenants/demo/households', { owner: owner.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; profiles: { id: string; user_id: string | null; kind: string }[] };
  }

  /** Posts a form of the household page (its CSRF token read from the page first). */
  async function householdPost(browser: FormClient, path: string, fields: Record<string, string> = {}): Promise<Response> {
    await browser.get('/t/demo/household');
    return browser.post(`/t/demo/household${path}`, fields);
  }

  async function invite(owner: FormClient, email: string): Promise<string> {
    const before = new Set((await server.mailTo(email)).map((m) => m.id));
    const sent = await householdPost(owner, '/invitations', { invitee: email });
    expect(sent.location).toBe('/t/demo/household?notice=household_invitation_sent');
    const mail = (await server.mailTo(email)).find((m) => !before.has(m.id));
    expect(mail?.subject).toBe('You are invited to share a household account on Demo');
    const link = new URL(linkIn(mail!.text, '/t/demo/household/invitation'));
    return link.pathname + link.search;
  }

  async function accept(browser: FormClient, link: string): Promise<Response> {
    await browser.get(link);
    return browser.post('/t/demo/household/invitation', { token: new URL(link, server.baseUrl).searchParams.get('token')! });
  }

  async function switchTo(browser: FormClient, profileId: string, pin?: string): Promise<Response> {
    await browser.get('/t/demo/household/switch');
    return browser.post('/t/demo/household/switch', { profile_id: profileId, ...(pin ? { pin } : {}) });
  }

  const jwks = () => jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
  type Claims = jose.JWTPayload & { scope?: string; profile_id?: string; profile_kind?: string; profile_name?: string; household_id?: string; profile_restrictions?: { max_age_rating: number | null; purchases: string } };
  const accessClaims = async (token: string) => (await jose.jwtVerify(token, jwks(), { issuer: issuerOf(server).toString(), audience: API, typ: 'at+jwt' })).payload as Claims;

  /** The code flow in `browser` (signed in already), answering the household picker with `pick` when it is shown. */
  async function tokensIn(browser: FormClient, pick: { profileId: string; pin?: string } | null, forApi = true) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    // Without the API: an opaque access token for userinfo.
    const params: Record<string, string> = forApi ? { scope: 'openid offline_access household watch view:mature-content', resource: API, prompt: 'consent' } : { scope: 'openid household' };
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, ...params, state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    let response = await follow(browser, await browser.get(url.pathname + url.search));
    let pickerShown = false;
    if (!response.location) {
      const form = /<form method="post" action="([^"]+\/household-profile)"/.exec(response.text);
      expect(form, response.text.slice(0, 800)).not.toBeNull();
      pickerShown = true;
      expect(pick, 'the picker was shown').not.toBeNull();
      response = await follow(browser, await browser.post(form![1]!, { profile_id: pick!.profileId, ...(pick!.pin ? { pin: pick!.pin } : {}) }));
    }
    expect(response.location, response.text.slice(0, 800)).toMatch(/^https:\/\/tv\.example\/cb\?/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(response.location!), { pkceCodeVerifier: verifier, expectedState: state });
    return { tokens, pickerShown };
  }

  it('creates a household only for a plan that has one, once per user, and finds it by member', async () => {
    const nobody = await person();
    expect((await api('POST', '/tenants/demo/households', { owner: nobody.id })).body).toMatchObject({ error: 'household.plan_required' });
    const owner = await person('family');
    const created = await household(owner);
    expect(created).toMatchObject({ id: expect.stringMatching(/^hh_/), owner_id: owner.id, members: [{ user_id: owner.id, role: 'owner' }], limits: { max_members: 1, max_profiles: 4, max_devices: null, max_concurrent_sessions: 2 } });
    expect(created.profiles).toEqual([expect.objectContaining({ user_id: owner.id, kind: 'adult', name: `Person ${seq}`, has_pin: false })]);
    expect((await api('POST', '/tenants/demo/households', { owner: owner.id })).body).toMatchObject({ error: 'household.already_member' });
    expect((await api('GET', `/tenants/demo/users/${owner.id}/household`)).body.id).toBe(created.id);
    expect((await api('GET', `/tenants/demo/users/${nobody.id}/household`)).status).toBe(404);
    // Another tenant's path does not reach it.
    expect((await api('POST', '/tenants', { id: `hh-${engine}`, name: 'Elsewhere' })).status).toBe(201);
    expect((await api('GET', `/tenants/hh-${engine}/households/${created.id}`)).status).toBe(404);
    // The owner sees the household on the page; someone outside one sees none.
    expect((await (await browserFor(owner.email)).get('/t/demo/household')).text).toContain('id="household-limits"');
    expect((await (await browserFor(nobody.email)).get('/t/demo/household')).text).toContain('does not include one');
  });

  it('an invitation joins only the invited address, verified, once, and not after it expired; the plan bounds the members', async () => {
    const owner = await person('family');
    await household(owner);
    const ownerBrowser = await browserFor(owner.email);
    const invited = await person();
    const someoneElse = await person();
    const link = await invite(ownerBrowser, invited.email);

    // Signed in as someone else: refused, and the invitation stays open.
    expect((await accept(await browserFor(someoneElse.email), link)).status).toBe(403);
    const invitedBrowser = await browserFor(invited.email);
    expect((await invitedBrowser.get(link)).text).toContain('Join the household');
    expect((await accept(invitedBrowser, link)).location).toBe('/t/demo/household?notice=household_joined');
    // Once only.
    expect((await accept(invitedBrowser, link)).status).toBe(410);
    const members = (await api('GET', `/tenants/demo/users/${owner.id}/household`)).body.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role]);
    expect(members).toEqual([[owner.id, 'owner'], [invited.id, 'adult']]);

    // The plan allows one member besides the owner: no further invitation.
    const full = await householdPost(ownerBrowser, '/invitations', { invitee: someoneElse.email });
    expect(full.status).toBe(409);
    expect(full.text).toContain('no room for another member');

    // An invitation that expired: 410.
    const other = await person('family');
    await household(other);
    const late = await invite(await browserFor(other.email), someoneElse.email);
    offset += 8 * 24 * 3600 * 1000;
    try {
      expect((await accept(await browserFor(someoneElse.email), late)).status).toBe(410);
    } finally {
      offset -= 8 * 24 * 3600 * 1000;
    }
  });

  it('switches profile: a child profile leaves itself only with the PIN or the account holder, PIN guesses bounded, and manages nothing', async () => {
    const owner = await person('family');
    const hh = await household(owner);
    const own = hh.profiles[0]!.id;
    const browser = await browserFor(owner.email);
    expect((await householdPost(browser, '/profiles', { name: 'Kid', kind: 'child', max_age_rating: '7', purchases: 'blocked' })).location).toBe('/t/demo/household?notice=household_profile_saved');
    const kid = (await api('GET', `/tenants/demo/households/${hh.id}`)).body.profiles.find((p: { name: string }) => p.name === 'Kid');
    expect(kid).toMatchObject({ kind: 'child', max_age_rating: 7, purchases: 'blocked', has_pin: false, user_id: null });
    // A PIN on the owner's own profile.
    expect((await householdPost(browser, `/profiles/${own}`, { name: 'Parent', pin: '4321' })).location).toBe('/t/demo/household?notice=household_profile_saved');

    expect((await switchTo(browser, kid.id)).location).toBe('/t/demo/household?notice=profile_switched');
    // Acting as the child: nothing in the household changes.
    expect((await householdPost(browser, '/profiles', { name: 'Sneaky', kind: 'adult' })).status).toBe(403);
    expect((await householdPost(browser, `/profiles/${kid.id}`, { name: 'Kid', kind: 'adult', max_age_rating: '', purchases: 'allowed' })).status).toBe(403);

    // Back to the parent: the PIN, bounded in guesses.
    const wrong = await switchTo(browser, own, '0000');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That PIN is not right.');
    for (let i = 0; i < 4; i += 1) expect((await switchTo(browser, own, '0000')).status).toBe(400);
    const blocked = await switchTo(browser, own, '4321');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    offset += 16 * 60 * 1000;
    try {
      expect((await switchTo(browser, own, '4321')).location).toBe('/t/demo/household?notice=profile_switched');
      // Without a PIN on the target, a child profile needs the account holder's recent sign-in.
      expect((await householdPost(browser, `/profiles/${own}`, { name: 'Parent', remove_pin: '1' })).location).toBe('/t/demo/household?notice=household_profile_saved');
      expect((await switchTo(browser, kid.id)).location).toBe('/t/demo/household?notice=profile_switched');
      expect((await switchTo(browser, own)).location).toBe(`/t/demo/account/confirm?next=${encodeURIComponent('/t/demo/household/switch')}`);
      await browser.get('/t/demo/account/confirm?next=/t/demo/household/switch');
      expect((await browser.post('/t/demo/account/confirm', { password: PASSWORD, next: '/t/demo/household/switch' })).location).toContain('/t/demo/household/switch');
      expect((await switchTo(browser, own)).location).toBe('/t/demo/household?notice=profile_switched');
    } finally {
      offset -= 16 * 60 * 1000;
    }

    // Another household's profile: not found.
    const stranger = await person('family');
    const theirs = (await household(stranger)).profiles[0]!.id;
    expect((await switchTo(browser, theirs)).status).toBe(404);
    expect((await householdPost(browser, `/profiles/${theirs}/remove`)).status).toBe(404);
  });

  it('tokens act as the profile picked in the app: a child profile gets no mature content, and a switch carries into the next refresh', async () => {
    const owner = await person('family');
    const hh = await household(owner);
    const own = hh.profiles[0]!.id;
    const kid = (await api('POST', `/tenants/demo/households/${hh.id}/profiles`, { name: 'Mia', kind: 'child', pin: null })).body;
    expect(kid).toMatchObject({ kind: 'child', max_age_rating: 12, purchases: 'blocked' });
    expect((await api('PATCH', `/tenants/demo/households/${hh.id}/profiles/${own}`, { pin: '2468' })).status).toBe(200);
    const browser = await browserFor(owner.email);

    // The app asks for `household`: "Who is using Family TV?"; the child.
    const first = await tokensIn(browser, { profileId: kid.id });
    expect(first.pickerShown).toBe(true);
    const childAccess = await accessClaims(first.tokens.access_token);
    expect(childAccess.scope?.split(' ')).toEqual(['watch']);
    expect(childAccess).toMatchObject({ household_id: hh.id, profile_id: kid.id, profile_kind: 'child', profile_restrictions: { max_age_rating: 12, purchases: 'blocked' } });
    const id = (await jose.jwtVerify(first.tokens.id_token!, jwks(), { audience: config.clientMetadata().client_id })).payload as Claims;
    expect(id).toMatchObject({ profile_id: kid.id, profile_name: 'Mia', profile_kind: 'child' });

    // The next sign-in of the app on this browser keeps the choice without asking; userinfo says it too.
    const again = await tokensIn(browser, null, false);
    expect(again.pickerShown).toBe(false);
    expect(await oidc.fetchUserInfo(config, again.tokens.access_token, id.sub!)).toMatchObject({ profile_id: kid.id, profile_name: 'Mia', profile_kind: 'child' });

    // A refresh from the child's sign-in stays the child's.
    let refreshed = await oidc.refreshTokenGrant(config, first.tokens.refresh_token!, { resource: API });
    expect((await accessClaims(refreshed.access_token)).scope?.split(' ')).toEqual(['watch']);

    // The parent takes over on the hosted page (PIN): the refresh token of that sign-in follows.
    expect((await switchTo(browser, own, '2468')).location).toBe('/t/demo/household?notice=profile_switched');
    refreshed = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, { resource: API });
    const adultAccess = await accessClaims(refreshed.access_token);
    expect(adultAccess.scope?.split(' ').sort()).toEqual(['view:mature-content', 'watch']);
    expect(adultAccess).toMatchObject({ profile_id: own, profile_kind: 'adult' });

    // select_profile=1 asks again; a wrong PIN is refused in the app's sign-in too.
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid household watch', resource: API, select_profile: '1', state: 's', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const picker = await follow(browser, await browser.get(url.pathname + url.search));
    const action = /<form method="post" action="([^"]+\/household-profile)"/.exec(picker.text)![1]!;
    expect(picker.text).toContain('Who is using Family TV?');
    const refused = await browser.post(action, { profile_id: own, pin: '1111' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('That PIN is not right.');

    // The check API decides for a profile too; one the user cannot act as is denied.
    const worker = await makeApp(server, { name: 'Media backend', redirectUris: [], grantTypes: ['client_credentials'] });
    const check = async (body: Record<string, unknown>) => {
      const response = await fetch(`${server.baseUrl}/t/demo/authz/check`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${worker.app.clientId}:${worker.clientSecret}`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      return (await response.json()) as { allowed: boolean; reason: string };
    };
    expect(await check({ subject: owner.id, action: 'view:mature-content', profile_id: own })).toMatchObject({ allowed: true });
    expect(await check({ subject: owner.id, action: 'view:mature-content', profile_id: kid.id })).toMatchObject({ allowed: false });
    const stranger = await person('family');
    const theirs = (await household(stranger)).profiles[0]!.id;
    expect(await check({ subject: owner.id, action: 'watch', profile_id: theirs })).toEqual({ allowed: false, reason: 'the user has no such household profile' });

    // The data export holds the household, its profiles and restrictions; never a PIN.
    const exported = (await api('GET', `/tenants/demo/users/${owner.id}/export`)).body.access.household;
    expect(exported).toMatchObject({ id: hh.id, role: 'owner', profiles: expect.arrayContaining([expect.objectContaining({ id: kid.id, name: 'Mia', kind: 'child', has_pin: false }), expect.objectContaining({ id: own, own: true, has_pin: true })]) });
    expect(JSON.stringify(exported)).not.toContain('argon2');
  });

  it('two sign-ins racing for the last place of the plan: one gets in, the other is offered the choice', async () => {
    const owner = await person('family');
    await household(owner);
    await browserFor(owner.email);
    const racers = [new FormClient(server.baseUrl), new FormClient(server.baseUrl)];
    for (const racer of racers) await racer.get('/t/demo/login');
    const answers = await Promise.all(racers.map((racer) => racer.post('/t/demo/login', { email: owner.email, password: PASSWORD })));
    expect(answers.map((a) => a.location).sort()).toEqual(['/t/demo/account', `/t/demo/household/limit?next=${encodeURIComponent('/t/demo/account')}`]);
    expect(await server.services.store.sessions.listActiveForUser('demo', owner.id, Date.now() + offset)).toHaveLength(2);

    // Without the password's hashing between them: five session starts at once for a household
    // with one place left (the admission takes the household's lock), exactly one gets it.
    const other = await person('family');
    await household(other);
    await browserFor(other.email);
    const tenant = (await server.services.store.tenants.get('demo'))!;
    const starts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => server.services.sessions.start('demo', other.id, cliContext, ['pwd'], { admit: householdAdmission(server.services, tenant, other.id, { hash: null, name: `racer ${i}` }) })),
    );
    expect(starts.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(starts.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as { code?: string }).code)).toEqual(Array(4).fill('household.session_limit'));
    expect(await server.services.store.sessions.listActiveForUser('demo', other.id, Date.now() + offset)).toHaveLength(2);
  });

  it('the plan bounds sessions at once: the next sign-in is offered to sign out another device, then goes on', async () => {
    const owner = await person('family');
    await household(owner);
    const member = await person();
    const ownerBrowser = await browserFor(owner.email);
    expect((await accept(await browserFor(member.email), await invite(ownerBrowser, member.email))).location).toBe('/t/demo/household?notice=household_joined');
    // Two sessions now (the owner's, the member's): the plan's bound.
    const third = new FormClient(server.baseUrl);
    await third.get('/t/demo/login');
    const held = await third.post('/t/demo/login', { email: owner.email, password: PASSWORD });
    expect(held.location).toBe(`/t/demo/household/limit?next=${encodeURIComponent('/t/demo/account')}`);
    expect((await third.get('/t/demo/account')).location).toBe('/t/demo/login');
    const choice = await third.get(held.location!);
    expect(choice.status).toBe(409);
    expect(choice.text).toContain('allows 2 devices signed in at once');
    const endForms = [...choice.text.matchAll(/action="(\/t\/demo\/household\/limit\/sessions\/[^"]+\/end)"/g)].map((m) => m[1]!);
    expect(endForms).toHaveLength(2);
    // Signing out the owner's first browser lets this sign-in through.
    const ownerSession = (await server.services.store.sessions.listActiveForUser('demo', owner.id, Date.now() + offset))[0]!;
    const done = await third.post(`/t/demo/household/limit/sessions/${ownerSession.id}/end`, { next: '/t/demo/account' });
    expect(done.location).toBe('/t/demo/account');
    expect((await third.get('/t/demo/account')).status).toBe(200);
    expect((await ownerBrowser.get('/t/demo/account')).location).toBe('/t/demo/login');
    // A session of another household cannot be ended from here, nor without a held sign-in.
    const outsider = await person();
    const outsiderSession = (await browserFor(outsider.email), (await server.services.store.sessions.listActiveForUser('demo', outsider.id, Date.now() + offset))[0]!);
    expect((await third.post(`/t/demo/household/limit/sessions/${outsiderSession.id}/end`, { next: '/t/demo/account' })).status).toBe(400);
  });

  it('the plan bounds devices: a new device is offered to remove another; the owner removes members, who are signed out', async () => {
    const owner = await person('solo');
    await household(owner);
    const first = await browserFor(owner.email);
    const second = new FormClient(server.baseUrl);
    await second.get('/t/demo/login');
    const held = await second.post('/t/demo/login', { email: owner.email, password: PASSWORD });
    expect(held.location).toBe(`/t/demo/household/limit?next=${encodeURIComponent('/t/demo/account')}`);
    const choice = await second.get(held.location!);
    expect(choice.text).toContain('allows 1 devices');
    const remove = /action="(\/t\/demo\/household\/limit\/devices\/[^"]+\/remove)"/.exec(choice.text)![1]!;
    expect((await second.post(remove, { next: '/t/demo/account' })).location).toBe('/t/demo/account');
    // The removed device's session ended with it.
    expect((await first.get('/t/demo/account')).location).toBe('/t/demo/login');

    // Removing a member signs them out and ends what apps hold for them.
    const family = await person('family');
    await household(family);
    const familyBrowser = await browserFor(family.email);
    const member = await person();
    const memberBrowser = await browserFor(member.email);
    expect((await accept(memberBrowser, await invite(familyBrowser, member.email))).location).toBe('/t/demo/household?notice=household_joined');
    const { tokens } = await tokensIn(memberBrowser, null);
    expect((await householdPost(familyBrowser, `/members/${member.id}/remove`)).location).toBe('/t/demo/household?notice=household_member_removed');
    expect((await memberBrowser.get('/t/demo/account')).location).toBe('/t/demo/login');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: API })).rejects.toThrow();
    // Only the owner removes; a member of another household is not found.
    expect((await householdPost(familyBrowser, `/members/${owner.id}/remove`)).status).toBe(404);
  });
});
