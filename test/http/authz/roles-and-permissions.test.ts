// Roles and permissions end to end, on both engines: roles bundling an API's permissions (some
// under conditions), held by default, directly, through a group or through a plan; access tokens
// carrying only what the user holds (checked with openid-client, verified with jose against the
// JWKS), again at every refresh; `roles` in the ID token on request; and the check API deciding
// with the resource and context at hand, for an app that authenticates.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, issuerOf, makeApp, makeUser } from '../../support/oidc.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const API = 'https://api.shop.example';
const REDIRECT = 'https://shop.example/cb';
const MATURE = { all: [{ eq: [{ var: 'user.age_verified' }, true] }, { ne: [{ var: 'profile.kind' }, 'child'] }] };
const TRANSFER = { any: [{ lte: [{ var: 'resource.amount' }, 1000] }, { eq: [{ var: 'context.acr' }, 'phr'] }] };

describe.each(engines)('roles and permissions (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let config: oidc.Configuration;
  let checker: { clientId: string; secret: string };
  const roles: Record<string, string> = {};
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    expect((await api('POST', '/tenants/demo/api-resources', { identifier: API, name: 'Shop API', scopes: ['read:orders', 'write:orders', 'view:mature-content', 'transfer:funds'].map((name) => ({ name })) })).status).toBe(201);
    // A profile attribute only the business sets.
    const schema = await api('PUT', '/tenants/demo/profile-schema', { type: 'object', properties: { given_name: { type: 'string', title: 'First name', maxLength: 100 }, age_verified: { type: 'boolean', title: 'Age verified', 'x-frontdoor-editable': false } }, additionalProperties: false });
    expect(schema.status, JSON.stringify(schema.body)).toBe(200);
    for (const [name, permissions] of Object.entries({
      customer: [{ api: API, permission: 'read:orders' }],
      premium: [{ api: API, permission: 'view:mature-content', condition: MATURE }],
      banker: [{ api: API, permission: 'transfer:funds', condition: TRANSFER }],
      staff: [{ api: API, permission: 'write:orders' }],
    })) {
      const created = await api('POST', '/tenants/demo/roles', { name, permissions });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      roles[name] = created.body.id;
    }
    await setTenantSettings(server, { default_roles: ['customer'], plans: { premium: { roles: ['premium'] } } });
    const { app, clientSecret } = await makeApp(server, { name: 'Shop', redirectUris: [REDIRECT], oidc: { accessTokenClaims: ['roles', 'permissions'] } });
    config = await discover(server, app.clientId, clientSecret);
    const worker = await makeApp(server, { name: 'Orders service', redirectUris: [], grantTypes: ['client_credentials'] });
    checker = { clientId: worker.app.clientId, secret: worker.clientSecret! };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function customer() {
    const email = `rbac.${engine}.${++seq}@example.com`;
    // Created through the admin API, as an import would: default roles come with the account.
    const created = await api('POST', '/tenants/demo/users', { email, password: 'correct horse battery staple 42', email_verified: true });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, email };
  }

  async function tokensFor(email: string, scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    // offline_access needs the consent prompt (oidc-provider's rule); a first-party app shows no page for it.
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope, resource: API, prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const { callbackUrl } = await authorize(new FormClient(server.baseUrl), url, { email, consent: 'allow' });
    expect(callbackUrl, 'redirect back to the app').not.toBeNull();
    return oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
  }

  const jwks = () => jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
  async function accessClaims(token: string) {
    const { payload } = await jose.jwtVerify(token, jwks(), { issuer: issuerOf(server).toString(), audience: API, typ: 'at+jwt' });
    return payload as jose.JWTPayload & { scope?: string; roles?: string[]; permissions?: string[] };
  }

  it('gives a token only the permissions the user holds, with their roles and permissions as claims', async () => {
    const user = await customer();
    const tokens = await tokensFor(user.email, 'openid offline_access read:orders write:orders view:mature-content');
    const claims = await accessClaims(tokens.access_token);
    expect(claims.sub).toBe(user.id);
    expect(claims.scope).toBe('read:orders');
    expect(claims.roles).toEqual(['customer']);
    expect(claims.permissions).toEqual(['read:orders']);

    // Given a role directly: the next authorization carries it (a refresh never widens a grant)…
    expect((await api('PUT', `/tenants/demo/users/${user.id}/roles/${roles.staff}`)).body).toEqual({ changed: true });
    expect((await accessClaims((await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: API })).access_token)).scope).toBe('read:orders');
    const widened = await tokensFor(user.email, 'openid offline_access read:orders write:orders');
    const staffClaims = await accessClaims(widened.access_token);
    expect(staffClaims.scope?.split(' ').sort()).toEqual(['read:orders', 'write:orders']);
    expect(staffClaims.roles).toEqual(['customer', 'staff']);
    // …and once taken away, the next refresh no longer does.
    expect((await api('DELETE', `/tenants/demo/users/${user.id}/roles/${roles.staff}`)).body).toEqual({ changed: true });
    const again = await oidc.refreshTokenGrant(config, widened.refresh_token!, { resource: API });
    expect((await accessClaims(again.access_token)).scope).toBe('read:orders');
    expect((await accessClaims(again.access_token)).permissions).toEqual(['read:orders']);
  });

  it('puts roles in the ID token when the app asks for the roles scope', async () => {
    const user = await customer();
    const tokens = await tokensFor(user.email, 'openid roles read:orders');
    const { payload } = await jose.jwtVerify(tokens.id_token!, jwks(), { issuer: issuerOf(server).toString(), audience: config.clientMetadata().client_id });
    expect(payload.roles).toEqual(['customer']);
  });

  it('grants through a plan and through a group, and keeps a condition that is false out of the token', async () => {
    const user = await customer();
    expect((await api('PUT', `/tenants/demo/users/${user.id}/plan`, { plan: 'premium' })).status).toBe(204);
    // On the premium plan but not age-verified: the condition is false, no mature content.
    let tokens = await tokensFor(user.email, 'openid offline_access read:orders view:mature-content');
    expect((await accessClaims(tokens.access_token)).scope).toBe('read:orders');
    const verified = await api('PATCH', `/tenants/demo/users/${user.id}`, { profile: { age_verified: true } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    tokens = await tokensFor(user.email, 'openid offline_access read:orders view:mature-content');
    expect((await accessClaims(tokens.access_token)).scope?.split(' ').sort()).toEqual(['read:orders', 'view:mature-content']);
    // Off the plan: gone at the next refresh.
    expect((await api('PUT', `/tenants/demo/users/${user.id}/plan`, { plan: null })).status).toBe(204);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: API });
    expect((await accessClaims(refreshed.access_token)).scope).toBe('read:orders');

    // Through a group.
    const group = await api('POST', '/tenants/demo/groups', { name: `bankers-${engine}` });
    expect(group.status).toBe(201);
    expect((await api('PUT', `/tenants/demo/groups/${group.body.id}/roles/${roles.banker}`)).body).toEqual({ changed: true });
    expect((await api('PUT', `/tenants/demo/groups/${group.body.id}/members/${user.id}`)).body).toEqual({ changed: true });
    const access = await api('GET', `/tenants/demo/users/${user.id}/roles`);
    expect(access.body.roles).toEqual([
      { id: roles.banker, name: 'banker', via: [`group:${group.body.id}`] },
      { id: roles.customer, name: 'customer', via: ['default'] },
    ]);
    // The data export says what the user holds, and how.
    const exported = (await api('GET', `/tenants/demo/users/${user.id}/export`)).body;
    expect(exported.access).toEqual({ plan: null, roles: expect.arrayContaining([{ role: 'banker', via: `group:${group.body.id}` }, { role: 'customer', via: 'default' }]), groups: [{ id: group.body.id, name: `bankers-${engine}` }], organizations: [], household: null });
    // Its condition needs the amount, which a token does not know: the permission is in the token, the check API decides.
    tokens = await tokensFor(user.email, 'openid transfer:funds');
    expect((await accessClaims(tokens.access_token)).scope).toBe('transfer:funds');
  });

  it('decides checks for an authenticated app, with the reason, one by one or in a batch', async () => {
    const user = await customer();
    const group = await api('POST', '/tenants/demo/groups', { name: `checkers-${engine}` });
    await api('PUT', `/tenants/demo/groups/${group.body.id}/roles/${roles.banker}`);
    await api('PUT', `/tenants/demo/groups/${group.body.id}/members/${user.id}`);
    const check = (body: unknown, auth: string | null = `Basic ${Buffer.from(`${checker.clientId}:${checker.secret}`).toString('base64')}`) =>
      fetch(`${server.baseUrl}/t/demo/authz/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    expect((await check({ subject: user.id, action: 'read:orders' }, null)).status).toBe(401);
    expect((await check({ subject: user.id, action: 'read:orders' }, `Basic ${Buffer.from(`${checker.clientId}:wrong`).toString('base64')}`)).status).toBe(401);
    expect((await check({ subject: user.id, action: 'read:orders' }, `Basic ${Buffer.from(`${checker.clientId}:%E0%A4%A`).toString('base64')}`)).status).toBe(401);

    expect((await check({ subject: user.id, action: 'read:orders', api: API })).body).toEqual({ allowed: true, reason: 'granted by role customer', role: 'customer' });
    expect((await check({ subject: user.id, action: 'write:orders' })).body).toMatchObject({ allowed: false, reason: 'no role of the user grants write:orders' });
    expect((await check({ subject: user.id, action: 'transfer:funds', resource: { amount: 500 }, context: { acr: 'pwd' } })).body).toMatchObject({ allowed: true, role: 'banker' });
    expect((await check({ subject: user.id, action: 'transfer:funds', resource: { amount: 2500 }, context: { acr: 'pwd' } })).body).toMatchObject({ allowed: false, reason: 'the condition of role banker is not met' });
    expect((await check({ subject: user.id, action: 'transfer:funds', resource: { amount: 2500 }, context: { acr: 'phr' } })).body).toMatchObject({ allowed: true, role: 'banker' });
    expect((await check({ subject: user.id, action: 'transfer:funds', context: { acr: 'pwd' } })).body).toMatchObject({ allowed: false, missing: ['resource.amount'] });
    expect((await check({ subject: 'usr_nobody', action: 'read:orders' })).body).toMatchObject({ allowed: false, reason: 'no such user' });

    const batch = await check({ checks: [{ subject: user.id, action: 'read:orders' }, { subject: user.id, action: 'write:orders' }] });
    expect(batch.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([true, false]);
    expect((await check({ checks: [] })).status).toBe(400);
  });

  it('refuses bad roles: names, permissions the API does not have, conditions that are not rules', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'Has Spaces' }, 'name'],
      [{ name: 'ok-name', permissions: [{ api: 'https://elsewhere.example', permission: 'read:orders' }] }, 'permissions'],
      [{ name: 'ok-name', permissions: [{ api: API, permission: 'delete:everything' }] }, 'permissions'],
      [{ name: 'ok-name', permissions: [{ api: API, permission: 'read:orders', condition: 'user.age > 18' }] }, 'condition'],
      [{ name: 'ok-name', permissions: [{ api: API, permission: 'read:orders', condition: { $where: 'sleep(1000)' } }] }, 'condition'],
      [{ name: 'ok-name', permissions: [{ api: API, permission: 'read:orders', condition: { eq: [{ var: 'process.env.SECRET' }, 'x'] } }] }, 'condition'],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/tenants/demo/roles', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field ?? '', JSON.stringify(body)).toContain(field === 'name' ? '' : field);
    }
    expect((await api('POST', '/tenants/demo/roles', { name: 'customer' })).status).toBe(409);
    expect((await setTenantSettings(server, { default_roles: ['no-such-role'] }).catch((e: Error) => e.message)) ?? '').toContain('400');
  });

  it("keeps tenants apart: another tenant's role, group or user is not found", async () => {
    expect((await api('POST', '/tenants', { id: `other-${engine}`, name: 'Other' })).status).toBe(201);
    const otherRole = await api('POST', `/tenants/other-${engine}/roles`, { name: 'customer' });
    expect(otherRole.status).toBe(201);
    const user = await customer();
    expect((await api('PUT', `/tenants/demo/users/${user.id}/roles/${otherRole.body.id}`)).status).toBe(404);
    expect((await api('PUT', `/tenants/other-${engine}/users/${user.id}/roles/${otherRole.body.id}`)).status).toBe(404);
    expect((await api('GET', `/tenants/other-${engine}/roles/${roles.customer}`)).status).toBe(404);
  });
});
