// Access control (ASVS V8): every admin route answers 401 without a valid admin token and 403 for a
// credential of another kind. The test walks the server's own route table, so a route added later
// without protection fails here.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSetupToken } from '../../../src/core/admin/admin-credentials.ts';
import { adminRouteTable, ADMIN_API_PREFIX, type AdminRoute } from '../../../src/http/admin/index.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from './admin-client.ts';

const PUBLIC_ROUTES = ['GET /admin/api/v1/openapi.json', 'HEAD /admin/api/v1/openapi.json', 'POST /admin/api/v1/bootstrap'];

const routeKey = (route: AdminRoute) => `${route.method} ${route.url}`;

/** A concrete URL for a route pattern; ids need not exist, the guard runs before any lookup. */
function concrete(url: string): string {
  return url.replace(':tenantId', 'demo').replace(/:(\w+)/g, (_, name: string) => `${name.slice(0, 3)}_doesnotexist`);
}

describe.each(engines)('admin API access control (%s)', (engine) => {
  let server: TestServer;
  let protectedRoutes: AdminRoute[];

  beforeAll(async () => {
    server = await startTestServer(engine);
    protectedRoutes = adminRouteTable(server.http.app).filter((route) => !PUBLIC_ROUTES.includes(routeKey(route)));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function call(route: AdminRoute, authorization: string | null) {
    const response = await fetch(`${server.baseUrl}${concrete(route.url)}`, {
      method: route.method,
      headers: authorization === null ? {} : { authorization },
    });
    const text = await response.text();
    return { status: response.status, error: text ? (JSON.parse(text) as { error?: string }).error : undefined, challenge: response.headers.get('www-authenticate') };
  }

  /** Every protected route's answer for one Authorization header, as "METHOD url → status code". */
  async function answers(authorization: string | null): Promise<string[]> {
    const seen: string[] = [];
    for (const route of protectedRoutes) {
      const { status, error, challenge } = await call(route, authorization);
      // HEAD answers carry no body; their status is what counts.
      const code = route.method === 'HEAD' ? '' : ` ${error}`;
      const bearerChallenge = status !== 401 || challenge?.startsWith('Bearer') ? '' : ' (no WWW-Authenticate: Bearer)';
      seen.push(`${routeKey(route)} → ${status}${code}${bearerChallenge}`);
    }
    return seen;
  }

  const expectAll = (seen: string[], status: number, code: string) => {
    const wrong = seen.filter((line) => !line.includes(`→ ${status}`) || line.includes('(no WWW') || (!line.startsWith('HEAD') && !line.endsWith(` ${status} ${code}`)));
    expect(wrong).toEqual([]);
  };

  it('the route table holds the admin API, and only openapi.json and bootstrap are public', () => {
    const table = adminRouteTable(server.http.app);
    expect(table.every((route) => route.url.startsWith(ADMIN_API_PREFIX))).toBe(true);
    expect(table.filter((route) => route.public).map(routeKey).sort()).toEqual([...PUBLIC_ROUTES].sort());
    // Not vacuous: the resources of the API are all in the walk.
    const keys = protectedRoutes.map(routeKey);
    for (const expected of [
      'GET /admin/api/v1/tenants',
      'POST /admin/api/v1/tenants',
      'PATCH /admin/api/v1/tenants/:tenantId',
      'DELETE /admin/api/v1/tenants/:tenantId',
      'POST /admin/api/v1/tenants/:tenantId/applications',
      'DELETE /admin/api/v1/tenants/:tenantId/applications/:appId',
      'GET /admin/api/v1/tenants/:tenantId/users',
      'PATCH /admin/api/v1/tenants/:tenantId/users/:userId',
      'POST /admin/api/v1/tenants/:tenantId/users/:userId/disable',
      'DELETE /admin/api/v1/tenants/:tenantId/users/:userId/sessions/:sessionId',
      'GET /admin/api/v1/tenants/:tenantId/audit',
    ]) {
      expect(keys).toContain(expected);
    }
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(25);
  });

  it('every protected route answers 401 auth.unauthorized with a Bearer challenge without a token', async () => {
    expectAll(await answers(null), 401, 'auth.unauthorized');
  });

  it('every protected route answers 401 for an unknown or malformed bearer token', async () => {
    expectAll(await answers(`Bearer fda_${randomBytes(32).toString('base64url')}`), 401, 'auth.unauthorized');
    expectAll(await answers(`Bearer ${server.adminToken}x`), 401, 'auth.unauthorized');
    expectAll(await answers(`Basic ${Buffer.from(`admin:${server.adminToken}`).toString('base64')}`), 401, 'auth.unauthorized');
    expectAll(await answers(`Bearer ${server.adminToken} extra`), 401, 'auth.unauthorized');
  });

  it('every protected route answers 403 auth.forbidden for a setup token used as a bearer token', async () => {
    const { token: setupToken } = await issueSetupToken(server.services);
    expectAll(await answers(`Bearer ${setupToken}`), 403, 'auth.forbidden');
    expectAll(await answers(`Bearer fds_${randomBytes(32).toString('base64url')}`), 403, 'auth.forbidden');
    // Presenting it did not use it up: it still redeems once.
    const bootstrap = adminApi(server, null);
    expect((await bootstrap('POST', '/bootstrap', { setup_token: setupToken })).status).toBe(201);
  });

  it('the admin token from first start is accepted, in any case of the scheme', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await fetch(`${server.baseUrl}${ADMIN_API_PREFIX}/tenants`, { headers: { authorization: `${scheme} ${server.adminToken}` } });
      expect(response.status).toBe(200);
    }
  });

  it('openapi.json needs no token', async () => {
    const response = await fetch(`${server.baseUrl}${ADMIN_API_PREFIX}/openapi.json`);
    expect(response.status).toBe(200);
  });

  describe('POST /bootstrap', () => {
    it('exchanges a setup token once for a working admin token', async () => {
      const anonymous = adminApi(server, null);
      const { token: setupToken } = await issueSetupToken(server.services);
      const redeemed = await anonymous('POST', '/bootstrap', { setup_token: setupToken, name: 'ops laptop' });
      expect(redeemed.status).toBe(201);
      expect(redeemed.body.token).toMatch(/^fda_/);

      const asNewAdmin = adminApi(server, redeemed.body.token);
      expect((await asNewAdmin('GET', '/tenants')).status).toBe(200);

      const again = await anonymous('POST', '/bootstrap', { setup_token: setupToken });
      expect(again.status).toBe(401);
      expect(again.body.error).toBe('admin.setup_token_invalid');
    });

    it('refuses unknown, expired-looking and malformed setup tokens', async () => {
      const anonymous = adminApi(server, null);
      const unknown = await anonymous('POST', '/bootstrap', { setup_token: `fds_${randomBytes(32).toString('base64url')}` });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toBe('admin.setup_token_invalid');
      // An admin token is not a setup token.
      const adminAsSetup = await anonymous('POST', '/bootstrap', { setup_token: server.adminToken });
      expect(adminAsSetup.status).toBe(401);
      expect(adminAsSetup.body.error).toBe('admin.setup_token_invalid');

      for (const body of [{}, { setup_token: '' }, { setup_token: 'x'.repeat(129) }, { setup_token: 'fds_x', extra: 1 }, { setup_token: 'a\nb' }]) {
        const response = await anonymous('POST', '/bootstrap', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error).toBe('request.invalid');
      }
    });
  });
});
