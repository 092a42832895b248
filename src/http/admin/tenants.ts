// /tenants: create, list, read, change and delete tenants.
import type { Static } from 'typebox';
import type { Services } from '../../app.ts';
import { createTenant, deleteTenant, requireTenant, updateTenant } from '../../core/tenants/tenant-admin.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { TenantBranding, TenantSettings } from '../../core/ports.ts';
import { adminContext } from './auth.ts';
import { CreateTenantBody, errorResponses, NoContent, Tenant, TenantList, TenantParams, UpdateTenantBody, type AdminApp } from './schemas.ts';
import { brandingFromWire, brandingToWire, settingsFromWire, settingsToWire, tenantToWire } from './wire.ts';

const tags = ['tenants'];

/** JSON merge patch (RFC 7396) of one flat object: null removes a key, a value replaces it. */
function merge<T extends object>(current: T, patch: object): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as T;
}

function mergeBranding(current: TenantBranding, patch: NonNullable<Static<typeof UpdateTenantBody>['branding']>): TenantBranding {
  return brandingFromWire(merge(brandingToWire(current), patch));
}

function mergeSettings(current: TenantSettings, patch: NonNullable<Static<typeof UpdateTenantBody>['settings']>): TenantSettings {
  // Settings with endpoints of their own (the profile schema, profile rules) are not on this wire:
  // they are kept as they are, not dropped by a patch of the others.
  const onWire = settingsFromWire(settingsToWire(current));
  const elsewhere = Object.fromEntries(Object.entries(current).filter(([key]) => !(key in onWire)));
  return { ...elsewhere, ...settingsFromWire(merge(settingsToWire(current), patch)) };
}

export function registerTenantRoutes(app: AdminApp, services: Services): void {
  app.get('/tenants', { schema: { tags, summary: 'List tenants', response: { 200: TenantList, ...errorResponses() } } }, async () => {
    const tenants = await services.store.tenants.list();
    return { items: tenants.map(tenantToWire) };
  });

  app.post(
    '/tenants',
    { schema: { tags, summary: 'Create a tenant', body: CreateTenantBody, response: { 201: Tenant, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      const { id, name, branding, settings } = request.body;
      const tenant = await createTenant(
        services,
        {
          id,
          ...(name !== undefined ? { name } : {}),
          ...(branding ? { branding: brandingFromWire(branding) } : {}),
          ...(settings ? { settings: settingsFromWire(settings) } : {}),
        },
        adminContext(request),
      );
      return reply.status(201).send(tenantToWire(tenant));
    },
  );

  app.get(
    '/tenants/:tenantId',
    { schema: { tags, summary: 'Get a tenant', params: TenantParams, response: { 200: Tenant, ...errorResponses(404) } } },
    async (request) => tenantToWire(await requireTenant(services.store, request.params.tenantId)),
  );

  app.patch(
    '/tenants/:tenantId',
    {
      schema: {
        tags,
        summary: 'Change a tenant',
        description: 'Branding and settings are merged into the stored ones (JSON merge patch: `null` removes a key).',
        params: TenantParams,
        body: UpdateTenantBody,
        response: { 200: Tenant, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const current = await requireTenant(services.store, request.params.tenantId);
      const { name, branding, settings } = request.body;
      const patch: { name?: string; branding?: TenantBranding; settings?: TenantSettings } = {};
      if (name !== undefined) {
        patch.name = name.trim();
        if (!patch.name) throw new FrontdoorError('request.invalid', { field: 'name' });
      }
      if (branding) patch.branding = mergeBranding(current.branding, branding);
      if (settings) patch.settings = mergeSettings(current.settings, settings);
      return tenantToWire(await updateTenant(services, current.id, patch, adminContext(request)));
    },
  );

  app.delete(
    '/tenants/:tenantId',
    {
      schema: {
        tags,
        summary: 'Delete a tenant',
        description: 'Deletes the tenant with its applications, users and sessions. Its audit events are kept.',
        params: TenantParams,
        response: { 204: NoContent, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(services.store, request.params.tenantId);
      await deleteTenant(services, tenant.id, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
