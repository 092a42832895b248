// The provider presets (issue 8): what each fills in, Apple's way of answering (a form post, a
// client secret that is a short-lived ES256 JWT signed with the team's key, the name only on the
// first sign-in), Microsoft's directory allow-list (`tid`), and trusting an upstream's `amr`. The
// providers themselves are not reachable here: each preset runs against the token forge (a real
// OpenID issuer on loopback) by giving its issuer, which a preset lets the admin override.
import { generateKeyPair, exportPKCS8, jwtVerify, decodeProtectedHeader, type GenerateKeyPairResult } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { formPostFields, startTokenForge, type TokenForge } from '../../support/upstream-idp.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const APPLE_CLIENT = 'com.example.web';
const MICROSOFT_CLIENT = '0b5f1e9c-microsoft-app';

describe.each(engines)('provider presets (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let apple: TokenForge;
  let microsoft: TokenForge;
  const ids = { apple: '', microsoft: '' };
  let appleKeys: GenerateKeyPairResult;

  const sessionOf = async (userId: string) =>
    server.services.db.selectFrom('sessions').select(['amr', 'acr']).where('user_id', '=', userId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    apple = await startTokenForge(APPLE_CLIENT);
    microsoft = await startTokenForge(MICROSOFT_CLIENT);
    appleKeys = await generateKeyPair('ES256', { extractable: true });
    const a = await api('POST', '/tenants/demo/connections', {
      preset: 'apple',
      client_id: APPLE_CLIENT,
      client_secret: await exportPKCS8(appleKeys.privateKey),
      settings: { issuer: apple.issuer, apple: { team_id: 'TEAM123456', key_id: 'KEY7654321' } },
    });
    expect(a.status).toBe(201);
    ids.apple = a.body.id;
    const m = await api('POST', '/tenants/demo/connections', { preset: 'microsoft', client_id: MICROSOFT_CLIENT, client_secret: 'ms-secret', settings: { issuer: microsoft.issuer, allowed_tenants: ['tid-contoso'] } });
    expect(m.status).toBe(201);
    ids.microsoft = m.body.id;
  });
  afterAll(async () => {
    await apple?.close();
    await microsoft?.close();
    await server?.close();
  });

  it('fills in what each provider needs, and refuses Apple without its team key', async () => {
    const google = await api('POST', '/tenants/demo/connections', { preset: 'google', client_id: 'g-client', client_secret: 'g-secret' });
    expect(google.body).toMatchObject({ type: 'oidc', preset: 'google', name: 'Google', settings: { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] } });
    const ms = await api('POST', '/tenants/demo/connections', { preset: 'microsoft', client_id: 'm-client', client_secret: 'm-secret' });
    expect(ms.body.settings.issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    const gh = await api('POST', '/tenants/demo/connections', { preset: 'github', client_id: 'gh', client_secret: 'gh-secret' });
    expect(gh.body).toMatchObject({ type: 'oauth2', settings: { authorization_endpoint: 'https://github.com/login/oauth/authorize', emails_endpoint: 'https://api.github.com/user/emails' } });
    const appleDefaults = await api('GET', `/tenants/demo/connections/${ids.apple}`);
    expect(appleDefaults.body.settings).toMatchObject({ response_mode: 'form_post', scopes: ['openid', 'email', 'name'] });
    expect((await api('POST', '/tenants/demo/connections', { preset: 'apple', client_id: 'x', client_secret: 'pem' })).status).toBe(400);
    expect((await api('POST', '/tenants/demo/connections', { preset: 'apple', client_id: 'x', settings: { apple: { team_id: 'T', key_id: 'K' } } })).status).toBe(400);
    expect((await api('POST', '/tenants/demo/connections', { preset: 'google', type: 'oauth2', client_id: 'x' })).status).toBe(400);
    for (const id of [google.body.id, ms.body.id, gh.body.id]) expect((await api('DELETE', `/tenants/demo/connections/${id}`)).status).toBe(204);
  });

  /** Starts at Apple on `client`, lets the forge answer with its form, and posts that form to our callback as the browser would. */
  async function viaApple(client: FormClient) {
    const start = await client.get(`/t/demo/connections/${ids.apple}/start`);
    expect(start.status).toBe(303);
    // The answer comes back as a cross-site POST: only a SameSite=None cookie travels with it.
    expect(start.setCookies.find((c) => c.startsWith('__Host-fd-fed-demo='))).toMatch(/SameSite=None/i);
    expect(new URL(start.location!).searchParams.get('response_mode')).toBe('form_post');
    const answer = await fetch(start.location!, { redirect: 'manual' });
    const form = formPostFields(await answer.text());
    expect(form.action).toBe(`${server.baseUrl}/t/demo/connections/${ids.apple}/callback`);
    return client.post(new URL(form.action).pathname, form.fields);
  }

  it('Apple: a form post back, a client secret JWT signed by the team key, the name from the first sign-in only', async () => {
    const email = `ada.${engine}@privaterelay.appleid.com`;
    apple.claims = { sub: `001234.apple.${engine}`, email, email_verified: 'true' };
    apple.formPostUser = JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email });
    const client = new FormClient(server.baseUrl);
    const done = await viaApple(client);
    // A page that moves on, so the next request is same-site and carries the new session cookie.
    expect(done.status).toBe(200);
    expect(done.text).toContain('/t/demo/account');
    expect(client.cookies.has('__Host-fd-session-demo')).toBe(true);

    const user = (await server.services.store.users.findByEmail('demo', email))!;
    expect(user.profile).toMatchObject({ given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace' });

    // The client secret Apple saw: ES256, our team and key, our client as subject, Apple as audience, minutes long.
    const secret = apple.lastTokenRequest!.form.get('client_secret')!;
    expect(apple.lastTokenRequest!.authorization).toBeUndefined();
    expect(decodeProtectedHeader(secret)).toMatchObject({ alg: 'ES256', kid: 'KEY7654321' });
    const { payload } = await jwtVerify(secret, appleKeys.publicKey, { issuer: 'TEAM123456', subject: APPLE_CLIENT, audience: 'https://appleid.apple.com' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);

    // Next time Apple sends no name: the account keeps the one it has, nothing new is made.
    apple.formPostUser = null;
    const again = await viaApple(new FormClient(server.baseUrl));
    expect(again.status).toBe(200);
    const same = (await server.services.store.users.findByEmail('demo', email))!;
    expect(same.id).toBe(user.id);
    expect(same.profile).toMatchObject({ name: 'Ada Lovelace' });
  });

  async function viaMicrosoft(client: FormClient) {
    const start = await client.get(`/t/demo/connections/${ids.microsoft}/start`);
    const back = new URL((await fetch(start.location!, { redirect: 'manual' })).headers.get('location')!);
    return client.get(back.pathname + back.search);
  }

  it('Microsoft: only the listed directories (`tid`) sign in', async () => {
    microsoft.claims = { sub: `ms-other-${engine}`, tid: 'tid-fabrikam', email: `x.${engine}@fabrikam.example`, email_verified: true };
    const refused = await viaMicrosoft(new FormClient(server.baseUrl));
    expect(refused.status).toBe(400);
    expect(await server.services.store.users.findByEmail('demo', `x.${engine}@fabrikam.example`)).toBeNull();

    microsoft.claims = { sub: `ms-contoso-${engine}`, tid: 'tid-contoso', email: `y.${engine}@contoso.example`, email_verified: true };
    const allowed = await viaMicrosoft(new FormClient(server.baseUrl));
    expect(allowed.location).toBe('/t/demo/account');
  });

  it("keeps the upstream's amr only when the connection trusts it: its mfa then is the second factor", async () => {
    const email = `zoe.${engine}@contoso.example`;
    microsoft.claims = { sub: `ms-zoe-${engine}`, tid: 'tid-contoso', email, email_verified: true, amr: ['pwd', 'mfa'], acr: 'urn:contoso:gold' };
    await viaMicrosoft(new FormClient(server.baseUrl));
    const zoe = (await server.services.store.users.findByEmail('demo', email))!;
    expect(JSON.parse((await sessionOf(zoe.id)).amr)).toEqual(['fed']);
    expect((await sessionOf(zoe.id)).acr).toBe('urn:frontdoor:acr:password');

    expect((await api('PATCH', `/tenants/demo/connections/${ids.microsoft}`, { settings: { trust_upstream_amr: true } })).status).toBe(200);
    await viaMicrosoft(new FormClient(server.baseUrl));
    const trusted = await sessionOf(zoe.id);
    expect(JSON.parse(trusted.amr).sort()).toEqual(['fed', 'mfa', 'pwd']);
    expect(trusted.acr).toBe('urn:frontdoor:acr:mfa');
    // The upstream's own class is recorded with the sign-in.
    const events = await server.services.db.selectFrom('audit_events').select(['details']).where('action', '=', 'user.login').where('subject', '=', zoe.id).execute();
    expect(events.some((e) => String(e.details).includes('urn:contoso:gold'))).toBe(true);
  });
});
