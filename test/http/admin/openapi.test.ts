// The OpenAPI 3.1 document at /admin/api/v1/openapi.json is generated from the schemas that validate
// requests: every admin route is in it, with its request schema, and protected by the bearer scheme.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRouteTable, ADMIN_API_PREFIX, type AdminRoute } from '../../../src/http/admin/index.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Record<string, unknown> }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, any> }> };
  responses: Record<string, unknown>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
  security: Array<Record<string, string[]>>;
}

/** Actions whose whole input is the URL: they take no body. */
// Writes whose whole meaning is in the path: an action on a user, or a relationship put in place.
const BODYLESS_WRITES = new Set([
  'POST /admin/api/v1/tenants/:tenantId/users/:userId/disable',
  'POST /admin/api/v1/tenants/:tenantId/users/:userId/enable',
  'PUT /admin/api/v1/tenants/:tenantId/groups/:groupId/members/:userId',
  'PUT /admin/api/v1/tenants/:tenantId/groups/:groupId/roles/:roleId',
  'PUT /admin/api/v1/tenants/:tenantId/users/:userId/roles/:roleId',
]);
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe.each(engines)('admin API: OpenAPI document (%s)', (engine) => {
  let server: TestServer;
  let doc: Document;
  let routes: AdminRoute[];

  beforeAll(async () => {
    server = await startTestServer(engine);
    const response = await fetch(`${server.baseUrl}${ADMIN_API_PREFIX}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await response.json()) as Document;
    routes = adminRouteTable(server.http.app).filter((r) => r.method !== 'HEAD' && r.url !== `${ADMIN_API_PREFIX}/openapi.json`);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme applied by default', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toContain('Frontdoor');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('lists every admin route and nothing else', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    const served = routes.map((r) => `${r.method} ${openApiPath(r.url)}`);
    expect(documented.sort()).toEqual(served.sort());
    expect(Object.keys(doc.paths).every((path) => path.startsWith(`${ADMIN_API_PREFIX}/`))).toBe(true);
  });

  it('marks only bootstrap as needing no token, and documents 401/403 on the rest', () => {
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      const label = `${route.method} ${route.url}`;
      expect(operation, label).toBeDefined();
      if (route.public) {
        expect(operation?.security, label).toEqual([]);
      } else {
        expect(operation?.security, label).toBeUndefined(); // inherits the document's bearer requirement
        expect(Object.keys(operation?.responses ?? {}), label).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(routes.filter((r) => r.public).map((r) => r.url)).toEqual([`${ADMIN_API_PREFIX}/bootstrap`]);
  });

  it("has every route's request schema: path parameters, query and a closed JSON body", () => {
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()] as Operation;
      const pathParams = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      if (pathParams.length) expect(route.validates.params, label).toBe(true);
      const documentedPathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect(documentedPathParams.map((p) => p.name).sort(), label).toEqual([...pathParams].sort());
      for (const p of documentedPathParams) expect(p.schema.maxLength, `${label} ${p.name}`).toBeTypeOf('number');

      if (route.validates.querystring) {
        const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
        expect(query.length, label).toBeGreaterThan(0);
        expect(query.map((p) => p.name), label).toEqual(expect.arrayContaining(['limit', 'cursor']));
      }

      const writes = ['POST', 'PUT', 'PATCH'].includes(route.method);
      if (writes && !BODYLESS_WRITES.has(`${route.method} ${route.url}`)) {
        expect(route.validates.body, `${label} validates its body`).toBe(true);
        const schema = operation.requestBody?.content['application/json']?.schema;
        expect(schema, label).toBeDefined();
        expect(schema?.type, label).toBe('object');
        expect(schema?.additionalProperties, label).toBe(false);
        for (const [name, property] of Object.entries(schema?.properties ?? {}) as Array<[string, Record<string, unknown>]>) {
          if (property.type === 'string') expect(property.maxLength, `${label} ${name}`).toBeTypeOf('number');
        }
      } else {
        expect(route.validates.body, label).toBe(false);
      }
    }
  });

  it('documents the user list query and the wire format in snake_case', () => {
    const list = doc.paths[`${ADMIN_API_PREFIX}/tenants/{tenantId}/users`]?.get as Operation;
    const names = (list.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(names.sort()).toEqual(['cursor', 'email', 'limit', 'status']);
    const limit = list.parameters?.find((p) => p.name === 'limit');
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    const page = JSON.stringify(list.responses['200']);
    expect(page).toContain('next_cursor');
    expect(page).toContain('email_verified');
    expect(page).not.toMatch(/password|secret_hash|emailVerified/);

    const createApp = doc.paths[`${ADMIN_API_PREFIX}/tenants/{tenantId}/applications`]?.post as Operation;
    const created = JSON.stringify(createApp.responses['201']);
    expect(created).toContain('client_secret');
    expect(created).not.toContain('secret_hash');
  });
});
