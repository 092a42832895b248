// Social and enterprise login (issue 8): sign-in through a real upstream OpenID Provider ("Corp
// IdP", oidc-provider on loopback) and a GitHub-style OAuth 2.0 server, the account-linking rules,
// the admin API's handling of the client secret, and every bad upstream answer — each refused with
// a clear page, nothing half-made, an audit row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { signInAtCorp, startCorpIdp, startGithubFixture, startTokenForge, type CorpIdp, type ForgeMode, type GithubFixture, type TokenForge } from '../../support/upstream-idp.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const CORP_SECRET = 'corp-client-secret-0123456789abcdef';

describe.each(engines)('social and enterprise login (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let corp: CorpIdp;
  let forge: TokenForge;
  let github: GithubFixture;
  const ids = { corp: '', forge: '', github: '' };
  let shift = 0;

  const count = async (table: 'users' | 'federated_identities') => Number((await server.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const audits = async (action: string) => server.services.db.selectFrom('audit_events').select(['action', 'result', 'reason', 'subject']).where('action', '=', action).execute();
  const identitiesOf = (userId: string) => server.services.store.federatedIdentities.listForUser('demo', userId);

  beforeAll(async () => {
    // Our clock runs with real time, shifted when a test needs an old sign-in.
    server = await startTestServer(engine, { env: { FRONTDOOR_UPSTREAM_TIMEOUT_MS: '1500' }, services: { clock: { now: () => Date.now() + shift } } });
    api = adminApi(server);
    // The connection first: its redirect URI is what Corp IdP registers for our client.
    const created = await api('POST', '/tenants/demo/connections', { type: 'oidc', name: 'Corp', client_id: 'frontdoor-at-corp', client_secret: CORP_SECRET, settings: { issuer: 'http://127.0.0.1:1/placeholder', domains: ['corp.example'] } });
    expect(created.status).toBe(201);
    ids.corp = created.body.id;
    corp = await startCorpIdp({ clientId: 'frontdoor-at-corp', clientSecret: CORP_SECRET, redirectUris: [created.body.redirect_uri] });
    expect((await api('PATCH', `/tenants/demo/connections/${ids.corp}`, { settings: { issuer: corp.issuer } })).status).toBe(200);

    forge = await startTokenForge('forge-client');
    const forged = await api('POST', '/tenants/demo/connections', { type: 'oidc', name: 'Forge', client_id: 'forge-client', client_secret: 'forge-secret', settings: { issuer: forge.issuer } });
    ids.forge = forged.body.id;

    github = await startGithubFixture();
    const gh = await api('POST', '/tenants/demo/connections', {
      preset: 'github',
      client_id: 'gh-client',
      client_secret: 'gh-secret',
      settings: { authorization_endpoint: `${github.url}/login/oauth/authorize`, token_endpoint: `${github.url}/login/oauth/access_token`, userinfo_endpoint: `${github.url}/user`, emails_endpoint: `${github.url}/user/emails` },
    });
    expect(gh.status).toBe(201);
    ids.github = gh.body.id;
  });
  afterAll(async () => {
    await corp?.close();
    await forge?.close();
    await github?.close();
    await server?.close();
  });

  /** Starts at Corp on `client`, signs in there as `login`, and opens the callback on our side. */
  async function viaCorp(client: FormClient, login: string, account: { email?: string; email_verified?: boolean; name?: string }) {
    corp.accounts.set(login, account);
    const start = await client.get(`/t/demo/connections/${ids.corp}/start`);
    expect(start.status).toBe(303);
    expect(start.location!.startsWith(`${corp.issuer}/auth?`)).toBe(true);
    const back = await signInAtCorp(new FormClient(corp.issuer), start.location!, login);
    expect(back.origin).toBe(server.baseUrl);
    return client.get(back.pathname + back.search);
  }

  /** Starts at the forge in `mode` and opens the callback (the forge redirects at once). */
  async function viaForge(client: FormClient, mode: ForgeMode, claims: Record<string, unknown> = { email: 'forged@example.org', email_verified: true }) {
    forge.mode = mode;
    forge.claims = claims;
    const start = await client.get(`/t/demo/connections/${ids.forge}/start`);
    expect(start.status).toBe(303);
    const authorize = await fetch(start.location!, { redirect: 'manual' });
    const back = new URL(authorize.headers.get('location')!);
    return client.get(back.pathname + back.search);
  }

  describe('admin API', () => {
    it('never returns the client secret, and keeps it sealed at rest', async () => {
      const one = await api('GET', `/tenants/demo/connections/${ids.corp}`);
      expect(one.status).toBe(200);
      expect(one.body.has_secret).toBe(true);
      expect(one.text).not.toContain(CORP_SECRET);
      const list = await api('GET', '/tenants/demo/connections');
      expect(list.text).not.toContain(CORP_SECRET);
      expect(list.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([ids.corp, ids.forge, ids.github]));
      const row = await server.services.db.selectFrom('connections').select('secret_sealed').where('id', '=', ids.corp).executeTakeFirstOrThrow();
      expect(row.secret_sealed).not.toContain(CORP_SECRET);
      expect(row.secret_sealed!.startsWith('v1.')).toBe(true);
      const rotated = await api('POST', `/tenants/demo/connections/${ids.forge}/secret`, { client_secret: 'forge-secret' });
      expect(rotated.status).toBe(200);
      expect(rotated.text).not.toContain('forge-secret');
      expect((await audits('admin.connection_secret_rotated')).length).toBeGreaterThan(0);
    });

    it('validates what it is given', async () => {
      const bad = async (body: unknown) => api('POST', '/tenants/demo/connections', body);
      expect((await bad({ type: 'oidc', name: 'X', client_id: 'x', settings: { issuer: 'http://idp.example' } })).body).toMatchObject({ error: 'request.invalid', field: 'settings.issuer' });
      expect((await bad({ type: 'oidc', name: 'X', client_id: 'x' })).body).toMatchObject({ error: 'request.invalid', field: 'settings.issuer' });
      expect((await bad({ type: 'oauth2', name: 'X', client_id: 'x', settings: { authorization_endpoint: 'https://a.example/auth' } })).body.error).toBe('request.invalid');
      expect((await bad({ type: 'oidc', name: 'X', client_id: 'x', client_secret_hash: 'x', settings: { issuer: 'https://a.example' } })).status).toBe(400);
      expect((await bad({ preset: 'apple', client_id: 'x', settings: { apple: { team_id: 'T', key_id: 'K' } } })).body).toMatchObject({ error: 'request.invalid', field: 'client_secret' });
      const taken = await bad({ preset: 'google', client_id: 'g', settings: { domains: ['CORP.example'] } });
      expect(taken.status).toBe(409);
      expect(taken.body.error).toBe('connection.domain_taken');
      expect((await api('GET', '/tenants/demo/connections/con_nope')).status).toBe(404);
      expect((await adminApi(server, null)('GET', '/tenants/demo/connections')).status).toBe(401);
    });
  });

  describe('sign-in through Corp IdP (OpenID Connect)', () => {
    it('creates an account on first sign-in (JIT), and a second sign-in links nothing new', async () => {
      const email = `alice.${engine}@corp.example`;
      const users = await count('users');
      const client = new FormClient(server.baseUrl);
      const done = await viaCorp(client, `alice-${engine}`, { email, email_verified: true, name: 'Alice Corp' });
      expect(done.status).toBe(303);
      expect(done.location).toBe('/t/demo/account');
      expect(client.cookies.has('__Host-fd-session-demo')).toBe(true);
      expect(client.cookies.has('__Host-fd-fed-demo')).toBe(false);
      const user = (await server.services.store.users.findByEmail('demo', email))!;
      expect(user.emailVerified).toBe(true);
      expect(user.profile.name).toBe('Alice Corp');
      expect(await count('users')).toBe(users + 1);
      expect(await identitiesOf(user.id)).toHaveLength(1);
      const [session] = await server.services.sessions.listForUser('demo', user.id);
      expect(session!.amr).toContain('fed');

      const again = new FormClient(server.baseUrl);
      const second = await viaCorp(again, `alice-${engine}`, { email, email_verified: true });
      expect(second.location).toBe('/t/demo/account');
      expect(await count('users')).toBe(users + 1);
      expect(await identitiesOf(user.id)).toHaveLength(1);
      const account = await again.get('/t/demo/account');
      expect(account.text).toContain('Connected sign-in providers');
      expect(account.text).toContain('Corp');
    });

    it('links a verified address to an existing account only after its password proves control', async () => {
      const email = `bob.${engine}@corp.example`;
      const bob = await makeUser(server, email);
      const client = new FormClient(server.baseUrl);
      // The tenant keeps Corp's tokens (for an app calling Corp's API): they survive the detour through the proof.
      expect((await api('PATCH', `/tenants/demo/connections/${ids.corp}`, { settings: { store_upstream_tokens: true } })).status).toBe(200);
      const asked = await viaCorp(client, `bob-${engine}`, { email, email_verified: true });
      expect(asked.location).toBe('/t/demo/connections/link');
      expect(await identitiesOf(bob.id)).toHaveLength(0);
      expect(client.cookies.has('__Host-fd-session-demo')).toBe(false);

      // No proof yet: the link cannot be completed.
      const early = await client.get('/t/demo/connections/link/complete');
      expect(early.status).toBe(400);
      expect(await identitiesOf(bob.id)).toHaveLength(0);

      const page = await client.get('/t/demo/connections/link');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(email);
      const wrong = await client.post('/t/demo/connections/link/password', { password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(await identitiesOf(bob.id)).toHaveLength(0);

      const right = await client.post('/t/demo/connections/link/password', { password: PASSWORD });
      expect(right.status).toBe(303);
      expect(right.location).toBe('/t/demo/connections/link/complete');
      const linked = await client.get(right.location!);
      expect(linked.status).toBe(200);
      expect(linked.text).toContain('/t/demo/account?notice=identity_linked');
      expect(await identitiesOf(bob.id)).toHaveLength(1);
      expect((await audits('user.identity_linked')).some((a) => a.subject === bob.id)).toBe(true);
      expect((await api('PATCH', `/tenants/demo/connections/${ids.corp}`, { settings: { store_upstream_tokens: false } })).status).toBe(200);

      // The admin API lists the identity and hands out the kept tokens (sealed at rest: not in the row).
      const listed = await api('GET', `/tenants/demo/users/${bob.id}/identities`);
      expect(listed.body.items).toMatchObject([{ connection_id: ids.corp, connection_name: 'Corp', subject: `bob-${engine}`, has_tokens: true }]);
      const tokens = await api('GET', `/tenants/demo/users/${bob.id}/identities/${listed.body.items[0].id}/tokens`);
      expect(tokens.status).toBe(200);
      expect(tokens.headers.get('cache-control')).toBe('no-store');
      expect(typeof tokens.body.access_token).toBe('string');
      expect(tokens.body.access_token.length).toBeGreaterThan(10);
      const row = await server.services.db.selectFrom('federated_identities').select('tokens_sealed').where('id', '=', listed.body.items[0].id).executeTakeFirstOrThrow();
      expect(row.tokens_sealed).not.toContain(tokens.body.access_token);
      expect((await audits('admin.upstream_tokens_read')).some((a) => a.subject === bob.id)).toBe(true);
      // Another user's path does not reach it.
      expect((await api('GET', `/tenants/demo/users/usr_nobody/identities/${listed.body.items[0].id}/tokens`)).status).toBe(404);

      // From now on Corp signs Bob in directly.
      const later = await viaCorp(new FormClient(server.baseUrl), `bob-${engine}`, { email, email_verified: true });
      expect(later.location).toBe('/t/demo/account');
      expect(await identitiesOf(bob.id)).toHaveLength(1);
    });

    it('links after a code mailed to the account, typed in the same browser', async () => {
      const email = `carol.${engine}@corp.example`;
      const carol = await makeUser(server, email);
      const client = new FormClient(server.baseUrl);
      expect((await viaCorp(client, `carol-${engine}`, { email, email_verified: true })).location).toBe('/t/demo/connections/link');
      await client.get('/t/demo/connections/link');
      const sent = await client.post('/t/demo/connections/link/email', {});
      expect(sent.location).toBe('/t/demo/login/email/code');
      const [mail] = await server.mailTo(email);
      const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
      await client.get('/t/demo/login/email/code');
      const typed = await client.post('/t/demo/login/email/code', { code });
      expect(typed.status).toBe(303);
      expect(typed.location).toBe('/t/demo/connections/link/complete');
      expect((await client.get(typed.location!)).status).toBe(200);
      expect(await identitiesOf(carol.id)).toHaveLength(1);
      expect(linkIn).toBeDefined();
    });

    it('never links an address the upstream did not verify, and answers alike whether or not an account has it', async () => {
      const email = `dave.${engine}@corp.example`;
      const dave = await makeUser(server, email);
      const users = await count('users');
      const identities = await count('federated_identities');
      const matching = await viaCorp(new FormClient(server.baseUrl), `dave-${engine}`, { email, email_verified: false });
      const unknown = await viaCorp(new FormClient(server.baseUrl), `nobody-${engine}`, { email: `nobody.${engine}@corp.example`, email_verified: false });
      expect(matching.status).toBe(403);
      expect(matching.text).toContain('did not confirm an email address');
      expect(unknown.status).toBe(matching.status);
      const strip = (text: string) => text.replace(/name="_csrf" value="[^"]+"/g, '').replace(/nonce="[^"]+"/g, '');
      expect(strip(unknown.text)).toBe(strip(matching.text));
      expect(await identitiesOf(dave.id)).toHaveLength(0);
      expect(await count('users')).toBe(users);
      expect(await count('federated_identities')).toBe(identities);
    });

    it('refuses to unlink the last way to sign in, and unlinks when another remains', async () => {
      const email = `erin.${engine}@corp.example`;
      const client = new FormClient(server.baseUrl);
      await viaCorp(client, `erin-${engine}`, { email, email_verified: true });
      const erin = (await server.services.store.users.findByEmail('demo', email))!;
      const [identity] = await identitiesOf(erin.id);
      await client.get('/t/demo/account');
      const refused = await client.post(`/t/demo/account/identities/${identity!.id}/unlink`, {});
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('only way to sign in');
      expect(await identitiesOf(erin.id)).toHaveLength(1);

      // Bob has a password too: his Corp identity may go.
      const bob = (await server.services.store.users.findByEmail('demo', `bob.${engine}@corp.example`))!;
      const bobClient = new FormClient(server.baseUrl);
      await viaCorp(bobClient, `bob-${engine}`, { email: bob.email, email_verified: true });
      const [bobIdentity] = await identitiesOf(bob.id);
      await bobClient.get('/t/demo/account');
      // A sign-in six minutes old must confirm first: the identity stays.
      shift = 6 * 60_000;
      try {
        const asked = await bobClient.post(`/t/demo/account/identities/${bobIdentity!.id}/unlink`, {});
        expect(asked.location).toBe('/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount');
        expect(await identitiesOf(bob.id)).toHaveLength(1);
      } finally {
        shift = 0;
      }
      const unlinked = await bobClient.post(`/t/demo/account/identities/${bobIdentity!.id}/unlink`, {});
      expect(unlinked.location).toBe('/t/demo/account?notice=identity_unlinked');
      expect(await identitiesOf(bob.id)).toHaveLength(0);
      // Another customer cannot unlink someone else's identity.
      const [erinIdentity] = await identitiesOf(erin.id);
      expect((await bobClient.post(`/t/demo/account/identities/${erinIdentity!.id}/unlink`, {})).status).toBe(404);
      expect(await identitiesOf(erin.id)).toHaveLength(1);
      // An admin may unlink it (the account stays; Corp then needs the proof again to link).
      expect((await api('DELETE', `/tenants/demo/users/${bob.id}/identities/${erinIdentity!.id}`)).status).toBe(404);
      expect((await api('DELETE', `/tenants/demo/users/${erin.id}/identities/${erinIdentity!.id}`)).status).toBe(204);
      expect(await identitiesOf(erin.id)).toHaveLength(0);
      expect(await server.services.store.users.get('demo', erin.id)).not.toBeNull();
      const again = await viaCorp(new FormClient(server.baseUrl), `erin-${engine}`, { email, email_verified: true });
      expect(again.location).toBe('/t/demo/connections/link');
    });

    it('sends an address of a connection’s domain to the provider (home-realm discovery)', async () => {
      const client = new FormClient(server.baseUrl);
      const login = await client.get('/t/demo/login');
      expect(login.text).toContain(`href="/t/demo/connections/${ids.corp}/start"`);
      expect(login.text).toContain('Continue with Corp');
      const sent = await client.post('/t/demo/login', { email: `someone@Corp.Example`, password: '' });
      expect(sent.status).toBe(200);
      expect(sent.text).toContain(`url=/t/demo/connections/${ids.corp}/start`);
      const none = await client.post('/t/demo/login', { email: 'someone@elsewhere.example', sso: '1' });
      expect(none.status).toBe(404);
      expect(none.text).toContain('Single sign-on is not set up');
    });
  });

  describe('GitHub-style OAuth 2.0', () => {
    it('uses only the verified primary address', async () => {
      github.user = { id: 9001, login: `octo-${engine}`, name: 'Octo' };
      github.emails = [
        { email: `octo.secondary.${engine}@example.org`, primary: false, verified: true },
        { email: `octo.${engine}@example.org`, primary: true, verified: false },
      ];
      const users = await count('users');
      const start = async () => {
        const client = new FormClient(server.baseUrl);
        const begun = await client.get(`/t/demo/connections/${ids.github}/start`);
        expect(begun.location!.startsWith(`${github.url}/login/oauth/authorize?`)).toBe(true);
        const authorize = await fetch(begun.location!, { redirect: 'manual' });
        const back = new URL(authorize.headers.get('location')!);
        return client.get(back.pathname + back.search);
      };
      expect((await start()).status).toBe(403);
      expect(await count('users')).toBe(users);
      github.emails[1]!.verified = true;
      const done = await start();
      expect(done.location).toBe('/t/demo/account');
      const user = (await server.services.store.users.findByEmail('demo', `octo.${engine}@example.org`))!;
      expect((await identitiesOf(user.id))[0]!.subject).toBe('9001');
    });
  });

  describe('bad upstream answers', () => {
    const refusals: Array<[ForgeMode, number, string]> = [
      ['wrong_issuer', 400, 'federation.invalid_response'],
      ['wrong_audience', 400, 'federation.invalid_response'],
      ['expired', 400, 'federation.invalid_response'],
      ['unknown_key', 400, 'federation.invalid_response'],
      ['alg_none', 400, 'federation.invalid_response'],
      ['no_nonce', 400, 'federation.invalid_response'],
      ['wrong_nonce', 400, 'federation.invalid_response'],
      ['access_denied', 401, 'federation.denied'],
      ['timeout', 504, 'federation.unavailable'],
    ];

    it('signs in with a well-formed answer (the forge itself works)', async () => {
      const done = await viaForge(new FormClient(server.baseUrl), 'good', { sub: `forge-${engine}`, email: `forged.${engine}@example.org`, email_verified: true });
      expect(done.location).toBe('/t/demo/account');
    });

    it.each(refusals)('%s: a clear page, nothing made, an audit row', async (mode, status, code) => {
      const users = await count('users');
      const identities = await count('federated_identities');
      const client = new FormClient(server.baseUrl);
      const answer = await viaForge(client, mode, { sub: `bad-${mode}-${engine}`, email: `bad.${mode}.${engine}@example.org`, email_verified: true });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(client.cookies.has('__Host-fd-session-demo')).toBe(false);
      expect(await count('users')).toBe(users);
      expect(await count('federated_identities')).toBe(identities);
      expect((await audits('user.federated_sign_in')).some((a) => a.result === 'failure' && a.reason === code)).toBe(true);
    });

    it('refuses a wrong or missing state', async () => {
      forge.mode = 'good';
      forge.claims = { sub: `state-${engine}`, email: `state.${engine}@example.org`, email_verified: true };
      const client = new FormClient(server.baseUrl);
      const start = await client.get(`/t/demo/connections/${ids.forge}/start`);
      const back = new URL((await fetch(start.location!, { redirect: 'manual' })).headers.get('location')!);
      // Another browser (no start cookie) brings the same answer: refused.
      const stranger = await new FormClient(server.baseUrl).get(back.pathname + back.search);
      expect(stranger.status).toBe(400);
      expect(stranger.text).toContain('could not be matched');
      // The right browser with a changed state: refused too, and the start is spent.
      const tampered = new URL(back);
      tampered.searchParams.set('state', 'x'.repeat(43));
      expect((await client.get(tampered.pathname + tampered.search)).status).toBe(400);
      expect((await client.get(back.pathname + back.search)).status).toBe(400);
      expect(await server.services.store.users.findByEmail('demo', `state.${engine}@example.org`)).toBeNull();
    });
  });
});
