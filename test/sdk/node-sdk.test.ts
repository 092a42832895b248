// The Node SDK (sdk/node) protecting real APIs — a Fastify one and an Express one — with tokens a
// real client (openid-client) got from Frontdoor: no token or a bad one is 401, a missing scope 403
// (both with the RFC 6750 challenge), a token for another API or a tampered one refused; and its
// check client asking the check API.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthzClient, createTokenVerifier, expressRequireScopes, fastifyRequireScopes } from '../../sdk/node/index.js';
import { engines } from '../support/engines.ts';
import { discover, issuerOf, makeApp, makeUser } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminApi } from '../http/admin/admin-client.ts';

const API = 'https://orders.api.example';
const OTHER_API = 'https://billing.api.example';

describe.each(engines)('Node SDK (%s)', (engine) => {
  let server: TestServer;
  let fastifyUrl: string;
  let expressUrl: string;
  let closeExpress: () => void;
  const fastifyApi = Fastify();
  let tokens: { read: string; readWrite: string; other: string };
  let worker: { clientId: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(engine);
    const api = adminApi(server);
    for (const [identifier, scopes] of [[API, ['read:orders', 'write:orders']], [OTHER_API, ['read:invoices']]] as const) {
      expect((await api('POST', '/tenants/demo/api-resources', { identifier, name: identifier, scopes: scopes.map((name) => ({ name })) })).status).toBe(201);
    }
    const grant = async (scopes: Record<string, string[]>, scope: string, resource: string) => {
      const { app, clientSecret } = await makeApp(server, { name: `worker ${scope}`, redirectUris: [], grantTypes: ['client_credentials'], oidc: { clientCredentialsScopes: scopes } });
      const config = await discover(server, app.clientId, clientSecret);
      return { token: (await oidc.clientCredentialsGrant(config, { scope, resource })).access_token, clientId: app.clientId, secret: clientSecret! };
    };
    const read = await grant({ [API]: ['read:orders'] }, 'read:orders', API);
    tokens = {
      read: read.token,
      readWrite: (await grant({ [API]: ['read:orders', 'write:orders'] }, 'read:orders write:orders', API)).token,
      other: (await grant({ [OTHER_API]: ['read:invoices'] }, 'read:invoices', OTHER_API)).token,
    };
    worker = { clientId: read.clientId, secret: read.secret };

    const verifier = createTokenVerifier({ issuer: issuerOf(server).toString(), audience: API });
    fastifyApi.get('/orders', { preHandler: fastifyRequireScopes(verifier, 'read:orders') }, async (request) => ({ client: (request as unknown as { frontdoor: { client_id: string } }).frontdoor.client_id }));
    fastifyApi.post('/orders', { preHandler: fastifyRequireScopes(verifier, 'write:orders') }, async () => ({ created: true }));
    fastifyUrl = await fastifyApi.listen({ host: '127.0.0.1', port: 0 });

    const app = express();
    app.get('/orders', expressRequireScopes(verifier, 'read:orders'), (req, res) => res.json({ client: (req as unknown as { frontdoor: { client_id: string } }).frontdoor.client_id }));
    app.post('/orders', expressRequireScopes(verifier, 'write:orders'), (_req, res) => res.json({ created: true }));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    expressUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    closeExpress = () => listening.close();
  });
  afterAll(async () => {
    closeExpress?.();
    await fastifyApi.close();
    await server?.close();
  });

  for (const framework of ['fastify', 'express'] as const) {
    it(`protects a ${framework} API: 401 without a good token, 403 without the scope, the claims for the handler`, async () => {
      const base = framework === 'fastify' ? fastifyUrl : expressUrl;
      const call = (method: string, token: string | null) => fetch(`${base}/orders`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

      const none = await call('GET', null);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

      const ok = await call('GET', tokens.read);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ client: worker.clientId });

      const noWrite = await call('POST', tokens.read);
      expect(noWrite.status).toBe(403);
      expect(noWrite.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(noWrite.headers.get('www-authenticate')).toContain('scope="write:orders"');
      expect((await call('POST', tokens.readWrite)).status).toBe(200);

      // A token for another API, a tampered one, one signed by someone else.
      expect((await call('GET', tokens.other)).status).toBe(401);
      const [header, payload, signature] = tokens.read.split('.');
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), scope: 'read:orders write:orders' })).toString('base64url');
      expect((await call('POST', `${header}.${widened}.${signature}`)).status).toBe(401);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
      expect((await call('GET', unsigned)).status).toBe(401);
    });
  }

  it('asks the check API with the app’s client credentials', async () => {
    const api = adminApi(server);
    const role = await api('POST', '/tenants/demo/roles', { name: 'order-reader', permissions: [{ api: API, permission: 'read:orders' }] });
    const user = await makeUser(server, `sdk.${engine}@example.com`);
    await api('PUT', `/tenants/demo/users/${user.id}/roles/${role.body.id}`);
    const client = createAuthzClient({ baseUrl: server.baseUrl, tenant: 'demo', clientId: worker.clientId, clientSecret: worker.secret });
    expect(await client.check({ subject: user.id, action: 'read:orders', api: API })).toEqual({ allowed: true, reason: 'granted by role order-reader', role: 'order-reader' });
    expect((await client.checkMany([{ subject: user.id, action: 'read:orders' }, { subject: user.id, action: 'write:orders' }])).map((d) => d.allowed)).toEqual([true, false]);
    const wrong = createAuthzClient({ baseUrl: server.baseUrl, tenant: 'demo', clientId: worker.clientId, clientSecret: 'not-the-secret' });
    await expect(wrong.check({ subject: user.id, action: 'read:orders' })).rejects.toThrow(/401/);
  });
});
