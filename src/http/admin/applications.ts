// /tenants/:tenantId/applications: the OIDC clients of a tenant. The client secret is returned
// once, by the create and rotate calls; the stored hash is never part of any response.
import type { Services } from '../../app.ts';
import { createApplication, deleteApplication, rotateApplicationSecret, updateApplication, type UpdateApplicationInput } from '../../core/apps/app-admin.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { ApplicationOidcSettings } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import {
  AppParams,
  Application,
  ApplicationList,
  ApplicationWithSecret,
  CreateApplicationBody,
  CreatedApplication,
  errorResponses,
  NoContent,
  RotateSecretBody,
  TenantParams,
  UpdateApplicationBody,
  type AdminApp,
} from './schemas.ts';
import { applicationToWire } from './wire.ts';

const tags = ['applications'];

type WireOidcSettings = {
  token_endpoint_auth_method?: ApplicationOidcSettings['tokenEndpointAuthMethod'] | null;
  id_token_signed_response_alg?: ApplicationOidcSettings['idTokenSignedResponseAlg'] | null;
  subject_type?: ApplicationOidcSettings['subjectType'] | null;
  jwks?: ApplicationOidcSettings['jwks'] | null;
  backchannel_logout_uri?: string | null;
  frontchannel_logout_uri?: string | null;
  client_credentials_scopes?: Record<string, string[]> | null;
  access_token_claims?: ('roles' | 'permissions')[] | null;
};

/** The OIDC settings present in a request body (null kept: it means "back to the default"). */
function oidcSettingsFromWire(body: WireOidcSettings): NonNullable<UpdateApplicationInput['oidc']> {
  const settings: NonNullable<UpdateApplicationInput['oidc']> = {
    tokenEndpointAuthMethod: body.token_endpoint_auth_method,
    idTokenSignedResponseAlg: body.id_token_signed_response_alg,
    subjectType: body.subject_type,
    jwks: body.jwks,
    backchannelLogoutUri: body.backchannel_logout_uri,
    frontchannelLogoutUri: body.frontchannel_logout_uri,
    clientCredentialsScopes: body.client_credentials_scopes,
    accessTokenClaims: body.access_token_claims,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

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
        description: 'Returns `client_secret` once; only its hash is kept. Public clients and private_key_jwt clients get none.',
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
          ...(body.client_id !== undefined ? { clientId: body.client_id } : {}),
          oidc: oidcSettingsFromWire(body) as ApplicationOidcSettings,
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

  app.patch(
    '/tenants/:tenantId/applications/:appId',
    {
      schema: {
        tags,
        summary: 'Change an application',
        description: 'Given fields replace the current ones; `null` sets an OIDC setting back to its default. Every node sees the change at its next request.',
        params: AppParams,
        body: UpdateApplicationBody,
        response: { 200: Application, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const application = await requireApp(request.params.tenantId, request.params.appId);
      const body = request.body;
      const updated = await updateApplication(
        services,
        application.tenantId,
        application.id,
        {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.redirect_uris !== undefined ? { redirectUris: body.redirect_uris } : {}),
          ...(body.post_logout_redirect_uris !== undefined ? { postLogoutRedirectUris: body.post_logout_redirect_uris } : {}),
          ...(body.grant_types !== undefined ? { grantTypes: body.grant_types } : {}),
          ...(body.first_party !== undefined ? { firstParty: body.first_party } : {}),
          oidc: oidcSettingsFromWire(body),
        },
        adminContext(request),
      );
      return applicationToWire(updated);
    },
  );

  app.post(
    '/tenants/:tenantId/applications/:appId/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Rotate the client secret',
        description: 'Returns the new `client_secret` once. The previous secret keeps working for `overlap_seconds` (default 24 h) so deployments can roll over.',
        params: AppParams,
        body: RotateSecretBody,
        response: { 200: ApplicationWithSecret, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const application = await requireApp(request.params.tenantId, request.params.appId);
      const overlap = request.body.overlap_seconds;
      const { app: rotated, clientSecret } = await rotateApplicationSecret(
        services,
        application.tenantId,
        application.id,
        overlap === undefined ? {} : { overlapSeconds: overlap },
        adminContext(request),
      );
      return { ...applicationToWire(rotated), client_secret: clientSecret };
    },
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
