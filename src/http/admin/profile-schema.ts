// /tenants/:tenantId/profile-schema: the attributes a tenant's customer profiles hold (a JSON
// Schema); every profile write is checked against it.
import type { Services } from '../../app.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { profileSchemaOf, setProfileSchema } from '../../core/users/profile-schema.ts';
import { adminContext } from './auth.ts';
import { errorResponses, ProfileSchemaBody, TenantParams, type AdminApp } from './schemas.ts';

const tags = ['profile schema'];

export function registerProfileSchemaRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  app.get(
    '/tenants/:tenantId/profile-schema',
    { schema: { tags, summary: 'The profile schema', description: 'The tenant’s own, or the default (the OpenID Connect profile claims, all optional).', params: TenantParams, response: { 200: ProfileSchemaBody, ...errorResponses(404) } } },
    async (request) => profileSchemaOf(await requireTenant(store, request.params.tenantId)),
  );

  app.put(
    '/tenants/:tenantId/profile-schema',
    {
      schema: {
        tags,
        summary: 'Replace the profile schema',
        description: 'Applies to every profile write from now on; stored profiles are not rewritten, and a customer’s edit is checked only for what it changes.',
        params: TenantParams,
        body: ProfileSchemaBody,
        response: { 200: ProfileSchemaBody, ...errorResponses(400, 404) },
      },
    },
    async (request) => setProfileSchema(services, await requireTenant(store, request.params.tenantId), request.body, adminContext(request)),
  );

  app.delete(
    '/tenants/:tenantId/profile-schema',
    { schema: { tags, summary: 'Go back to the default profile schema', params: TenantParams, response: { 200: ProfileSchemaBody, ...errorResponses(404) } } },
    async (request) => setProfileSchema(services, await requireTenant(store, request.params.tenantId), null, adminContext(request)),
  );
}
