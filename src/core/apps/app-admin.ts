// Applications are the OIDC clients of a tenant. A confidential app's secret is shown once, at
// creation; only its SHA-256 is kept (a long random secret needs no slow hash).
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Application, Clock, Store, TenantId } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const;

export interface CreateApplicationInput {
  tenantId: TenantId;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  public?: boolean;
  firstParty?: boolean;
}

function validRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  // http only for loopback (native apps and development); custom schemes for native apps.
  if (url.protocol === 'http:') return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol);
}

export async function createApplication(
  deps: { store: Store; clock: Clock; audit: AuditLog },
  input: CreateApplicationInput,
  ctx: RequestContext,
): Promise<{ app: Application; clientSecret: string | null }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new FrontdoorError('request.invalid', { field: 'name' });
  for (const uri of [...input.redirectUris, ...(input.postLogoutRedirectUris ?? [])]) {
    if (uri.length > 2000 || !validRedirectUri(uri)) throw new FrontdoorError('request.invalid', { field: 'redirect_uris', detail: 'redirect URIs must be absolute https (http only on loopback), without fragment' });
  }
  const grantTypes = input.grantTypes?.length ? [...new Set(input.grantTypes)] : ['authorization_code', 'refresh_token'];
  if (!grantTypes.every((g) => (GRANT_TYPES as readonly string[]).includes(g))) throw new FrontdoorError('request.invalid', { field: 'grant_types' });
  const isPublic = input.public ?? false;
  if (isPublic && grantTypes.includes('client_credentials')) throw new FrontdoorError('request.invalid', { field: 'grant_types', detail: 'public clients cannot use client_credentials' });
  if (grantTypes.includes('authorization_code') && input.redirectUris.length === 0) throw new FrontdoorError('request.invalid', { field: 'redirect_uris', detail: 'authorization_code needs a redirect URI' });
  if (!(await deps.store.tenants.get(input.tenantId))) throw new FrontdoorError('tenant.not_found');

  const now = deps.clock.now();
  const clientSecret = isPublic ? null : randomToken();
  const app: Application = {
    id: newId('app'),
    tenantId: input.tenantId,
    clientId: randomToken(16),
    name,
    public: isPublic,
    secretHash: clientSecret ? hashToken(clientSecret) : null,
    redirectUris: [...new Set(input.redirectUris)],
    postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris ?? [])],
    grantTypes,
    firstParty: input.firstParty ?? true,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.apps.create(app);
  await deps.audit.record(ctx, { tenantId: app.tenantId, action: 'admin.app_created', result: 'success', subject: app.id });
  return { app, clientSecret };
}
