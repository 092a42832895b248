// Admin API for what the OIDC provider serves: API resources, an application's OIDC settings and
// its secret rotation. Every change is checked where it matters — at the provider's own endpoints,
// driven by openid-client — not only in the stored row.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { discover, issuerOf } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from './admin-client.ts';

const API = 'https://api.example.test/inventory';

describe.each(engines)('admin API: API resources and application OIDC settings (%s)', (engine) => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('API resources', () => {
    it('creates, lists, reads, changes and deletes an API resource', async () => {
      const created = await api('POST', '/tenants/demo/api-resources', {
        identifier: 'https://api.example.test/crud',
        name: 'CRUD API',
        scopes: [{ name: 'read:things', description: 'Read things' }, { name: 'write:things' }],
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^api_/),
        identifier: 'https://api.example.test/crud',
        name: 'CRUD API',
        scopes: [
          { name: 'read:things', description: 'Read things' },
          { name: 'write:things', description: '' },
        ],
        access_token_format: 'jwt',
        access_token_ttl_seconds: 600,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      const id = created.body.id as string;
      expect((await api('GET', `/tenants/demo/api-resources/${id}`)).body).toEqual(created.body);
      expect((await api('GET', '/tenants/demo/api-resources')).body.items.map((r: { id: string }) => r.id)).toContain(id);

      const duplicate = await api('POST', '/tenants/demo/api-resources', { identifier: 'https://api.example.test/crud', name: 'Again' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error).toBe('resource.exists');

      const changed = await api('PATCH', `/tenants/demo/api-resources/${id}`, { name: 'Things API', scopes: [{ name: 'read:things' }], access_token_format: 'opaque', access_token_ttl_seconds: 300 });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ identifier: 'https://api.example.test/crud', name: 'Things API', scopes: [{ name: 'read:things', description: '' }], access_token_format: 'opaque', access_token_ttl_seconds: 300 });
      // The identifier is what issued tokens carry as `aud`; it cannot be changed.
      expect((await api('PATCH', `/tenants/demo/api-resources/${id}`, { identifier: 'https://elsewhere.example/' })).status).toBe(400);

      expect((await api('DELETE', `/tenants/demo/api-resources/${id}`)).status).toBe(204);
      const gone = await api('GET', `/tenants/demo/api-resources/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error).toBe('resource.not_found');
    });

    it('refuses bad API resource input with 400', async () => {
      const cases: Array<[unknown, string]> = [
        [{ identifier: 'not a uri', name: 'x' }, 'identifier'],
        [{ identifier: 'https://api.example.test/x#frag', name: 'x' }, 'identifier'],
        [{ identifier: 'https://api.example.test/x', name: '' }, 'name'],
        [{ identifier: 'https://api.example.test/x', name: 'x', scopes: [{ name: 'openid' }] }, 'scopes'],
        [{ identifier: 'https://api.example.test/x', name: 'x', scopes: [{ name: 'has space' }] }, 'scopes/0/name'],
        [{ identifier: 'https://api.example.test/x', name: 'x', scopes: [{ name: 'a' }, { name: 'a' }] }, 'scopes'],
        [{ identifier: 'https://api.example.test/x', name: 'x', access_token_ttl_seconds: 30 }, 'access_token_ttl_seconds'],
        [{ identifier: 'https://api.example.test/x', name: 'x', access_token_format: 'paseto' }, 'access_token_format'],
      ];
      for (const [body, field] of cases) {
        const response = await api('POST', '/tenants/demo/api-resources', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.field, JSON.stringify(body)).toBe(field);
      }
    });

    it("answers 404 for another tenant's API resource", async () => {
      expect((await api('POST', '/tenants', { id: 'other-apis' })).status).toBe(201);
      const theirs = await api('POST', '/tenants/other-apis/api-resources', { identifier: 'https://api.example.test/theirs', name: 'Theirs' });
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const response = await api(method, `/tenants/demo/api-resources/${theirs.body.id}`, method === 'PATCH' ? { name: 'Mine' } : undefined);
        expect(response.status, method).toBe(404);
      }
      expect((await api('GET', `/tenants/other-apis/api-resources/${theirs.body.id}`)).body.name).toBe('Theirs');
    });
  });

  describe('applications', () => {
    it('authorizes a machine client for an API: no token before, only the granted scopes after', async () => {
      await api('POST', '/tenants/demo/api-resources', { identifier: API, name: 'Inventory', scopes: [{ name: 'read:stock' }, { name: 'write:stock' }] });
      const worker = await api('POST', '/tenants/demo/applications', { name: 'Stock worker', redirect_uris: [], grant_types: ['client_credentials'] });
      expect(worker.status).toBe(201);
      const config = await discover(server, worker.body.client_id, worker.body.client_secret);
      await expect(oidc.clientCredentialsGrant(config, { scope: 'read:stock', resource: API })).rejects.toMatchObject({ error: 'invalid_target' });

      const authorized = await api('PATCH', `/tenants/demo/applications/${worker.body.id}`, { client_credentials_scopes: { [API]: ['read:stock'] } });
      expect(authorized.status).toBe(200);
      expect(authorized.body.client_credentials_scopes).toEqual({ [API]: ['read:stock'] });
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:stock write:stock', resource: API });
      const { payload } = await jose.jwtVerify(tokens.access_token, jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`)), { audience: API });
      expect(payload.scope).toBe('read:stock');

      // A scope the API does not have, or an API that does not exist, is refused at write time.
      for (const scopes of [{ [API]: ['delete:stock'] }, { 'https://api.example.test/none': ['read'] }]) {
        const refused = await api('PATCH', `/tenants/demo/applications/${worker.body.id}`, { client_credentials_scopes: scopes });
        expect(refused.status).toBe(400);
        expect(refused.body.field).toBe('client_credentials_scopes');
      }
      // Withdrawing the authorization (null) ends it at the next token request.
      expect((await api('PATCH', `/tenants/demo/applications/${worker.body.id}`, { client_credentials_scopes: null })).body.client_credentials_scopes).toEqual({});
      await expect(oidc.clientCredentialsGrant(config, { scope: 'read:stock', resource: API })).rejects.toMatchObject({ error: 'invalid_target' });
    });

    it('rotates the client secret: shown once, the old one works during the overlap only', async () => {
      const app = await api('POST', '/tenants/demo/applications', { name: 'Rotating', redirect_uris: [], grant_types: ['client_credentials'], client_credentials_scopes: { [API]: ['read:stock'] } });
      const first = app.body.client_secret as string;
      const rotated = await api('POST', `/tenants/demo/applications/${app.body.id}/rotate-secret`, { overlap_seconds: 600 });
      expect(rotated.status).toBe(200);
      const second = rotated.body.client_secret as string;
      expect(second).not.toBe(first);
      expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(590_000);
      expect((await api('GET', `/tenants/demo/applications/${app.body.id}`)).text).not.toContain(second);
      for (const secret of [first, second]) {
        const tokens = await oidc.clientCredentialsGrant(await discover(server, app.body.client_id, secret), { scope: 'read:stock', resource: API });
        expect(tokens.access_token).toBeTruthy();
      }
      const third = (await api('POST', `/tenants/demo/applications/${app.body.id}/rotate-secret`, { overlap_seconds: 0 })).body.client_secret as string;
      for (const stale of [first, second]) {
        await expect(oidc.clientCredentialsGrant(await discover(server, app.body.client_id, stale), { scope: 'read:stock', resource: API })).rejects.toMatchObject({ status: 401 });
      }
      expect((await oidc.clientCredentialsGrant(await discover(server, app.body.client_id, third), { scope: 'read:stock', resource: API })).access_token).toBeTruthy();
      const audit = await api('GET', `/tenants/demo/audit?action=admin.app_secret_rotated&subject=${app.body.id}`);
      expect(audit.body.items).toHaveLength(2);
      expect(audit.text).not.toContain(third);

      const spa = await api('POST', '/tenants/demo/applications', { name: 'SPA', redirect_uris: ['https://spa.example.test/cb'], public: true });
      const refused = await api('POST', `/tenants/demo/applications/${spa.body.id}/rotate-secret`, {});
      expect(refused.status).toBe(400);
    });

    it('a changed redirect URI is what the provider accepts from the next request on', async () => {
      const app = await api('POST', '/tenants/demo/applications', { name: 'Moving', redirect_uris: ['https://old.example.test/cb'] });
      const authorizeWith = async (redirectUri: string) => {
        const url = new URL(`${issuerOf(server)}/auth`);
        url.search = new URLSearchParams({ client_id: app.body.client_id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoWCbu-9VLIqa0Gh9eE8k', code_challenge_method: 'S256' }).toString();
        return new FormClient(server.baseUrl).get(url.pathname + url.search);
      };
      expect((await authorizeWith('https://old.example.test/cb')).status).toBe(303);
      const changed = await api('PATCH', `/tenants/demo/applications/${app.body.id}`, { redirect_uris: ['https://new.example.test/cb'], name: 'Moved' });
      expect(changed.body).toMatchObject({ name: 'Moved', redirect_uris: ['https://new.example.test/cb'] });
      const old = await authorizeWith('https://old.example.test/cb');
      expect(old.status).toBe(400);
      expect(old.location).toBeNull(); // an error page, never a redirect to an unregistered URI
      expect((await authorizeWith('https://new.example.test/cb')).status).toBe(303);
    });

    it('changes and resets OIDC settings, refusing combinations that cannot work', async () => {
      const app = await api('POST', '/tenants/demo/applications', { name: 'Settings', redirect_uris: ['https://settings.example.test/cb'] });
      const path = `/tenants/demo/applications/${app.body.id}`;
      const changed = await api('PATCH', path, { subject_type: 'pairwise', id_token_signed_response_alg: 'EdDSA', backchannel_logout_uri: 'https://settings.example.test/logout', token_endpoint_auth_method: 'client_secret_post' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ subject_type: 'pairwise', id_token_signed_response_alg: 'EdDSA', backchannel_logout_uri: 'https://settings.example.test/logout', token_endpoint_auth_method: 'client_secret_post' });
      const audit = await api('GET', `/tenants/demo/audit?action=admin.app_updated&subject=${app.body.id}`);
      expect(audit.body.items[0].details.changed.sort()).toEqual(['backchannelLogoutUri', 'idTokenSignedResponseAlg', 'subjectType', 'tokenEndpointAuthMethod']);
      const reset = await api('PATCH', path, { subject_type: null, backchannel_logout_uri: null, token_endpoint_auth_method: null });
      expect(reset.body).toMatchObject({ subject_type: 'public', id_token_signed_response_alg: 'EdDSA', backchannel_logout_uri: null, token_endpoint_auth_method: 'client_secret_basic' });

      const cases: Array<[unknown, string]> = [
        [{ token_endpoint_auth_method: 'private_key_jwt' }, 'jwks'],
        [{ token_endpoint_auth_method: 'none' }, 'token_endpoint_auth_method'],
        [{ redirect_uris: [], grant_types: ['authorization_code'] }, 'redirect_uris'],
        [{ client_credentials_scopes: { [API]: ['read:stock'] } }, 'client_credentials_scopes'], // not a client_credentials app
        [{ public: true }, 'public'],
        [{}, undefined as unknown as string],
      ];
      for (const [body, field] of cases) {
        const response = await api('PATCH', path, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        if (field) expect(response.body.field, JSON.stringify(body)).toBe(field);
      }
    });
  });
});
