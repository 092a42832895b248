// Admin API: tenants and their applications (OIDC clients). A client secret is returned once, at
// creation, and only its SHA-256 is stored; no response ever carries the hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/core/secrets.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from './admin-client.ts';

describe.each(engines)('admin API: tenants and applications (%s)', (engine) => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('tenants', () => {
    it('creates, lists, reads, changes and deletes a tenant', async () => {
      const created = await api('POST', '/tenants', {
        id: 'acme',
        name: 'Acme Inc',
        branding: { logo_url: 'https://cdn.acme.example/logo.svg', primary_color: '#112233' },
        settings: { password_min_length: 16, require_verified_email: true },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: 'acme',
        name: 'Acme Inc',
        branding: { logo_url: 'https://cdn.acme.example/logo.svg', primary_color: '#112233' },
        settings: { password_min_length: 16, require_verified_email: true },
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      expect(await server.services.store.tenants.get('acme')).toMatchObject({ settings: { passwordMinLength: 16, requireVerifiedEmail: true } });

      const list = await api('GET', '/tenants');
      expect(list.status).toBe(200);
      expect(list.body.items.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['demo', 'acme']));

      expect((await api('GET', '/tenants/acme')).body).toEqual(created.body);

      // Merge semantics: untouched keys stay, null removes one.
      const patched = await api('PATCH', '/tenants/acme', {
        name: 'Acme Corporation',
        branding: { primary_color: '#445566' },
        settings: { require_verified_email: null, password_min_length_with_mfa: 10 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'Acme Corporation',
        branding: { logo_url: 'https://cdn.acme.example/logo.svg', primary_color: '#445566' },
        settings: { password_min_length: 16, password_min_length_with_mfa: 10 },
      });
      expect(patched.body.settings).not.toHaveProperty('require_verified_email');

      expect((await api('DELETE', '/tenants/acme')).status).toBe(204);
      const gone = await api('GET', '/tenants/acme');
      expect(gone.status).toBe(404);
      expect(gone.body.error).toBe('tenant.not_found');
      expect((await api('DELETE', '/tenants/acme')).body.error).toBe('tenant.not_found');
      expect((await api('PATCH', '/tenants/acme', { name: 'x' })).body.error).toBe('tenant.not_found');
    });

    it('the tenant setting takes effect: a user password shorter than its minimum is refused', async () => {
      expect((await api('POST', '/tenants', { id: 'strict', settings: { password_min_length: 30 } })).status).toBe(201);
      const refused = await api('POST', '/tenants/strict/users', { email: 'u@example.com', password: 'twenty chars long ok' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('password.too_short');
    });

    it('answers 409 tenant.exists for a taken id', async () => {
      expect((await api('POST', '/tenants', { id: 'twice' })).status).toBe(201);
      const again = await api('POST', '/tenants', { id: 'twice', name: 'Again' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: 'tenant.exists', field: 'id' });
    });

    it('refuses bad tenant input with 400 request.invalid', async () => {
      const cases: Array<[string, string, unknown, string | undefined]> = [
        ['POST', '/tenants', { id: 'Bad_Id' }, 'id'],
        ['POST', '/tenants', { id: '-dash' }, 'id'],
        ['POST', '/tenants', { id: 'a'.repeat(41) }, 'id'],
        ['POST', '/tenants', { id: 'admin' }, 'id'],
        ['POST', '/tenants', {}, 'id'],
        ['POST', '/tenants', { id: 'ok-id', name: 'Tab\there' }, 'name'],
        ['POST', '/tenants', { id: 'ok-id', name: 'x'.repeat(101) }, 'name'],
        ['POST', '/tenants', { id: 'ok-id', owner: 'me' }, 'owner'],
        ['POST', '/tenants', { id: 'ok-id', branding: { primary_color: 'red' } }, 'branding/primary_color'],
        ['POST', '/tenants', { id: 'ok-id', branding: { logo_url: 'http://insecure.example/logo.png' } }, 'branding/logo_url'],
        ['POST', '/tenants', { id: 'ok-id', branding: { logo_url: 'javascript:alert(1)' } }, 'branding/logo_url'],
        ['POST', '/tenants', { id: 'ok-id', branding: { css: 'body{}' } }, 'branding/css'],
        ['POST', '/tenants', { id: 'ok-id', settings: { password_min_length: 4 } }, 'settings/password_min_length'],
        ['POST', '/tenants', { id: 'ok-id', settings: { password_min_length: 15.5 } }, 'settings/password_min_length'],
        ['POST', '/tenants', { id: 'ok-id', settings: { mfa: 'sometimes' } }, 'settings/mfa'],
        ['POST', '/tenants', { id: 'ok-id', settings: { sso: 'off' } }, 'settings/sso'],
        ['PATCH', '/tenants/demo', {}, undefined],
        ['PATCH', '/tenants/demo', { name: '   ' }, 'name'],
        ['PATCH', '/tenants/demo', { id: 'renamed' }, 'id'],
        ['PATCH', '/tenants/demo', { created_at: '2000-01-01T00:00:00Z' }, 'created_at'],
      ];
      for (const [method, path, body, field] of cases) {
        const response = await api(method, path, body);
        const label = `${method} ${path} ${JSON.stringify(body)}`;
        expect(response.status, label).toBe(400);
        expect(response.body.error, label).toBe('request.invalid');
        if (field) expect(response.body.field, label).toBe(field);
      }
      expect(await server.services.store.tenants.get('ok-id')).toBeNull();
      expect((await server.services.store.tenants.get('demo'))?.name).toBe('Demo');
    });

    it('deleting a tenant deletes its applications and users', async () => {
      expect((await api('POST', '/tenants', { id: 'doomed' })).status).toBe(201);
      const app = await api('POST', '/tenants/doomed/applications', { name: 'App', redirect_uris: ['https://app.example/cb'] });
      const user = await api('POST', '/tenants/doomed/users', { email: 'gone@example.com' });
      expect((await api('DELETE', '/tenants/doomed')).status).toBe(204);
      expect(await server.services.store.apps.get('doomed', app.body.id)).toBeNull();
      expect(await server.services.store.users.get('doomed', user.body.id)).toBeNull();
    });
  });

  describe('applications', () => {
    it('creates a confidential client: the secret is returned once, only its hash is stored', async () => {
      const created = await api('POST', '/tenants/demo/applications', {
        name: 'Shop',
        redirect_uris: ['https://shop.example/callback', 'https://shop.example/callback'],
        post_logout_redirect_uris: ['https://shop.example/'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        first_party: false,
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^app_/),
        client_id: expect.any(String),
        client_secret: expect.any(String),
        name: 'Shop',
        public: false,
        redirect_uris: ['https://shop.example/callback'],
        post_logout_redirect_uris: ['https://shop.example/'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        first_party: false,
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        subject_type: 'public',
        jwks: null,
        backchannel_logout_uri: null,
        frontchannel_logout_uri: null,
        client_credentials_scopes: {},
        access_token_claims: [],
        has_secret: true,
        previous_secret_expires_at: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const secret = created.body.client_secret as string;
      expect(secret.length).toBeGreaterThanOrEqual(43);
      const stored = await server.services.store.apps.get('demo', created.body.id);
      expect(stored?.secretHash).toBe(hashToken(secret));

      const fetched = await api('GET', `/tenants/demo/applications/${created.body.id}`);
      expect(fetched.status).toBe(200);
      const { client_secret: _shownOnce, ...withoutSecret } = created.body;
      expect(fetched.body).toEqual(withoutSecret);

      const list = await api('GET', '/tenants/demo/applications');
      expect(list.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
      for (const response of [fetched, list]) {
        expect(response.text).not.toContain(secret);
        expect(response.text).not.toContain(stored?.secretHash ?? '<none>');
        expect(response.text).not.toMatch(/"client_secret"|secret_hash/);
      }
    });

    it('creates a public client without a secret, with the default grant types', async () => {
      const created = await api('POST', '/tenants/demo/applications', { name: 'SPA', redirect_uris: ['http://localhost:5173/cb'], public: true });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ public: true, client_secret: null, first_party: true, grant_types: ['authorization_code', 'refresh_token'] });
    });

    it('refuses bad application input with 400', async () => {
      const cases: Array<[unknown, string, string | undefined]> = [
        [{ name: 'x', redirect_uris: ['http://evil.example/cb'] }, 'request.invalid', 'redirect_uris'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb#frag'] }, 'request.invalid', 'redirect_uris'],
        [{ name: 'x', redirect_uris: ['not a url'] }, 'request.invalid', 'redirect_uris'],
        [{ name: 'x', redirect_uris: [] }, 'request.invalid', 'redirect_uris'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], grant_types: ['password'] }, 'request.invalid', 'grant_types/0'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], grant_types: ['implicit'] }, 'request.invalid', 'grant_types/0'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], public: true, grant_types: ['client_credentials'] }, 'request.invalid', 'grant_types'],
        [{ name: '', redirect_uris: ['https://app.example/cb'] }, 'request.invalid', 'name'],
        [{ name: 'line\nbreak', redirect_uris: ['https://app.example/cb'] }, 'request.invalid', 'name'],
        [{ redirect_uris: ['https://app.example/cb'] }, 'request.invalid', 'name'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], secret_hash: 'chosen' }, 'request.invalid', 'secret_hash'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], client_id: 'x' }, 'request.invalid', 'client_id'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'private_key_jwt' }, 'request.invalid', 'jwks'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], public: true, token_endpoint_auth_method: 'client_secret_basic' }, 'request.invalid', 'token_endpoint_auth_method'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], jwks: { keys: [{ kty: 'EC', d: 'private' }] } }, 'request.invalid', 'jwks'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], backchannel_logout_uri: 'http://internal.example/logout' }, 'request.invalid', 'backchannel_logout_uri'],
        [{ name: 'x', redirect_uris: ['https://app.example/cb'], subject_type: 'random' }, 'request.invalid', 'subject_type'],
        [{ name: 'x', redirect_uris: [], grant_types: ['client_credentials'], client_credentials_scopes: { 'https://no-such-api.example/': ['read'] } }, 'request.invalid', 'client_credentials_scopes'],
        [{ name: 'x', redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/${i}`) }, 'request.invalid', 'redirect_uris'],
      ];
      for (const [body, code, field] of cases) {
        const response = await api('POST', '/tenants/demo/applications', body);
        const label = JSON.stringify(body);
        expect(response.status, label).toBe(400);
        expect(response.body.error, label).toBe(code);
        if (field) expect(response.body.field, label).toBe(field);
      }
      // client_credentials alone needs no redirect URI.
      const machine = await api('POST', '/tenants/demo/applications', { name: 'Machine', redirect_uris: [], grant_types: ['client_credentials'] });
      expect(machine.status).toBe(201);
    });

    it("answers 404 for another tenant's application and for unknown tenants", async () => {
      expect((await api('POST', '/tenants', { id: 'neighbour' })).status).toBe(201);
      const theirs = await api('POST', '/tenants/neighbour/applications', { name: 'Theirs', redirect_uris: ['https://theirs.example/cb'] });
      for (const method of ['GET', 'DELETE']) {
        const response = await api(method, `/tenants/demo/applications/${theirs.body.id}`);
        expect(response.status).toBe(404);
        expect(response.body.error).toBe('app.not_found');
      }
      expect(await server.services.store.apps.get('neighbour', theirs.body.id)).not.toBeNull();
      expect((await api('GET', '/tenants/nope/applications')).body.error).toBe('tenant.not_found');
      expect((await api('POST', '/tenants/nope/applications', { name: 'x', redirect_uris: ['https://a.example/cb'] })).body.error).toBe('tenant.not_found');
    });

    it('deletes an application', async () => {
      const created = await api('POST', '/tenants/demo/applications', { name: 'Temp', redirect_uris: ['https://temp.example/cb'] });
      const deleted = await api('DELETE', `/tenants/demo/applications/${created.body.id}`);
      expect(deleted.status).toBe(204);
      expect((await api('GET', `/tenants/demo/applications/${created.body.id}`)).status).toBe(404);
      expect((await api('DELETE', `/tenants/demo/applications/${created.body.id}`)).body.error).toBe('app.not_found');
    });

    it('accepts DELETE with a JSON content type and no body', async () => {
      const created = await api('POST', '/tenants/demo/applications', { name: 'Temp2', redirect_uris: ['https://temp.example/cb'] });
      const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants/demo/applications/${created.body.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      });
      expect(response.status).toBe(204);
    });
  });

  it('answers with cache-control: no-store', async () => {
    const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
