// A tenant's connections to upstream identity providers: generic OpenID Connect (discovery),
// OAuth 2.0 (endpoints given) and SAML 2.0 (the IdP's entity id, SSO URL, certificates), with presets for Google, Microsoft, Apple and GitHub that fill in
// what those providers always need. The client secret is write-only: stored sealed, never returned
// (the wire says only whether one is set).
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import { X509Certificate } from 'node:crypto';
import type { Clock, Connection, ConnectionPreset, ConnectionSettings, ConnectionType, SamlIdpSettings, Store, Tenant } from '../ports.ts';
import { newId } from '../secrets.ts';

export interface ConnectionAdminDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}

/** Where a connection lives on our side: its callback (the SAML ACS too) and its SAML SP metadata. */
export function connectionUrls(baseUrl: string | URL, tenantId: string, connectionId: string): { callback: string; samlMetadata: string } {
  const root = `/t/${encodeURIComponent(tenantId)}/connections/${encodeURIComponent(connectionId)}`;
  return { callback: new URL(`${root}/callback`, baseUrl).toString(), samlMetadata: new URL(`${root}/saml/metadata`, baseUrl).toString() };
}

export const CONNECTION_PRESETS: readonly ConnectionPreset[] = ['google', 'microsoft', 'apple', 'github'];

/** What a preset fills in; anything the admin gives wins. */
const PRESETS: Record<ConnectionPreset, { type: ConnectionType; name: string; settings: Partial<ConnectionSettings> }> = {
  google: { type: 'oidc', name: 'Google', settings: { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] } },
  // `common`: any work, school or personal account; openid-client checks the ID token's issuer
  // against the `{tenantid}` template with the token's own `tid`.
  microsoft: { type: 'oidc', name: 'Microsoft', settings: { issuer: 'https://login.microsoftonline.com/common/v2.0', scopes: ['openid', 'email', 'profile'] } },
  // Apple posts the response back (form_post) and sends the name only on the first sign-in, in the
  // `user` field of that post; the client secret is a short-lived ES256 JWT made per request.
  apple: { type: 'oidc', name: 'Apple', settings: { issuer: 'https://appleid.apple.com', scopes: ['openid', 'email', 'name'], responseMode: 'form_post' } },
  // OAuth 2.0 only: the account from /user, the verified primary address from /user/emails.
  github: {
    type: 'oauth2',
    name: 'GitHub',
    settings: {
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
      userinfoEndpoint: 'https://api.github.com/user',
      emailsEndpoint: 'https://api.github.com/user/emails',
      scopes: ['read:user', 'user:email'],
    },
  },
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An upstream URL: https, or http on this machine (development and tests), no credentials, no fragment. */
export function checkUpstreamUrl(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FrontdoorError('request.invalid', { field, detail: 'not a URL' });
  }
  const ok = (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) && !url.username && !url.password && !url.hash;
  if (!ok) throw new FrontdoorError('request.invalid', { field, detail: 'must be https (http only on localhost)' });
  // Kept as given: an issuer must equal the one its discovery document names, character for character.
  return value;
}

/** At most this many certificates (a key roll has two; more is a mistake). */
const MAX_SAML_CERTIFICATES = 5;

/** A SAML identity provider: its entity id, an https SSO URL, and certificates that parse (kept as PEM). */
function checkSamlIdp(idp: SamlIdpSettings | undefined): SamlIdpSettings {
  if (!idp) throw new FrontdoorError('request.invalid', { field: 'settings.saml', detail: 'a SAML connection needs its identity provider (metadata or entity id, SSO URL and certificate)' });
  if (typeof idp.entityId !== 'string' || idp.entityId.length === 0 || idp.entityId.length > 1024) throw new FrontdoorError('request.invalid', { field: 'settings.saml.entity_id' });
  const ssoUrl = checkUpstreamUrl(idp.ssoUrl, 'settings.saml.sso_url');
  if (!ssoUrl) throw new FrontdoorError('request.invalid', { field: 'settings.saml.sso_url', detail: 'the single sign-on URL is needed' });
  if (!Array.isArray(idp.certificates) || idp.certificates.length === 0 || idp.certificates.length > MAX_SAML_CERTIFICATES) {
    throw new FrontdoorError('request.invalid', { field: 'settings.saml.certificates', detail: `one to ${MAX_SAML_CERTIFICATES} signing certificates` });
  }
  const certificates = idp.certificates.map((given) => {
    try {
      return new X509Certificate(given).toString();
    } catch {
      throw new FrontdoorError('request.invalid', { field: 'settings.saml.certificates', detail: 'not a PEM X.509 certificate' });
    }
  });
  const skew = idp.clockSkewSeconds;
  if (skew !== undefined && (!Number.isInteger(skew) || skew < 0 || skew > 600)) throw new FrontdoorError('request.invalid', { field: 'settings.saml.clock_skew_seconds', detail: '0 to 600 seconds' });
  return { entityId: idp.entityId, ssoUrl, certificates, ...(skew !== undefined ? { clockSkewSeconds: skew } : {}) };
}

export interface ConnectionInput {
  type?: ConnectionType;
  preset?: ConnectionPreset;
  name?: string;
  /** saml: our SP entity id, when the IdP knows us by another than our metadata URL. */
  clientId?: string;
  clientSecret?: string;
  settings?: Partial<ConnectionSettings>;
  enabled?: boolean;
}

/** The settings made whole and checked: the preset's defaults, URLs, domains, what each type needs. */
async function completeSettings(store: Store, tenant: Tenant, type: ConnectionType, preset: ConnectionPreset | null, given: Partial<ConnectionSettings>): Promise<ConnectionSettings> {
  const defaults = preset ? PRESETS[preset].settings : {};
  const merged: ConnectionSettings = { ...defaults, ...given, scopes: given.scopes ?? defaults.scopes ?? (type === 'oidc' ? ['openid', 'email', 'profile'] : []) } as ConnectionSettings;
  for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'emailsEndpoint'] as const) {
    const checked = checkUpstreamUrl(merged[field], `settings.${field}`);
    if (checked === undefined) delete merged[field];
    else merged[field] = checked;
  }
  if (type === 'saml') {
    merged.scopes = [];
    merged.saml = checkSamlIdp(merged.saml);
  } else if (type === 'oidc') {
    if (!merged.issuer) throw new FrontdoorError('request.invalid', { field: 'settings.issuer', detail: 'an OpenID Connect connection needs its issuer' });
    if (!merged.scopes.includes('openid')) merged.scopes = ['openid', ...merged.scopes];
  } else {
    for (const field of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const) {
      if (!merged[field]) throw new FrontdoorError('request.invalid', { field: `settings.${field}`, detail: 'an OAuth 2.0 connection needs its endpoints' });
    }
  }
  if (merged.iconUrl !== undefined && !/^data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(merged.iconUrl)) {
    throw new FrontdoorError('request.invalid', { field: 'settings.icon_url', detail: 'a data:image/… URL' });
  }
  if (merged.domains) {
    const domains = [...new Set(merged.domains.map((d) => d.trim().toLowerCase()))];
    for (const d of domains) if (!DOMAIN.test(d)) throw new FrontdoorError('request.invalid', { field: 'settings.domains', detail: 'not a domain name' });
    merged.domains = domains;
  }
  if (merged.organizationId !== undefined && !(await store.organizations.get(tenant.id, merged.organizationId))) throw new FrontdoorError('organization.not_found', { field: 'settings.organization_id' });
  if (preset === 'apple' && !merged.apple) throw new FrontdoorError('request.invalid', { field: 'settings.apple', detail: 'Apple needs the team id and key id' });
  return merged;
}

export async function requireConnection(store: Store, tenantId: string, id: string): Promise<Connection> {
  const connection = await store.connections.get(tenantId, id);
  if (!connection) throw new FrontdoorError('connection.not_found');
  return connection;
}

export async function createConnection(deps: ConnectionAdminDeps, tenant: Tenant, input: ConnectionInput, ctx: RequestContext): Promise<Connection> {
  const preset = input.preset ?? null;
  const type = preset ? PRESETS[preset].type : input.type;
  if (!type) throw new FrontdoorError('request.invalid', { field: 'type' });
  if (input.type && input.type !== type) throw new FrontdoorError('request.invalid', { field: 'type', detail: 'the preset sets the type' });
  const settings = await completeSettings(deps.store, tenant, type, preset, input.settings ?? {});
  if (type === 'saml' && input.clientSecret) throw new FrontdoorError('request.invalid', { field: 'client_secret', detail: 'a SAML connection has no client secret' });
  if (preset === 'apple' && !input.clientSecret) throw new FrontdoorError('request.invalid', { field: 'client_secret', detail: "Apple needs the team's private key (PKCS#8 PEM)" });
  const now = deps.clock.now();
  const connection: Connection = {
    id: newId('con'),
    tenantId: tenant.id,
    type,
    preset,
    name: input.name ?? (preset ? PRESETS[preset].name : ''),
    clientId: input.clientId ?? '',
    hasSecret: Boolean(input.clientSecret),
    settings,
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
  if (!connection.name) throw new FrontdoorError('request.invalid', { field: 'name' });
  if (!connection.clientId && type !== 'saml') throw new FrontdoorError('request.invalid', { field: 'client_id' });
  await deps.store.transaction(async (store) => {
    if (!(await store.connections.create(connection, input.clientSecret ?? null))) throw new FrontdoorError('connection.domain_taken', { field: 'settings.domains' });
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.connection_created', result: 'success', subject: connection.id, details: { type, preset } });
  return connection;
}

export async function updateConnection(
  deps: ConnectionAdminDeps,
  tenant: Tenant,
  id: string,
  patch: { name?: string; clientId?: string; settings?: Partial<ConnectionSettings>; enabled?: boolean },
  ctx: RequestContext,
): Promise<Connection> {
  const current = await requireConnection(deps.store, tenant.id, id);
  // The identity provider is merged field by field too: a new skew keeps the certificates.
  const merged = patch.settings && { ...current.settings, ...patch.settings, ...(patch.settings.saml ? { saml: { ...current.settings.saml, ...patch.settings.saml } as SamlIdpSettings } : {}) };
  const settings = merged ? await completeSettings(deps.store, tenant, current.type, current.preset, merged) : undefined;
  const updated = await deps.store.transaction(async (store) => {
    const result = await store.connections.update(tenant.id, id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.clientId !== undefined ? { clientId: patch.clientId } : {}), ...(settings ? { settings } : {}), ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}) }, deps.clock.now());
    if (result === false) throw new FrontdoorError('connection.domain_taken', { field: 'settings.domains' });
    if (!result) throw new FrontdoorError('connection.not_found');
    return result;
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.connection_updated', result: 'success', subject: id, details: { fields: Object.keys(patch) } });
  return updated;
}

/** A new client secret from the upstream (the old one stops being used at once). */
export async function rotateConnectionSecret(deps: ConnectionAdminDeps, tenant: Tenant, id: string, secret: string, ctx: RequestContext): Promise<Connection> {
  if (!(await deps.store.connections.setSecret(tenant.id, id, secret, deps.clock.now()))) throw new FrontdoorError('connection.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.connection_secret_rotated', result: 'success', subject: id });
  return requireConnection(deps.store, tenant.id, id);
}

/** Deletes it and, with it, every identity linked through it (their accounts stay). */
export async function deleteConnection(deps: ConnectionAdminDeps, tenant: Tenant, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.connections.delete(tenant.id, id))) throw new FrontdoorError('connection.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.connection_deleted', result: 'success', subject: id });
}

/** Whether a sign-in for this app (null: the hosted pages) offers the connection. */
export function offeredFor(connection: Connection, clientId: string | null): boolean {
  if (!connection.enabled) return false;
  const apps = connection.settings.apps;
  if (!apps) return true;
  return clientId !== null && apps.includes(clientId);
}

/** Home-realm discovery: the connection an address's domain belongs to, when this sign-in offers it. */
export async function homeRealmOf(store: Store, tenant: Tenant, email: string | undefined, clientId: string | null): Promise<Connection | null> {
  if (typeof email !== 'string' || email.length > 320) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  if (!DOMAIN.test(domain)) return null;
  const connection = await store.connections.byDomain(tenant.id, domain);
  return connection && offeredFor(connection, clientId) ? connection : null;
}
