// /tenants/:tenantId/profile-schema: the attributes a tenant's customer profiles hold (a JSON
// Schema); every profile write is checked against it. /tenants/:tenantId/profile-rules: when to
// ask for which of them (progressive profiling).
import type { Services } from '../../app.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { profileSchemaOf, setProfileSchema } from '../../core/users/profile-schema.ts';
import { adminContext } from './auth.ts';
import { errorResponses, ProfileRulesBody, ProfileSchemaBody, TenantParams, type AdminApp } from './schemas.ts';
import { profileRulesOf, setProfileRules } from '../../core/users/profile-rules.ts';
import type { ProfileRule } from '../../core/ports.ts';

const rulesToWire = (rules: ProfileRule[]) => ({
  rules: rules.map((r) => ({
    id: r.id,
    ask: r.ask,
    ...(r.afterSignIns !== undefined ? { after_sign_ins: r.afterSignIns } : {}),
    ...(r.clientId !== undefined ? { client_id: r.clientId } : {}),
    ...(r.scope !== undefined ? { scope: r.scope } : {}),
    required: r.required,
  })),
});

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

  app.get(
    '/tenants/:tenantId/profile-rules',
    { schema: { tags, summary: 'Progressive profiling rules', params: TenantParams, response: { 200: ProfileRulesBody, ...errorResponses(404) } } },
    async (request) => rulesToWire(profileRulesOf(await requireTenant(store, request.params.tenantId))),
  );

  app.put(
    '/tenants/:tenantId/profile-rules',
    {
      schema: {
        tags,
        summary: 'Replace the progressive profiling rules',
        description:
          'Each rule asks, in one short form after a sign-in, for what of its attributes the profile lacks, once all its triggers hold: `after_sign_ins`, an app (`client_id`), a scope the app asks for. The first due rule shows; a skipped one is not asked again.',
        params: TenantParams,
        body: ProfileRulesBody,
        response: { 200: ProfileRulesBody, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const rules = request.body.rules.map((r) => ({
        id: r.id,
        ask: r.ask,
        ...(r.after_sign_ins !== undefined ? { afterSignIns: r.after_sign_ins } : {}),
        ...(r.client_id !== undefined ? { clientId: r.client_id } : {}),
        ...(r.scope !== undefined ? { scope: r.scope } : {}),
        required: r.required ?? false,
      }));
      return rulesToWire(await setProfileRules(services, tenant, rules, adminContext(request)));
    },
  );

  app.delete(
    '/tenants/:tenantId/profile-schema',
    { schema: { tags, summary: 'Go back to the default profile schema', params: TenantParams, response: { 200: ProfileSchemaBody, ...errorResponses(404) } } },
    async (request) => setProfileSchema(services, await requireTenant(store, request.params.tenantId), null, adminContext(request)),
  );
}
