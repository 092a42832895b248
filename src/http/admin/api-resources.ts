// /tenants/:tenantId/api-resources: the APIs of a tenant that accept access tokens (RFC 8707
// resource indicators), with their scopes and token format.
import type { Services } from '../../app.ts';
import { createApiResource, deleteApiResource, updateApiResource } from '../../core/apps/api-resources.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import { ApiResource, ApiResourceList, ApiResourceParams, CreateApiResourceBody, errorResponses, NoContent, TenantParams, UpdateApiResourceBody, type AdminApp } from './schemas.ts';
import { apiResourceToWire } from './wire.ts';

const tags = ['api-resources'];

export function registerApiResourceRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  async function requireResource(tenantId: string, resourceId: string) {
    const tenant = await requireTenant(store, tenantId);
    const resource = await store.apiResources.get(tenant.id, resourceId);
    if (!resource) throw new FrontdoorError('resource.not_found');
    return resource;
  }

  app.get(
    '/tenants/:tenantId/api-resources',
    { schema: { tags, summary: 'List API resources', params: TenantParams, response: { 200: ApiResourceList, ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return { items: (await store.apiResources.list(tenant.id)).map(apiResourceToWire) };
    },
  );

  app.post(
    '/tenants/:tenantId/api-resources',
    {
      schema: {
        tags,
        summary: 'Create an API resource',
        description: 'Apps ask for its tokens with `resource=<identifier>`; the tokens carry the identifier as `aud`.',
        params: TenantParams,
        body: CreateApiResourceBody,
        response: { 201: ApiResource, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const body = request.body;
      const created = await createApiResource(
        services,
        {
          tenantId: tenant.id,
          identifier: body.identifier,
          name: body.name,
          scopes: (body.scopes ?? []).map((scope) => ({ name: scope.name, ...(scope.description !== undefined ? { description: scope.description } : {}) })),
          ...(body.access_token_format !== undefined ? { accessTokenFormat: body.access_token_format } : {}),
          ...(body.access_token_ttl_seconds !== undefined ? { accessTokenTtlSeconds: body.access_token_ttl_seconds } : {}),
        },
        adminContext(request),
      );
      return reply.status(201).send(apiResourceToWire(created));
    },
  );

  app.get(
    '/tenants/:tenantId/api-resources/:resourceId',
    { schema: { tags, summary: 'Get an API resource', params: ApiResourceParams, response: { 200: ApiResource, ...errorResponses(404) } } },
    async (request) => apiResourceToWire(await requireResource(request.params.tenantId, request.params.resourceId)),
  );

  app.patch(
    '/tenants/:tenantId/api-resources/:resourceId',
    {
      schema: {
        tags,
        summary: 'Change an API resource',
        description: 'The identifier cannot change: issued tokens carry it. A changed format or lifetime applies to tokens issued from now on.',
        params: ApiResourceParams,
        body: UpdateApiResourceBody,
        response: { 200: ApiResource, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const resource = await requireResource(request.params.tenantId, request.params.resourceId);
      const body = request.body;
      const updated = await updateApiResource(
        services,
        resource.tenantId,
        resource.id,
        {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.scopes !== undefined ? { scopes: body.scopes.map((scope) => ({ name: scope.name, ...(scope.description !== undefined ? { description: scope.description } : {}) })) } : {}),
          ...(body.access_token_format !== undefined ? { accessTokenFormat: body.access_token_format } : {}),
          ...(body.access_token_ttl_seconds !== undefined ? { accessTokenTtlSeconds: body.access_token_ttl_seconds } : {}),
        },
        adminContext(request),
      );
      return apiResourceToWire(updated);
    },
  );

  app.delete(
    '/tenants/:tenantId/api-resources/:resourceId',
    { schema: { tags, summary: 'Delete an API resource', description: 'Apps can no longer get tokens for it.', params: ApiResourceParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const resource = await requireResource(request.params.tenantId, request.params.resourceId);
      await deleteApiResource(services, resource.tenantId, resource.id, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
