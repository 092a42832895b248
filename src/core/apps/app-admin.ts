// Applications are the OIDC clients of a tenant. A confidential app's secret is shown once, at
// creation or rotation; only its SHA-256 is kept (a long random secret needs no slow hash). A
// rotation keeps the previous secret valid for an overlap window so a deployment can roll over.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Application, ApplicationOidcSettings, Clock, Store, TenantId, TokenEndpointAuthMethod } from '../ports.ts';
import { isSigningAlg } from '../keys/signing-keys.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
export const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
/** How long the secret before a rotation keeps working, unless the caller says otherwise. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;

type Deps = { store: Store; clock: Clock; audit: AuditLog };

export interface CreateApplicationInput {
  tenantId: TenantId;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  public?: boolean;
  firstParty?: boolean;
  oidc?: ApplicationOidcSettings;
  /** A chosen client id (letters, digits, `-`, `_`); random when absent. */
  clientId?: string;
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

function checkUris(uris: string[], field: string): string[] {
  for (const uri of uris) {
    if (typeof uri !== 'string' || uri.length > 2000 || !validRedirectUri(uri)) {
      throw new FrontdoorError('request.invalid', { field, detail: 'URIs must be absolute https (http only on loopback), without fragment' });
    }
  }
  return [...new Set(uris)];
}

function checkName(value: string): string {
  const name = value.trim();
  if (!name || name.length > 100) throw new FrontdoorError('request.invalid', { field: 'name' });
  return name;
}

function checkGrantTypes(grantTypes: string[], isPublic: boolean, redirectUris: string[]): string[] {
  const unique = [...new Set(grantTypes)];
  if (unique.length === 0 || !unique.every((g) => (GRANT_TYPES as readonly string[]).includes(g))) throw new FrontdoorError('request.invalid', { field: 'grant_types' });
  if (isPublic && unique.includes('client_credentials')) throw new FrontdoorError('request.invalid', { field: 'grant_types', detail: 'public clients cannot use client_credentials' });
  if (unique.includes('authorization_code') && redirectUris.length === 0) throw new FrontdoorError('request.invalid', { field: 'redirect_uris', detail: 'authorization_code needs a redirect URI' });
  return unique;
}

function checkOidcSettings(settings: ApplicationOidcSettings, isPublic: boolean): ApplicationOidcSettings {
  const out: ApplicationOidcSettings = {};
  const method = settings.tokenEndpointAuthMethod;
  if (method !== undefined) {
    if (!AUTH_METHODS.includes(method)) throw new FrontdoorError('request.invalid', { field: 'token_endpoint_auth_method' });
    if (isPublic !== (method === 'none')) throw new FrontdoorError('request.invalid', { field: 'token_endpoint_auth_method', detail: 'public apps use none; confidential apps authenticate' });
    out.tokenEndpointAuthMethod = method;
  }
  if (settings.idTokenSignedResponseAlg !== undefined) {
    if (!isSigningAlg(settings.idTokenSignedResponseAlg)) throw new FrontdoorError('request.invalid', { field: 'id_token_signed_response_alg' });
    out.idTokenSignedResponseAlg = settings.idTokenSignedResponseAlg;
  }
  if (settings.jwks !== undefined) {
    const keys = settings.jwks?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10 || keys.some((k) => typeof k !== 'object' || k === null || 'd' in k)) {
      throw new FrontdoorError('request.invalid', { field: 'jwks', detail: 'a JWK Set of 1–10 public keys' });
    }
    out.jwks = { keys };
  }
  if (out.tokenEndpointAuthMethod === 'private_key_jwt' && !out.jwks) throw new FrontdoorError('request.invalid', { field: 'jwks', detail: 'private_key_jwt needs the public keys' });
  for (const [key, field] of [
    ['backchannelLogoutUri', 'backchannel_logout_uri'],
    ['frontchannelLogoutUri', 'frontchannel_logout_uri'],
  ] as const) {
    const value = settings[key];
    if (value !== undefined) out[key] = checkUris([value], field)[0]!;
  }
  if (settings.subjectType !== undefined) {
    if (settings.subjectType !== 'public' && settings.subjectType !== 'pairwise') throw new FrontdoorError('request.invalid', { field: 'subject_type' });
    out.subjectType = settings.subjectType;
  }
  if (settings.accessTokenClaims !== undefined) {
    const claims = settings.accessTokenClaims ?? [];
    if (!Array.isArray(claims) || claims.some((c) => c !== 'roles' && c !== 'permissions')) throw new FrontdoorError('request.invalid', { field: 'access_token_claims' });
    out.accessTokenClaims = [...new Set(claims)];
  }
  if (settings.clientCredentialsScopes !== undefined) {
    const entries = Object.entries(settings.clientCredentialsScopes ?? {});
    if (entries.length > 50) throw new FrontdoorError('request.invalid', { field: 'client_credentials_scopes' });
    out.clientCredentialsScopes = Object.fromEntries(
      entries.map(([resource, scopes]) => {
        if (!Array.isArray(scopes) || scopes.length > 100 || scopes.some((scope) => typeof scope !== 'string')) throw new FrontdoorError('request.invalid', { field: 'client_credentials_scopes' });
        return [resource, [...new Set(scopes)]];
      }),
    );
  }
  return out;
}

/** Client-credentials scopes must name existing API resources and their scopes. */
async function checkClientCredentialsScopes(store: Store, tenantId: TenantId, settings: ApplicationOidcSettings, grantTypes: string[]): Promise<void> {
  const entries = Object.entries(settings.clientCredentialsScopes ?? {});
  if (entries.length && !grantTypes.includes('client_credentials')) {
    throw new FrontdoorError('request.invalid', { field: 'client_credentials_scopes', detail: 'the app does not use client_credentials' });
  }
  for (const [identifier, scopes] of entries) {
    const resource = await store.apiResources.findByIdentifier(tenantId, identifier);
    if (!resource) throw new FrontdoorError('request.invalid', { field: 'client_credentials_scopes', detail: `no API resource ${identifier.slice(0, 100)}` });
    const known = new Set(resource.scopes.map((scope) => scope.name));
    const unknown = scopes.find((scope) => !known.has(scope));
    if (unknown !== undefined) throw new FrontdoorError('request.invalid', { field: 'client_credentials_scopes', detail: `the API has no scope ${unknown.slice(0, 100)}` });
  }
}

export async function createApplication(deps: Deps, input: CreateApplicationInput, ctx: RequestContext): Promise<{ app: Application; clientSecret: string | null }> {
  const name = checkName(input.name);
  const isPublic = input.public ?? false;
  const redirectUris = checkUris(input.redirectUris, 'redirect_uris');
  const postLogoutRedirectUris = checkUris(input.postLogoutRedirectUris ?? [], 'post_logout_redirect_uris');
  const grantTypes = checkGrantTypes(input.grantTypes?.length ? input.grantTypes : ['authorization_code', 'refresh_token'], isPublic, redirectUris);
  const oidc = checkOidcSettings(input.oidc ?? {}, isPublic);
  if (input.clientId !== undefined && !/^[A-Za-z0-9_-]{3,64}$/.test(input.clientId)) throw new FrontdoorError('request.invalid', { field: 'client_id' });
  if (!(await deps.store.tenants.get(input.tenantId))) throw new FrontdoorError('tenant.not_found');
  if (input.clientId !== undefined && (await deps.store.apps.findByClientId(input.tenantId, input.clientId))) throw new FrontdoorError('request.invalid', { field: 'client_id', detail: 'client id taken' });
  await checkClientCredentialsScopes(deps.store, input.tenantId, oidc, grantTypes);

  const now = deps.clock.now();
  const clientSecret = isPublic || oidc.tokenEndpointAuthMethod === 'private_key_jwt' ? null : randomToken();
  const app: Application = {
    id: newId('app'),
    tenantId: input.tenantId,
    clientId: input.clientId ?? randomToken(16),
    name,
    public: isPublic,
    secretHash: clientSecret ? hashToken(clientSecret) : null,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    firstParty: input.firstParty ?? true,
    oidc,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.apps.create(app);
  await deps.audit.record(ctx, { tenantId: app.tenantId, action: 'admin.app_created', result: 'success', subject: app.id });
  return { app, clientSecret };
}

async function requireApp(store: Store, tenantId: TenantId, id: string): Promise<Application> {
  const app = await store.apps.get(tenantId, id);
  if (!app) throw new FrontdoorError('app.not_found');
  return app;
}

/** A change to an app: given fields replace; in `oidc`, a key set to null goes back to the default. */
export interface UpdateApplicationInput {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  firstParty?: boolean;
  oidc?: { [K in keyof ApplicationOidcSettings]?: ApplicationOidcSettings[K] | null };
}

export async function updateApplication(deps: Deps, tenantId: TenantId, id: string, input: UpdateApplicationInput, ctx: RequestContext): Promise<Application> {
  const app = await requireApp(deps.store, tenantId, id);
  const name = input.name === undefined ? app.name : checkName(input.name);
  const redirectUris = input.redirectUris === undefined ? app.redirectUris : checkUris(input.redirectUris, 'redirect_uris');
  const postLogoutRedirectUris = input.postLogoutRedirectUris === undefined ? app.postLogoutRedirectUris : checkUris(input.postLogoutRedirectUris, 'post_logout_redirect_uris');
  const grantTypes = checkGrantTypes(input.grantTypes ?? app.grantTypes, app.public, redirectUris);
  const merged: Record<string, unknown> = { ...app.oidc };
  for (const [key, value] of Object.entries(input.oidc ?? {})) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  // Moving a private_key_jwt app to a secret method leaves it without a secret until one is rotated in.
  const oidc = checkOidcSettings(merged as ApplicationOidcSettings, app.public);
  await checkClientCredentialsScopes(deps.store, tenantId, oidc, grantTypes);
  const updated = await deps.store.apps.update(
    tenantId,
    id,
    { name, redirectUris, postLogoutRedirectUris, grantTypes, oidc, ...(input.firstParty !== undefined ? { firstParty: input.firstParty } : {}) },
    deps.clock.now(),
  );
  if (!updated) throw new FrontdoorError('app.not_found');
  const changed = [
    ...Object.keys(input).filter((key) => key !== 'oidc' && input[key as keyof UpdateApplicationInput] !== undefined),
    ...Object.keys(input.oidc ?? {}).filter((key) => input.oidc?.[key as keyof ApplicationOidcSettings] !== undefined),
  ];
  await deps.audit.record(ctx, { tenantId, action: 'admin.app_updated', result: 'success', subject: id, details: { changed } });
  return updated;
}

/** A new secret, shown once; the old one keeps working for `overlapSeconds` (0 ends it now). */
export async function rotateApplicationSecret(
  deps: Deps,
  tenantId: TenantId,
  id: string,
  options: { overlapSeconds?: number },
  ctx: RequestContext,
): Promise<{ app: Application; clientSecret: string }> {
  const app = await requireApp(deps.store, tenantId, id);
  if (app.public) throw new FrontdoorError('request.invalid', { field: 'id', detail: 'a public app has no client secret' });
  const overlap = options.overlapSeconds ?? DEFAULT_SECRET_OVERLAP_SECONDS;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 24 * 3600) throw new FrontdoorError('request.invalid', { field: 'overlap_seconds' });
  const now = deps.clock.now();
  const clientSecret = randomToken();
  const updated = await deps.store.apps.update(
    tenantId,
    id,
    {
      secretHash: hashToken(clientSecret),
      previousSecretHash: overlap > 0 && app.secretHash ? app.secretHash : null,
      previousSecretExpiresAt: overlap > 0 && app.secretHash ? now + overlap * 1000 : null,
    },
    now,
  );
  if (!updated) throw new FrontdoorError('app.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.app_secret_rotated', result: 'success', subject: id, details: { overlapSeconds: overlap } });
  return { app: updated, clientSecret };
}

export async function deleteApplication(deps: Deps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.apps.delete(tenantId, id))) throw new FrontdoorError('app.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.app_deleted', result: 'success', subject: id });
}

export function clientAuthMethod(app: Pick<Application, 'public' | 'oidc'>): TokenEndpointAuthMethod {
  return app.oidc.tokenEndpointAuthMethod ?? (app.public ? 'none' : 'client_secret_basic');
}

/** Whether `secret` is the app's current secret, or its previous one within the overlap window. */
export function secretMatches(app: Pick<Application, 'secretHash' | 'previousSecretHash' | 'previousSecretExpiresAt'>, secret: string, now: number, safeEqual: (a: string, b: string) => boolean): boolean {
  const hash = hashToken(secret);
  const current = app.secretHash !== null && safeEqual(hash, app.secretHash);
  const previous = app.previousSecretHash !== null && app.previousSecretExpiresAt !== null && now < app.previousSecretExpiresAt && safeEqual(hash, app.previousSecretHash);
  return current || previous;
}
