// Organizations through the admin API, on both engines: created with a first owner, members with
// their roles there, an owner always kept (also when two removals race), bad input refused, another
// organization's or tenant's ids not found, memberships in the data export and gone with the user;
// and signing in to an app for one of them (`organization`), its tokens naming it (org_id, org_roles),
// checked with openid-client and jose.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, issuerOf, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { linkIn } from '../../support/client.ts';
import { signIn as pageSignIn } from '../self-service/flows.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

describe.each(engines)('organizations (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let seq = 0;
  // Real time, moved forward on demand (an invitation expiring).
  let offset = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => Date.now() + offset } } });
    api = adminApi(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function user(tenant = 'demo'): Promise<string> {
    const created = await api('POST', `/tenants/${tenant}/users`, { email: `org.${engine}.${++seq}@example.com`, email_verified: true });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  it('creates an organization with its first owner, adds members with roles, and lists both ways', async () => {
    const [owner, alice] = [await user(), await user()];
    const created = await api('POST', '/tenants/demo/organizations', { name: 'Acme Corp', owner, settings: { require_mfa: true, join_domains: ['Acme.example'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^org_/), name: 'Acme Corp', settings: { require_mfa: true, join_domains: ['acme.example'] } });
    const org = created.body.id as string;

    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${alice}`, { roles: ['member', 'billing'] })).body).toMatchObject({ user_id: alice, roles: ['billing', 'member'] });
    const members = (await api('GET', `/tenants/demo/organizations/${org}/members`)).body.items;
    expect(members.map((m: { user_id: string; roles: string[] }) => [m.user_id, m.roles]).sort()).toEqual([[alice, ['billing', 'member']], [owner, ['owner']]].sort());
    expect((await api('GET', `/tenants/demo/users/${alice}/organizations`)).body.items).toEqual([{ organization: expect.objectContaining({ id: org, name: 'Acme Corp' }), roles: ['billing', 'member'] }]);
    expect((await api('GET', `/tenants/demo/users/${alice}/export`)).body.access.organizations).toEqual([{ id: org, name: 'Acme Corp', roles: ['billing', 'member'], joined_at: expect.any(String) }]);
    const listed = await api('GET', '/tenants/demo/organizations?limit=200');
    expect(listed.body.items.map((o: { id: string }) => o.id)).toContain(org);
    expect((await api('GET', '/tenants/demo/audit?action=admin.organization_member_set')).body.items.length).toBeGreaterThan(0);

    // Deleting the user removes the membership.
    expect((await api('DELETE', `/tenants/demo/users/${alice}`)).status).toBe(204);
    expect((await api('GET', `/tenants/demo/organizations/${org}/members`)).body.items.map((m: { user_id: string }) => m.user_id)).toEqual([owner]);
  });

  it('always keeps an owner, even when two removals race', async () => {
    const [first, second] = [await user(), await user()];
    const org = (await api('POST', '/tenants/demo/organizations', { name: 'Owners Ltd', owner: first })).body.id as string;
    expect((await api('DELETE', `/tenants/demo/organizations/${org}/members/${first}`)).body).toMatchObject({ error: 'organization.last_owner' });
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${first}`, { roles: ['admin'] })).status).toBe(409);
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${second}`, { roles: ['owner'] })).status).toBe(200);
    const statuses = (await Promise.all([api('DELETE', `/tenants/demo/organizations/${org}/members/${first}`), api('DELETE', `/tenants/demo/organizations/${org}/members/${second}`)])).map((r) => r.status).sort();
    expect(statuses).toEqual([204, 409]);
    const left = (await api('GET', `/tenants/demo/organizations/${org}/members`)).body.items;
    expect(left).toHaveLength(1);
    expect(left[0].roles).toEqual(['owner']);
  });

  it('refuses bad input, and finds nothing of another organization or tenant', async () => {
    const owner = await user();
    const org = (await api('POST', '/tenants/demo/organizations', { name: 'Here Inc', owner })).body.id as string;
    const other = (await api('POST', '/tenants/demo/organizations', { name: 'There Inc', owner })).body.id as string;
    const stranger = await user();
    expect((await api('POST', '/tenants/demo/organizations', { name: 'X', owner: 'usr_nobody' })).status).toBe(404);
    expect((await api('POST', '/tenants/demo/organizations', { name: 'X', owner, settings: { join_domains: ['not a domain'] } })).status).toBe(400);
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${stranger}`, { roles: ['Not Valid'] })).status).toBe(400);
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${stranger}`, { roles: [] })).status).toBe(400);
    // A member of one organization is not one of another.
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${stranger}`, { roles: ['member'] })).status).toBe(200);
    expect((await api('DELETE', `/tenants/demo/organizations/${other}/members/${stranger}`)).body).toMatchObject({ error: 'organization.member_not_found' });
    // Another tenant: neither its organizations nor its users through this one.
    expect((await api('POST', '/tenants', { id: `orgs-${engine}`, name: 'Elsewhere' })).status).toBe(201);
    const foreignUser = await user(`orgs-${engine}`);
    expect((await api('GET', `/tenants/orgs-${engine}/organizations/${org}`)).status).toBe(404);
    expect((await api('PUT', `/tenants/demo/organizations/${org}/members/${foreignUser}`, { roles: ['member'] })).status).toBe(404);
    expect((await api('PUT', `/tenants/orgs-${engine}/organizations/${org}/members/${foreignUser}`, { roles: ['member'] })).status).toBe(404);
  });

  it('signs in to an app for one of the user’s organizations: the tokens name it, another is refused', async () => {
    const API = `https://org-api.${engine}.example`;
    const REDIRECT = 'https://org-app.example/cb';
    expect((await api('POST', '/tenants/demo/api-resources', { identifier: API, name: 'Org API', scopes: [{ name: 'read:things' }] })).status).toBe(201);
    const reader = await api('POST', '/tenants/demo/roles', { name: `org-reader-${engine}`, permissions: [{ api: API, permission: 'read:things' }] });
    const member = await makeUser(server, `org.signin.${engine}@example.com`);
    await api('PUT', `/tenants/demo/users/${member.id}/roles/${reader.body.id}`);
    const mine = (await api('POST', '/tenants/demo/organizations', { name: 'Mine', owner: member.id })).body.id as string;
    const notMine = (await api('POST', '/tenants/demo/organizations', { name: 'Not mine', owner: await user() })).body.id as string;
    const { app, clientSecret } = await makeApp(server, { name: 'Org app', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const jwks = jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
    const browser = new FormClient(server.baseUrl);
    const signIn = async (organization?: string) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid offline_access read:things', resource: API, prompt: 'consent', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...(organization ? { organization } : {}) });
      const { callbackUrl } = await authorize(browser, url, { email: member.email, consent: 'allow' });
      return { callbackUrl: callbackUrl!, verifier, state };
    };

    const first = await signIn(mine);
    const tokens = await oidc.authorizationCodeGrant(config, first.callbackUrl, { pkceCodeVerifier: first.verifier, expectedState: first.state });
    const id = (await jose.jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    expect(id).toMatchObject({ org_id: mine, org_roles: ['owner'] });
    const access = (await jose.jwtVerify(tokens.access_token, jwks, { audience: API, typ: 'at+jwt' })).payload;
    expect(access).toMatchObject({ org_id: mine, org_roles: ['owner'], scope: 'read:things' });

    // An organization the user is not a member of: the app gets access_denied, and nothing changes.
    const refused = await signIn(notMine);
    expect(refused.callbackUrl.searchParams.get('error')).toBe('access_denied');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: API });
    expect((await jose.jwtVerify(refreshed.access_token, jwks, { audience: API })).payload.org_id).toBe(mine);

    // Signing in without one: the app's tokens name none from then on.
    const plain = await signIn();
    const plainTokens = await oidc.authorizationCodeGrant(config, plain.callbackUrl, { pkceCodeVerifier: plain.verifier, expectedState: plain.state });
    expect((await jose.jwtVerify(plainTokens.id_token!, jwks, { audience: app.clientId })).payload.org_id).toBeUndefined();
  });

  it('a role held within an organization grants its permissions only in tokens and checks for that organization', async () => {
    const API = `https://org-billing.${engine}.example`;
    const REDIRECT = 'https://org-billing-app.example/cb';
    expect((await api('POST', '/tenants/demo/api-resources', { identifier: API, name: 'Billing API', scopes: [{ name: 'read:invoices' }, { name: 'pay:invoices' }] })).status).toBe(201);
    const roleName = `org-billing-${engine}`;
    expect((await api('POST', '/tenants/demo/roles', { name: roleName, permissions: [{ api: API, permission: 'pay:invoices' }] })).status).toBe(201);
    const member = await makeUser(server, `org.billing.${engine}@example.com`);
    const owner = await user();
    const acme = (await api('POST', '/tenants/demo/organizations', { name: 'Billing Acme', owner })).body.id as string;
    const other = (await api('POST', '/tenants/demo/organizations', { name: 'Billing Other', owner })).body.id as string;
    expect((await api('PUT', `/tenants/demo/organizations/${acme}/members/${member.id}`, { roles: ['member', roleName] })).status).toBe(200);
    expect((await api('PUT', `/tenants/demo/organizations/${other}/members/${member.id}`, { roles: ['member'] })).status).toBe(200);
    const { app, clientSecret } = await makeApp(server, { name: 'Billing app', redirectUris: [REDIRECT], oidc: { accessTokenClaims: ['roles', 'permissions'] } });
    const config = await discover(server, app.clientId, clientSecret);
    const jwks = jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
    const browser = new FormClient(server.baseUrl);
    const accessFor = async (organization?: string) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid offline_access pay:invoices', resource: API, prompt: 'consent', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...(organization ? { organization } : {}) });
      const { callbackUrl } = await authorize(browser, url, { email: member.email, consent: 'allow' });
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
      return { tokens, claims: (await jose.jwtVerify(tokens.access_token, jwks, { audience: API, typ: 'at+jwt' })).payload as jose.JWTPayload & { scope?: string; roles?: string[]; permissions?: string[] } };
    };
    const inAcme = await accessFor(acme);
    expect(inAcme.claims).toMatchObject({ org_id: acme, scope: 'pay:invoices', permissions: ['pay:invoices'] });
    expect(inAcme.claims.roles).toContain(roleName);
    // The refresh of that sign-in keeps it; in the other organization, or in none, it is not held.
    expect((await jose.jwtVerify((await oidc.refreshTokenGrant(config, inAcme.tokens.refresh_token!, { resource: API })).access_token, jwks, { audience: API })).payload.scope).toBe('pay:invoices');
    expect((await accessFor(other)).claims.scope ?? '').toBe('');
    expect((await accessFor()).claims.scope ?? '').toBe('');

    const worker = await makeApp(server, { name: 'Billing backend', redirectUris: [], grantTypes: ['client_credentials'] });
    const check = async (body: Record<string, unknown>) =>
      (await (await fetch(`${server.baseUrl}/t/demo/authz/check`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${worker.app.clientId}:${worker.clientSecret}`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { allowed: boolean; reason: string };
    expect(await check({ subject: member.id, action: 'pay:invoices', organization_id: acme })).toMatchObject({ allowed: true, role: roleName });
    expect((await check({ subject: member.id, action: 'pay:invoices', organization_id: other })).allowed).toBe(false);
    expect((await check({ subject: member.id, action: 'pay:invoices' })).allowed).toBe(false);
    expect(await check({ subject: owner, action: 'pay:invoices', organization_id: other })).toMatchObject({ allowed: false });
    expect(await check({ subject: (await user()), action: 'pay:invoices', organization_id: acme })).toEqual({ allowed: false, reason: 'the user is not a member of that organization' });
  });

  it('invites by email: the link joins only the invited address, once, before it expires or is withdrawn', async () => {
    const owner = await user();
    const org = (await api('POST', '/tenants/demo/organizations', { name: 'Invites & Co', owner })).body.id as string;
    const invitedEmail = `invited.${engine}@example.com`;
    const invited = await makeUser(server, invitedEmail);
    const someoneElse = await makeUser(server, `someone.${engine}@example.com`);
    const seen = new Set<string>();
    const invite = async (email: string) => {
      const created = await api('POST', `/tenants/demo/organizations/${org}/invitations`, { email, roles: ['admin'] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const fresh = (await server.mailTo(invitedEmail)).filter((m) => !seen.has(m.id));
      expect(fresh).toHaveLength(1);
      const mail = fresh[0]!;
      seen.add(mail.id);
      expect(mail.subject).toBe('You are invited to join Invites & Co on Demo');
      return { id: created.body.id as string, link: new URL(linkIn(mail.text, '/t/demo/invitation')) };
    };
    const first = await invite(invitedEmail.toUpperCase());
    expect((await api('GET', `/tenants/demo/organizations/${org}/invitations`)).body.items.map((i: { email: string }) => i.email)).toEqual([invitedEmail]);
    const path = first.link.pathname + first.link.search;

    // Not signed in: sign in first, with the (masked) address.
    const anonymous = await new FormClient(server.baseUrl).get(path);
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).toContain('i***@example.com');
    // Signed in with another address: it is not theirs to take.
    const { client: other } = await pageSignIn(server, 'demo', someoneElse.email, PASSWORD);
    expect((await other.get(path)).text).toContain('This invitation is for i***@example.com');
    expect((await other.post('/t/demo/invitation', { token: first.link.searchParams.get('token')! })).status).toBe(403);
    expect((await api('GET', `/tenants/demo/organizations/${org}/members`)).body.items.map((m: { user_id: string }) => m.user_id)).not.toContain(someoneElse.id);
    // The invited address joins, once.
    const { client: mine } = await pageSignIn(server, 'demo', invitedEmail, PASSWORD);
    expect((await mine.get(path)).text).toContain('Join Invites &amp; Co');
    const joined = await mine.post('/t/demo/invitation', { token: first.link.searchParams.get('token')! });
    expect(joined.location).toBe('/t/demo/account?notice=invitation_accepted');
    expect((await api('GET', `/tenants/demo/users/${invited.id}/organizations`)).body.items).toEqual([{ organization: expect.objectContaining({ id: org }), roles: ['admin'] }]);
    expect((await mine.post('/t/demo/invitation', { token: first.link.searchParams.get('token')! })).status).toBe(410);
    expect((await mine.get(path)).status).toBe(410);

    // Expired after seven days.
    const second = await invite(invitedEmail);
    offset = 7 * 86_400_000 + 1000;
    try {
      expect((await new FormClient(server.baseUrl).get(second.link.pathname + second.link.search)).status).toBe(410);
    } finally {
      offset = 0;
    }
    // Withdrawn.
    const third = await invite(invitedEmail);
    expect((await api('DELETE', `/tenants/demo/organizations/${org}/invitations/${third.id}`)).status).toBe(204);
    expect((await new FormClient(server.baseUrl).get(third.link.pathname + third.link.search)).status).toBe(410);
    expect((await api('POST', `/tenants/demo/organizations/${org}/invitations`, { email: 'not an address' })).status).toBe(400);
  });

  it('lets a verified address at a join domain join from the account page, and no one else', async () => {
    const owner = await user();
    const org = (await api('POST', '/tenants/demo/organizations', { name: `Domain Org ${engine}`, owner, settings: { join_domains: [`corp-${engine}.example`] } })).body.id as string;
    const employee = await makeUser(server, `worker@corp-${engine}.example`);
    const outsider = await makeUser(server, `outsider.${engine}@elsewhere.example`);
    const { client: staff } = await pageSignIn(server, 'demo', employee.email, PASSWORD);
    const page = await staff.get('/t/demo/account');
    expect(page.text).toContain(`Join Domain Org ${engine}`);
    const joined = await staff.post(`/t/demo/account/organizations/${org}/join`, {});
    expect(joined.location).toBe('/t/demo/account?notice=organization_joined');
    expect((await api('GET', `/tenants/demo/users/${employee.id}/organizations`)).body.items).toEqual([{ organization: expect.objectContaining({ id: org }), roles: ['member'] }]);
    const after = await staff.get('/t/demo/account');
    expect(after.text).not.toContain(`Join Domain Org ${engine}`);
    expect(after.text).toContain('(member)');

    // Another domain: not offered, and posting the id anyway changes nothing.
    const { client: other } = await pageSignIn(server, 'demo', outsider.email, PASSWORD);
    expect((await other.get('/t/demo/account')).text).not.toContain(`Domain Org ${engine}`);
    await other.get('/t/demo/account');
    expect((await other.post(`/t/demo/account/organizations/${org}/join`, {})).status).toBe(404);
    expect((await api('GET', `/tenants/demo/users/${outsider.id}/organizations`)).body.items).toEqual([]);

    // The domain taken off the organization: no one joins by it any more.
    await api('PATCH', `/tenants/demo/organizations/${org}`, { settings: { join_domains: [] } });
    const late = await makeUser(server, `late@corp-${engine}.example`);
    const { client: lateClient } = await pageSignIn(server, 'demo', late.email, PASSWORD);
    expect((await lateClient.get('/t/demo/account')).text).not.toContain(`Join Domain Org ${engine}`);
  });

  it("lets an organization's owners and admins manage its members on the account page, and nothing of another organization", async () => {
    const people = Object.fromEntries(await Promise.all(['owner', 'admin', 'member', 'otherOwner', 'otherMember'].map(async (who) => [who, await makeUser(server, `${who.toLowerCase()}.portal.${engine}@example.com`)] as const)));
    const a = (await api('POST', '/tenants/demo/organizations', { name: `Portal A ${engine}`, owner: people.owner!.id })).body.id as string;
    const b = (await api('POST', '/tenants/demo/organizations', { name: `Portal B ${engine}`, owner: people.otherOwner!.id })).body.id as string;
    await api('PUT', `/tenants/demo/organizations/${a}/members/${people.admin!.id}`, { roles: ['admin'] });
    await api('PUT', `/tenants/demo/organizations/${a}/members/${people.member!.id}`, { roles: ['member'] });
    await api('PUT', `/tenants/demo/organizations/${b}/members/${people.otherMember!.id}`, { roles: ['member'] });
    const session = async (who: string) => (await pageSignIn(server, 'demo', people[who]!.email, PASSWORD)).client;
    const admin = await session('admin');

    // The admin manages A: the members with their addresses.
    const account = await admin.get('/t/demo/account');
    expect(account.text).toContain(`href="/t/demo/account/organizations/${a}"`);
    const pageA = await admin.get(`/t/demo/account/organizations/${a}`);
    expect(pageA.status).toBe(200);
    for (const who of ['owner', 'admin', 'member']) expect(pageA.text).toContain(people[who]!.email);
    // Nothing of B, by any of its ids, through any route.
    expect((await admin.get(`/t/demo/account/organizations/${b}`)).status).toBe(404);
    expect((await admin.post(`/t/demo/account/organizations/${b}/members/${people.otherMember!.id}/role`, { role: 'admin' })).status).toBe(404);
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${a}/members/${people.otherMember!.id}/role`, { role: 'admin' })).status).toBe(404);
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${b}/members/${people.otherMember!.id}/remove`, {})).status).toBe(404);
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${b}/invitations`, { invitee: 'x@example.com', role: 'member' })).status).toBe(404);
    expect((await api('GET', `/tenants/demo/organizations/${b}/members`)).body.items.map((m: { user_id: string; roles: string[] }) => m.roles)).toEqual(expect.arrayContaining([['owner'], ['member']]));

    // An admin makes a member admin, but cannot make or unmake an owner.
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${a}/members/${people.member!.id}/role`, { role: 'admin' })).location).toBe(`/t/demo/account/organizations/${a}?notice=member_updated`);
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${a}/members/${people.member!.id}/role`, { role: 'owner' })).status).toBe(403);
    await admin.get(`/t/demo/account/organizations/${a}`);
    expect((await admin.post(`/t/demo/account/organizations/${a}/members/${people.owner!.id}/remove`, {})).status).toBe(403);
    // A plain member manages nothing.
    const member = await session('otherMember');
    expect((await member.get(`/t/demo/account/organizations/${b}`)).status).toBe(404);

    // The owner invites, removes, and cannot leave the organization without an owner.
    const owner = await session('owner');
    await owner.get(`/t/demo/account/organizations/${a}`);
    expect((await owner.post(`/t/demo/account/organizations/${a}/invitations`, { invitee: `new.portal.${engine}@example.com`, role: 'member' })).location).toBe(`/t/demo/account/organizations/${a}?notice=invitation_sent`);
    expect((await server.mailTo(`new.portal.${engine}@example.com`))[0]?.subject).toBe(`You are invited to join Portal A ${engine} on Demo`);
    await owner.get(`/t/demo/account/organizations/${a}`);
    expect((await owner.post(`/t/demo/account/organizations/${a}/invitations`, { invitee: 'not an address', role: 'member' })).status).toBe(400);
    await owner.get(`/t/demo/account/organizations/${a}`);
    expect((await owner.post(`/t/demo/account/organizations/${a}/members/${people.member!.id}/remove`, {})).location).toBe(`/t/demo/account/organizations/${a}?notice=member_removed`);
    await owner.get(`/t/demo/account/organizations/${a}`);
    const lastOwner = await owner.post(`/t/demo/account/organizations/${a}/members/${people.owner!.id}/role`, { role: 'member' });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.text).toContain('keeps at least one owner');
  });
});
