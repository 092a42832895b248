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

export async function createApiResource(deps: Deps, input: CreateApiResourceInput, ctx: RequestContext): Promise<ApiResource> {
  const identifier = checkIdentifier(input.identifier);
  const name = input.name.trim();
  if (!name || name.length > 100) throw new FrontdoorError('request.invalid', { field: 'name' });
  if (!Array.isArray(input.scopes) || input.scopes.length > 100) throw new FrontdoorError('request.invalid', { field: 'scopes' });
  const scopes = input.scopes.map((s) => {
    if (!SCOPE_NAME.test(s.name) || RESERVED_SCOPES.has(s.name)) throw new FrontdoorError('request.invalid', { field: 'scopes', detail: `invalid scope name ${JSON.stringify(s.name).slice(0, 40)}` });
    const description = (s.description ?? '').trim();
    if (description.length > 200) throw new FrontdoorError('request.invalid', { field: 'scopes' });
    return { name: s.name, description };
  });
  if (new Set(scopes.map((s) => s.name)).size !== scopes.length) throw new FrontdoorError('request.invalid', { field: 'scopes', detail: 'duplicate scope' });
  const ttl = input.accessTokenTtlSeconds ?? 600;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 24 * 3600) throw new FrontdoorError('request.invalid', { field: 'access_token_ttl_seconds' });
  const format = input.accessTokenFormat ?? 'jwt';
  if (format !== 'jwt' && format !== 'opaque') throw new FrontdoorError('request.invalid', { field: 'access_token_format' });
  if (!(await deps.store.tenants.get(input.tenantId))) throw new FrontdoorError('tenant.not_found');
  const now = deps.clock.now();
  const resource: ApiResource = { id: newId('api'), tenantId: input.tenantId, identifier, name, scopes, accessTokenFormat: format, accessTokenTtlSeconds: ttl, createdAt: now, updatedAt: now };
  await deps.store.apiResources.create(resource);
  await deps.audit.record(ctx, { tenantId: input.tenantId, action: 'admin.api_resource_created', result: 'success', subject: resource.id, details: { identifier } });
  return resource;
}
