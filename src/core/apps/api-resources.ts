// API resources (RFC 8707): an API that accepts access tokens, named by an absolute URI, with the
// scopes (permissions) apps may ask for. Tokens for a resource carry it as `aud`.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { ApiResource, Clock, Store, TenantId } from '../ports.ts';
import { newId } from '../secrets.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };

export interface CreateApiResourceInput {
  tenantId: TenantId;
  identifier: string;
  name: string;
  scopes: { name: string; description?: string }[];
  accessTokenFormat?: 'jwt' | 'opaque';
  accessTokenTtlSeconds?: number;
}

const SCOPE_NAME = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/; // RFC 6749 scope-token, bounded
const RESERVED_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'phone', 'address']);

function checkIdentifier(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FrontdoorError('request.invalid', { field: 'identifier', detail: 'an absolute URI' });
  }
  if (value.length > 500 || url.hash) throw new FrontdoorError('request.invalid', { field: 'identifier', detail: 'an absolute URI without fragment' });
  return value;
}

function checkName(value: string): string {
  const name = value.trim();
  if (!name || name.length > 100) throw new FrontdoorError('request.invalid', { field: 'name' });
  return name;
}

function checkScopes(input: { name: string; description?: string }[]): ApiResource['scopes'] {
  if (!Array.isArray(input) || input.length > 100) throw new FrontdoorError('request.invalid', { field: 'scopes' });
  const scopes = input.map((s) => {
    if (!SCOPE_NAME.test(s.name) || RESERVED_SCOPES.has(s.name)) throw new FrontdoorError('request.invalid', { field: 'scopes', detail: `invalid scope name ${JSON.stringify(s.name).slice(0, 40)}` });
    const description = (s.description ?? '').trim();
    if (description.length > 200) throw new FrontdoorError('request.invalid', { field: 'scopes' });
    return { name: s.name, description };
  });
  if (new Set(scopes.map((s) => s.name)).size !== scopes.length) throw new FrontdoorError('request.invalid', { field: 'scopes', detail: 'duplicate scope' });
  return scopes;
}

function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 24 * 3600) throw new FrontdoorError('request.invalid', { field: 'access_token_ttl_seconds' });
  return ttl;
}

function checkFormat(format: string): ApiResource['accessTokenFormat'] {
  if (format !== 'jwt' && format !== 'opaque') throw new FrontdoorError('request.invalid', { field: 'access_token_format' });
  return format;
}

export async function createApiResource(deps: Deps, input: CreateApiResourceInput, ctx: RequestContext): Promise<ApiResource> {
  const identifier = checkIdentifier(input.identifier);
  const name = checkName(input.name);
  const scopes = checkScopes(input.scopes);
  const ttl = checkTtl(input.accessTokenTtlSeconds ?? 600);
  const format = checkFormat(input.accessTokenFormat ?? 'jwt');
  if (!(await deps.store.tenants.get(input.tenantId))) throw new FrontdoorError('tenant.not_found');
  const now = deps.clock.now();
  const resource: ApiResource = { id: newId('api'), tenantId: input.tenantId, identifier, name, scopes, accessTokenFormat: format, accessTokenTtlSeconds: ttl, createdAt: now, updatedAt: now };
  await deps.store.apiResources.create(resource);
  await deps.audit.record(ctx, { tenantId: input.tenantId, action: 'admin.api_resource_created', result: 'success', subject: resource.id, details: { identifier } });
  return resource;
}

export interface UpdateApiResourceInput {
  name?: string;
  scopes?: { name: string; description?: string }[];
  accessTokenFormat?: 'jwt' | 'opaque';
  accessTokenTtlSeconds?: number;
}

/** The identifier never changes: tokens already issued carry it as their audience. */
export async function updateApiResource(deps: Deps, tenantId: TenantId, id: string, input: UpdateApiResourceInput, ctx: RequestContext): Promise<ApiResource> {
  const patch = {
    ...(input.name !== undefined ? { name: checkName(input.name) } : {}),
    ...(input.scopes !== undefined ? { scopes: checkScopes(input.scopes) } : {}),
    ...(input.accessTokenFormat !== undefined ? { accessTokenFormat: checkFormat(input.accessTokenFormat) } : {}),
    ...(input.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: checkTtl(input.accessTokenTtlSeconds) } : {}),
  };
  const updated = await deps.store.apiResources.update(tenantId, id, patch, deps.clock.now());
  if (!updated) throw new FrontdoorError('resource.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.api_resource_updated', result: 'success', subject: id, details: { changed: Object.keys(patch) } });
  return updated;
}

export async function deleteApiResource(deps: Deps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.apiResources.delete(tenantId, id))) throw new FrontdoorError('resource.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.api_resource_deleted', result: 'success', subject: id });
}
