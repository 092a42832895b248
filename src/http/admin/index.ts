// The admin API under /admin/api/v1: one encapsulated plugin with its own validator (TypeBox:
// unknown properties are refused, not silently dropped), bearer authentication on every route not
// marked public, and @fastify/swagger building the OpenAPI 3.1 document from the same schemas.
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { registerApplicationRoutes } from './applications.ts';
import { registerApiResourceRoutes } from './api-resources.ts';
import { registerAuthorizationRoutes } from './authorization.ts';
import { registerOrganizationRoutes } from './organizations.ts';
import { registerConnectionRoutes } from './connections.ts';
import { registerHouseholdRoutes } from './households.ts';
import { registerAuditRoutes } from './audit.ts';
import { registerConsentRoutes } from './consent.ts';
import { registerProfileSchemaRoutes } from './profile-schema.ts';
import { registerAdminAuth } from './auth.ts';
import { registerBootstrapRoute } from './bootstrap.ts';
import { registerTenantRoutes } from './tenants.ts';
import { registerUserRoutes } from './users.ts';
import { registerAdminParsing } from './validation.ts';
import { ADMIN_API_PREFIX } from './paths.ts';

export { ADMIN_API_PREFIX, OPENAPI_PATH } from './paths.ts';

export interface AdminRoute {
  method: string;
  url: string;
  /** Marked `config.adminPublic`: reachable without a bearer token. */
  public: boolean;
  /** Which request parts have a validation schema. */
  validates: { body: boolean; querystring: boolean; params: boolean };
}

const routeTables = new WeakMap<FastifyInstance, AdminRoute[]>();

/**
 * Every route registered under ADMIN_API_PREFIX on this server — from any plugin, not only this
 * one — so the access-control test walks what is really served.
 */
export function adminRouteTable(app: FastifyInstance): readonly AdminRoute[] {
  return routeTables.get(app) ?? [];
}

export async function registerAdminApi(app: FastifyInstance, services: Services): Promise<void> {
  const table: AdminRoute[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    if (route.url !== ADMIN_API_PREFIX && !route.url.startsWith(`${ADMIN_API_PREFIX}/`)) return;
    const schema = route.schema ?? {};
    const validates = { body: schema.body !== undefined, querystring: schema.querystring !== undefined, params: schema.params !== undefined };
    for (const method of [route.method].flat()) table.push({ method, url: route.url, public: route.config?.adminPublic === true, validates });
  });

  await app.register(
    async (scope) => {
      const admin = scope.withTypeProvider<TypeBoxTypeProvider>();
      registerAdminParsing(admin);
      await admin.register(fastifySwagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: 'Frontdoor admin API',
            version: '1',
            description: 'Manage tenants, applications, users, sessions and audit. Errors are `{error, message, field?}`; match on `error`.',
          },
          servers: [{ url: services.config.baseUrl.origin }],
          components: {
            securitySchemes: {
              bearer: { type: 'http', scheme: 'bearer', description: 'An admin token (`fda_…`): printed at first start, or from `frontdoor admin token create` / `POST /admin/api/v1/bootstrap`.' },
            },
          },
          security: [{ bearer: [] }],
          tags: [
            { name: 'tenants', description: 'Tenants and their settings' },
            { name: 'applications', description: 'OIDC clients of a tenant' },
            { name: 'users', description: 'Users and their sessions' },
            { name: 'audit', description: 'Security audit events' },
            { name: 'connections', description: 'Upstream identity providers (social and enterprise login)' },
            { name: 'consent', description: 'Consent purposes, their policy versions, and customers\' choices' },
            { name: 'admin', description: 'Admin credentials' },
          ],
        },
      });
      registerAdminAuth(admin, services);

      admin.get('/openapi.json', { config: { adminPublic: true }, schema: { hide: true } }, async () => admin.swagger());
      registerBootstrapRoute(admin, services);
      registerTenantRoutes(admin, services);
      registerApplicationRoutes(admin, services);
      registerApiResourceRoutes(admin, services);
      registerAuthorizationRoutes(admin, services);
      registerOrganizationRoutes(admin, services);
      registerConnectionRoutes(admin, services);
      registerHouseholdRoutes(admin, services);
      registerUserRoutes(admin, services);
      registerAuditRoutes(admin, services);
      registerConsentRoutes(admin, services);
      registerProfileSchemaRoutes(admin, services);
    },
    { prefix: ADMIN_API_PREFIX },
  );
}
