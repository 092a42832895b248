// /tenants/:tenantId/applications: the OIDC clients of a tenant. The client secret is returned
// once, by the create call; the stored hash is never part of any response.
import type { Services } from '../../app.ts';
import { createApplication, deleteApplication } from '../../core/apps/app-admin.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import { AppParams, Application, ApplicationList, CreateApplicationBody, CreatedApplication, errorResponses, NoContent, TenantParams, type AdminApp } from './schemas.ts';
import { applicationToWire } from './wire.ts';

const tags = ['applications'];

export function registerApplicationRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  async function requireApp(tenantId: string, appId: string) {
    const tenant = await requireTenant(store, tenantId);
    const application = await store.apps.get(tenant.id, appId);
    if (!application) throw new FrontdoorError('app.not_found');
    return application;
  }

  app.get(
    '/tenants/:tenantId/applications',
    { schema: { tags, summary: 'List applications', params: TenantParams, response: { 200: ApplicationList, ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return { items: (await store.apps.list(tenant.id)).map(applicationToWire) };
    },
  );

  app.post(
    '/tenants/:tenantId/applications',
    {
      schema: {
        tags,
        summary: 'Create an application',
        description: 'Returns `client_secret` once; only its hash is kept. Public clients get none.',
        params: TenantParams,
        body: CreateApplicationBody,
        response: { 201: CreatedApplication, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const body = request.body;
      const { app: created, clientSecret } = await createApplication(
        services,
        {
          tenantId: tenant.id,
          name: body.name,
          redirectUris: body.redirect_uris,
          ...(body.post_logout_redirect_uris ? { postLogoutRedirectUris: body.post_logout_redirect_uris } : {}),
          ...(body.grant_types ? { grantTypes: body.grant_types } : {}),
          ...(body.public !== undefined ? { public: body.public } : {}),
          ...(body.first_party !== undefined ? { firstParty: body.first_party } : {}),
        },
        adminContext(request),
      );
      return reply.status(201).send({ ...applicationToWire(created), client_secret: clientSecret });
    },
  );

  app.get(
    '/tenants/:tenantId/applications/:appId',
    { schema: { tags, summary: 'Get an application', params: AppParams, response: { 200: Application, ...errorResponses(404) } } },
    async (request) => applicationToWire(await requireApp(request.params.tenantId, request.params.appId)),
  );

  app.delete(
    '/tenants/:tenantId/applications/:appId',
    { schema: { tags, summary: 'Delete an application', params: AppParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const application = await requireApp(request.params.tenantId, request.params.appId);
      await deleteApplication(services, application.tenantId, application.id, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
