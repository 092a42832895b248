// One oidc-provider instance for one tenant: its configuration, adapters, keys and hooks. The
// provider implements the protocol; this module decides what Frontdoor allows (code flow with
// PKCE only, no implicit or password grant, JWT access tokens for API resources, DPoP, device
// flow, PAR) and connects it to our users, apps, sessions and pages.
import { ACR, acrSatisfies, ACR_VALUES } from '../core/auth/acr.ts';
import Provider, { errors, interactionPolicy, type Adapter, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../core/audit/audit-log.ts';
import type { RequestContext } from '../core/context.ts';
import type { SigningKeyService } from '../core/keys/signing-keys.ts';
import type { Application, Clock, Store, Tenant } from '../core/ports.ts';
import { hmac, safeEqual } from '../core/secrets.ts';
import { secretMatches } from '../core/apps/app-admin.ts';
import type { SessionService } from '../core/sessions/session-service.ts';
import type { AccessService } from '../core/authz/access.ts';
import { chooseOrganization, organizationClaims, organizationRequiresMfa } from '../core/orgs/organizations.ts';
import { actingProfile, profileClaims, profileFacts } from '../core/households/profile-sessions.ts';
import { householdOf, profilesFor } from '../core/households/households.ts';
import type { HouseholdProfile } from '../core/ports.ts';
import type { Database } from '../storage/schema.ts';
import { findAccount, CLAIMS_BY_SCOPE } from './account.ts';
import { clientMetadata } from './clients.ts';
import { issuerFor } from './issuer.ts';
import { oidcAdapterFactory } from './redis-adapter.ts';
import { createSafeFetch } from './safe-fetch.ts';
import type { OidcPages } from './pages.ts';


export interface OidcSettings {
  baseUrl: URL;
  accessTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenIdleSeconds: number;
  refreshTokenAbsoluteSeconds: number;
  sessionTtlSeconds: number;
  outboundTimeoutMs: number;
}

export const DEFAULT_OIDC_SETTINGS: Omit<OidcSettings, 'baseUrl' | 'sessionTtlSeconds'> = {
  accessTokenTtlSeconds: 600,
  authorizationCodeTtlSeconds: 60,
  idTokenTtlSeconds: 3600,
  refreshTokenIdleSeconds: 14 * 24 * 3600,
  refreshTokenAbsoluteSeconds: 30 * 24 * 3600,
  outboundTimeoutMs: 5000,
};

export interface TenantProviderDeps {
  store: Store;
  db: Kysely<Database>;
  redis: Redis | null;
  clock: Clock;
  audit: AuditLog;
  sessions: SessionService;
  signingKeys: SigningKeyService;
  /** Key material derived from the master key for this purpose. */
  cookieKey: Buffer;
  placeholderKey: Buffer;
  pairwiseKey: Buffer;
  settings: OidcSettings;
  pages: OidcPages;
  sessionCookieName: (tenantId: string) => string;
  log: (level: 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
  /** The strongest class (acr) this account can reach with what it has set up. */
  reachableAcr: (tenantId: string, accountId: string) => Promise<string>;
  /** Continuous evaluation of a public client's refresh (core/risk/risk-service.ts `reassessRefresh`). */
  reassessRefresh: (tenant: Tenant, accountId: string, ctx: RequestContext) => Promise<'keep' | 'end'>;
  /** Roles and permissions: which scopes of an API a user may have, and their role names. */
  access: AccessService;
  /** Whether a progressive-profiling rule asks this account for something before this app gets its tokens. */
  profilePromptDue: (tenantId: string, accountId: string, clientId: string | null, scopes: string[]) => Promise<boolean>;
}

/** The login-prompt reason the interaction sees when an app asked for a stronger `acr`. */
export const STEP_UP_REASON = 'frontdoor_acr';
/** The consent-prompt reason the interaction sees when the profile lacks what a rule asks for here. */
export const PROFILE_PROMPT_REASON = 'frontdoor_profile';
/** The consent-prompt reason the interaction sees when the app asks who of the household is using it. */
export const HOUSEHOLD_PROFILE_REASON = 'frontdoor_household_profile';

/** A first-party grant with nothing new to add is written again at most this often (seconds). */
const GRANT_RESAVE_SECONDS = 24 * 3600;

/** The parts of an oidc-provider Grant that say what it holds and until when. */
interface GrantContents {
  openid?: unknown;
  resources?: unknown;
  exp?: number;
}

/** What the end-session event hands to the front-channel logout step of the same request. */
interface FrontchannelState {
  frontchannel?: { clientId: string; sid: string }[];
}

export { issuerFor };

export function interactionPath(tenantId: string, uid: string): string {
  return `/t/${encodeURIComponent(tenantId)}/interaction/${encodeURIComponent(uid)}`;
}

function eventContext(ctx: KoaContextWithOIDC): RequestContext {
  return { ip: ctx.ip ?? null, userAgent: ctx.get('user-agent') || null, requestId: ctx.get('x-request-id') || null, locale: 'en', actor: 'anonymous' };
}

type TokenSource = { accountId?: string; acr?: string; amr?: string[]; sessionUid?: string };

/**
 * The user a token is being made for, how they signed in, and the provider session it comes from
 * (`sessionUid`: which Frontdoor session, so which household profile), wherever the request knows it.
 */
function tokenUser(ctx: KoaContextWithOIDC): { accountId: string; acr?: string | undefined; amr?: string[] | undefined; sessionUid?: string | undefined } | null {
  const { oidc } = ctx;
  const entities = oidc.entities as { RefreshToken?: TokenSource; AuthorizationCode?: TokenSource; DeviceCode?: TokenSource };
  // A refresh, a code or a device code being redeemed (once the provider has loaded its account).
  const source = entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode;
  if (oidc.entities.Account && source?.accountId) return { accountId: source.accountId, acr: source.acr, amr: source.amr, sessionUid: source.sessionUid };
  const login = oidc.result?.login as { accountId?: string; acr?: string; amr?: string[] } | undefined;
  if (login?.accountId) return { accountId: login.accountId, acr: login.acr, amr: login.amr, sessionUid: (oidc as { session?: { uid?: string } }).session?.uid };
  const session = oidc.entities.Session as { accountId?: string; acr?: string; amr?: string[]; uid?: string } | undefined;
  if (session?.accountId) return { accountId: session.accountId, acr: session.acr, amr: session.amr, sessionUid: session.uid };
  return null;
}

/** The provider of one tenant, signing with the tenant's keys as they are at build time. */
export async function createTenantProvider(deps: TenantProviderDeps, tenant: Tenant): Promise<Provider> {
  const { store, settings } = deps;
  const tenantId = tenant.id;
  const issuer = issuerFor(settings.baseUrl, tenantId);
  const providerSessionCookie = `_fd_oidc_${tenantId}`;
  // The registry has made sure the keys exist (ensureKeys) before building.
  const jwks = await deps.signingKeys.jwks(tenantId);

  // Apps read by the Client adapter, kept for the secret check that follows on the same request.
  const appsByClientId = new Map<string, Application>();
  const backchannelUris = new Set<string>();
  const Artifacts = oidcAdapterFactory({ db: deps.db, redis: deps.redis, tenantId, clock: deps.clock });

  class TenantAdapter implements Adapter {
    readonly inner: Adapter | null;
    readonly model: string;
    constructor(model: string) {
      this.model = model;
      this.inner = model === 'Client' ? null : new Artifacts(model);
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.inner) return (await this.inner.find(id)) ?? undefined;
      const app = await store.apps.findByClientId(tenantId, id);
      if (!app) return undefined;
      appsByClientId.set(app.clientId, app);
      if (app.oidc.backchannelLogoutUri) backchannelUris.add(app.oidc.backchannelLogoutUri);
      return clientMetadata(app, deps.placeholderKey) as AdapterPayload;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (!this.inner) throw new Error('clients are managed through the admin API');
      return this.inner.upsert(id, payload, expiresIn);
    }
    async findByUserCode(userCode: string) {
      return this.inner?.findByUserCode(userCode);
    }
    async findByUid(uid: string) {
      return this.inner?.findByUid(uid);
    }
    async consume(id: string) {
      return this.inner?.consume(id);
    }
    async destroy(id: string) {
      return this.inner?.destroy(id);
    }
    async revokeByGrantId(grantId: string) {
      return this.inner?.revokeByGrantId(grantId);
    }
  }

  const policy = interactionPolicy.base();
  // Single sign-on rides on the Frontdoor session: when it has ended (sign-out, revocation by an
  // admin, expiry) or belongs to someone else, the provider's own session no longer counts.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('frontdoor_session', 'the Frontdoor session has ended', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // no_session asks already
      const current = await deps.sessions.resolve(tenantId, ctx.cookies.get(deps.sessionCookieName(tenantId), { signed: false }) ?? undefined);
      return current?.user.id === accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  // Step-up: an app that asks for a stronger class with acr_values (e.g. urn:frontdoor:acr:mfa)
  // than the session has gets a login prompt; the interaction asks for the missing factor. So does
  // signing a member in for an organization that requires a second factor (`organization=`).
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(STEP_UP_REASON, 'a stronger authentication was asked for', async (ctx) => {
      const session = ctx.oidc.session;
      if (!session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      // The organization's requirement has no escape: a member without a second factor is not let
      // through as they are, the interaction has them set one up (or refuses the sign-in).
      const organization = typeof ctx.oidc.params?.organization === 'string' ? ctx.oidc.params.organization : undefined;
      if (!acrSatisfies(session.acr, [ACR.mfa]) && (await organizationRequiresMfa(store, tenantId, session.accountId, organization))) return interactionPolicy.Check.REQUEST_PROMPT;
      const acrValues = ctx.oidc.params?.acr_values;
      const asked = typeof acrValues === 'string' ? acrValues.split(' ') : [];
      if (acrSatisfies(session.acr, asked)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      // A user who already gave all they have set up is not asked again (it would loop): the
      // tokens say what the session reached, and the app decides.
      const reachable = await deps.reachableAcr(tenantId, session.accountId);
      return acrSatisfies(session.acr, [reachable]) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  // Progressive profiling: asked after sign-in, before the app gets its tokens, on every
  // authorization (a remembered grant would otherwise skip the consent prompt).
  policy.get('consent')!.checks.add(
    new interactionPolicy.Check(PROFILE_PROMPT_REASON, 'the profile lacks what the tenant asks for here', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const scope = ctx.oidc.params?.scope;
      const scopes = typeof scope === 'string' ? scope.split(' ') : [];
      return (await deps.profilePromptDue(tenantId, accountId, ctx.oidc.client?.clientId ?? null, scopes)) ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );

  // Households: which profile an app's tokens act as. At each authorization the provider session is
  // linked to the browser's Frontdoor session and the profile it acts as (switching profile there
  // moves the link); codes and refresh tokens carry the provider session's uid, so every token of
  // that sign-in, refreshes included, names the same profile and gets only what that profile may.
  async function frontdoorSession(ctx: KoaContextWithOIDC) {
    return deps.sessions.resolve(tenantId, ctx.cookies.get(deps.sessionCookieName(tenantId), { signed: false }) ?? undefined);
  }
  async function tokenProfile(ctx: KoaContextWithOIDC, accountId: string, sessionUid: string | undefined): Promise<HouseholdProfile | null> {
    if (!(await store.households.membershipOf(tenantId, accountId))) return null;
    let profileId = sessionUid ? (await store.households.providerSessionLink(tenantId, sessionUid, deps.clock.now()))?.profileId : undefined;
    // During an authorization, before the link is written: the browser's own session says.
    if (profileId === undefined && ctx.oidc.session?.uid === sessionUid && ctx.path !== '/token') {
      const current = await frontdoorSession(ctx);
      if (current?.user.id === accountId) profileId = current.session.profileId ?? null;
    }
    return actingProfile(store, tenantId, accountId, profileId);
  }
  async function linkProfile(ctx: KoaContextWithOIDC, accountId: string): Promise<void> {
    const sessionUid = ctx.oidc.session?.uid;
    if (!sessionUid) return;
    const current = await frontdoorSession(ctx);
    if (!current || current.user.id !== accountId) return;
    const profileId = current.session.profileId ?? null;
    const linked = await store.households.providerSessionLink(tenantId, sessionUid, deps.clock.now());
    // Written when it changes: a profile chosen, or a new Frontdoor session (which starts with none)
    // behind a provider session that had one.
    if (linked ? linked.sessionId === current.session.id && linked.profileId === profileId : profileId === null) return;
    await store.households.linkProviderSession(tenantId, { sessionUid, sessionId: current.session.id, profileId, expiresAt: deps.clock.now() + settings.refreshTokenAbsoluteSeconds * 1000 });
  }

  // The user's roles in the organization an app's token is for: during an authorization, the
  // `organization` it asks for (none: none); afterwards, the one chosen at the app's last authorization.
  async function organizationRolesFor(ctx: KoaContextWithOIDC, accountId: string, clientId: string): Promise<string[]> {
    const route = (ctx.oidc as { route?: string }).route;
    if (route === 'authorization' || route === 'resume') {
      const asked = typeof ctx.oidc.params?.organization === 'string' ? ctx.oidc.params.organization : undefined;
      return asked ? ((await store.organizations.member(tenantId, asked, accountId))?.roles ?? []) : [];
    }
    return (await organizationClaims(store, tenantId, accountId, clientId))?.org_roles ?? [];
  }

  // "Who is using this app?": an app asking for the `household` scope (or `select_profile=1`)
  // gets the household's profile picker once per browser session, or again when it asks for it.
  policy.get('consent')!.checks.add(
    new interactionPolicy.Check(HOUSEHOLD_PROFILE_REASON, 'the app asks which household profile is using it', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const scope = ctx.oidc.params?.scope;
      const asks = ctx.oidc.params?.select_profile === '1' || (typeof scope === 'string' && scope.split(' ').includes('household'));
      if (!accountId || !asks) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const found = await householdOf(store, tenantId, accountId);
      if (!found) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      if (profilesFor(await store.households.profiles(tenantId, found.household.id), accountId).length < 2) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const current = await frontdoorSession(ctx);
      const chosen = current?.user.id === accountId && Boolean(current.session.profileId);
      return chosen && ctx.oidc.params?.select_profile !== '1' ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  // What conditions read as `context.*` when a token is made: how the user signed in, and the time.
  const tokenContext = (acr: string | undefined, amr: string[] | undefined) => ({ acr: acr ?? null, amr: amr ?? [], time: Math.floor(deps.clock.now() / 1000) });

  const configuration: Configuration = {
    adapter: TenantAdapter,
    clients: [],
    jwks: jwks as Configuration['jwks'],
    findAccount: (ctx, sub) =>
      findAccount(store, tenantId, sub, {
        rolesOf: async (userId) => (await deps.access.accessOf(tenant, userId))?.roles ?? [],
        organizationOf: async (userId) => (ctx.oidc.client ? organizationClaims(store, tenantId, userId, ctx.oidc.client.clientId) : null),
        householdProfileOf: async (userId) => {
          const token = (ctx.oidc.entities as { AccessToken?: TokenSource }).AccessToken;
          const profile = await tokenProfile(ctx, userId, token?.sessionUid ?? tokenUser(ctx)?.sessionUid);
          return profile ? { ...profileClaims(profile), profile_name: profile.name } : null;
        },
      }),
    claims: { ...Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])) },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'phone', 'address', 'consents', 'roles', 'household'],
    // `organization=<org id>`: sign in for one of the user's organizations (org_id and org_roles in the tokens).
    // `select_profile=1`: show the household's profile picker even when this session has chosen one.
    extraParams: ['organization', 'select_profile'],
    acrValues: [...ACR_VALUES],
    responseTypes: ['code'],
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => hmac(deps.pairwiseKey, `${tenantId}:${client.sectorIdentifier ?? client.clientId}:${accountId}`),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    acceptQueryParamAccessTokens: false,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    conformIdTokenClaims: true,
    cookies: {
      names: { session: providerSessionCookie, interaction: `_fd_interaction_${tenantId}`, resume: `_fd_resume_${tenantId}` },
      keys: [deps.cookieKey.toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.accessTokenTtlSeconds,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.accessTokenTtlSeconds,
      AuthorizationCode: settings.authorizationCodeTtlSeconds,
      DeviceCode: 600,
      IdToken: settings.idTokenTtlSeconds,
      Interaction: 900,
      Session: settings.sessionTtlSeconds,
      Grant: settings.refreshTokenAbsoluteSeconds,
      // Idle lifetime, capped by the absolute lifetime counted from the first token of the chain.
      RefreshToken: (ctx, token) => {
        const now = Math.floor(deps.clock.now() / 1000);
        const started = (token as { iiat?: number }).iiat ?? token.iat ?? now;
        return Math.max(1, Math.min(settings.refreshTokenIdleSeconds, started + settings.refreshTokenAbsoluteSeconds - now));
      },
    },
    interactions: {
      url: (_ctx, interaction) => interactionPath(tenantId, interaction.uid),
      policy,
    },
    // A grant is remembered per user and app, so consent given once holds across sessions until
    // the user withdraws it. First-party apps are consented by the tenant: their grant is widened
    // to what they ask for without a consent screen.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      const accountId = ctx.oidc.result?.login?.accountId ?? session?.accountId;
      if (!client || !accountId) return undefined;
      // The organization the app asked to sign in for: a member's only; its tokens name it from now on.
      const organization = typeof ctx.oidc.params?.organization === 'string' ? ctx.oidc.params.organization : undefined;
      if (!(await chooseOrganization(deps, tenantId, accountId, client.clientId, organization))) throw new errors.AccessDenied('the user is not a member of the requested organization');
      await linkProfile(ctx, accountId);
      const resultGrantId = ctx.oidc.result?.consent?.grantId;
      const remembered = resultGrantId ? null : await store.rememberedGrants.get(tenantId, accountId, client.clientId);
      const grantId = resultGrantId ?? session?.grantIdFor(client.clientId) ?? remembered?.grantId;
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== accountId) grant = undefined;
      const app = appsByClientId.get(client.clientId) ?? (await store.apps.findByClientId(tenantId, client.clientId));
      if (!app?.firstParty) return grant;
      const existing = grant !== undefined;
      grant ??= new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      const contents = (g: object) => JSON.stringify([(g as GrantContents).openid, (g as GrantContents).resources]);
      const before = existing ? contents(grant) : null;
      if (ctx.oidc.requestParamOIDCScopes.size) grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      if (ctx.oidc.requestParamClaims?.size) grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        const allowed = new Set((server.scope ?? '').split(' '));
        const asked = [...ctx.oidc.requestParamScopes].filter((s) => allowed.has(s));
        if (asked.length) grant.addResourceScope(indicator, asked.join(' '));
      }
      // Nothing new asked and the grant was (re)saved within the last day: no write on this sign-in.
      // Otherwise saving also restarts the grant's lifetime, so an app in daily use keeps it.
      const secondsLeft = ((grant as GrantContents).exp ?? 0) - Math.floor(deps.clock.now() / 1000);
      if (existing && before === contents(grant) && remembered?.grantId === grant.jti && secondsLeft > settings.refreshTokenAbsoluteSeconds - GRANT_RESAVE_SECONDS) return grant;
      const savedId = await grant.save();
      const now = deps.clock.now();
      if (remembered?.grantId !== savedId) await store.rememberedGrants.put({ tenantId, userId: accountId, clientId: client.clientId, grantId: savedId, createdAt: now, updatedAt: now });
      return grant;
    },
    // The organization the user signed in for (org_id, org_roles), and per app the user's role
    // names and their permissions for the token's API, beside `scope`.
    extraTokenClaims: async (ctx, token) => {
      const t = token as unknown as { kind?: string; accountId?: string; clientId?: string; acr?: string; amr?: string[]; resourceServer?: { identifier(): string } };
      if (t.kind !== 'AccessToken' || !t.accountId || !t.clientId) return undefined;
      const app = appsByClientId.get(t.clientId) ?? (await store.apps.findByClientId(tenantId, t.clientId));
      const wanted = app?.oidc.accessTokenClaims ?? [];
      const user = tokenUser(ctx);
      const [organization, profile] = await Promise.all([organizationClaims(store, tenantId, t.accountId, t.clientId), tokenProfile(ctx, t.accountId, (t as TokenSource).sessionUid ?? user?.sessionUid)]);
      // The household profile acting, and its restrictions, in every access token of a member.
      const base: Record<string, unknown> = { ...organization, ...(profile ? profileClaims(profile) : {}) };
      if (wanted.length === 0) return Object.keys(base).length ? base : undefined;
      const access = await deps.access.accessOf(tenant, t.accountId, organization?.org_roles);
      if (!access) return undefined;
      const claims: Record<string, unknown> = base;
      if (wanted.includes('roles')) claims.roles = access.roles;
      if (wanted.includes('permissions') && t.resourceServer) {
        claims.permissions = [...(await deps.access.tokenScopes(tenant, t.accountId, t.resourceServer.identifier(), tokenContext(user?.acr ?? t.acr, user?.amr ?? t.amr), profile ? profileFacts(profile) : {}, organization?.org_roles))].sort();
      }
      return claims;
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, indicator, client) => {
          const resource = await store.apiResources.findByIdentifier(tenantId, indicator);
          if (!resource) throw new errors.InvalidTarget();
          let scopes = resource.scopes.map((s) => s.name);
          // No user consents to a client-credentials token: the admin's authorization of the app
          // for this API is the consent, and without one there is no token for it.
          if (ctx.oidc.params?.grant_type === 'client_credentials') {
            const app = appsByClientId.get(client.clientId) ?? (await store.apps.findByClientId(tenantId, client.clientId));
            const allowed = new Set(app?.oidc.clientCredentialsScopes?.[resource.identifier] ?? []);
            if (!allowed.size) throw new errors.InvalidTarget('this client is not authorized for the requested resource');
            scopes = scopes.filter((scope) => allowed.has(scope));
          } else {
            // A user's token carries only the permissions their roles give them now: checked when
            // the app is authorized (the grant holds no more) and again at every refresh.
            const user = tokenUser(ctx);
            if (user) {
              // What the household profile acting may do, too (a child profile: no mature content).
              const profile = await tokenProfile(ctx, user.accountId, user.sessionUid);
              const orgRoles = await organizationRolesFor(ctx, user.accountId, client.clientId);
              const held = await deps.access.tokenScopes(tenant, user.accountId, resource.identifier, tokenContext(user.acr, user.amr), profile ? profileFacts(profile) : {}, orgRoles);
              scopes = scopes.filter((scope) => held.has(scope));
            }
          }
          return {
            audience: resource.identifier,
            scope: scopes.join(' '),
            accessTokenTTL: resource.accessTokenTtlSeconds,
            accessTokenFormat: resource.accessTokenFormat,
            ...(resource.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
          };
        },
      },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: (ctx, form, _out, err) => deps.pages.deviceCode(ctx, tenant, form, Boolean(err)),
        userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => deps.pages.deviceConfirm(ctx, tenant, form, client.clientName ?? client.clientId, userCode),
        successSource: (ctx) => deps.pages.deviceDone(ctx, tenant, ctx.oidc.client?.clientName ?? ''),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => deps.pages.logoutConfirm(ctx, tenant, form),
        postLogoutSuccessSource: (ctx) => deps.pages.signedOut(ctx, tenant),
      },
    },
    discovery: { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true },
    fetchResponseBodyLimits: { jwks_uri: 64 * 1024, sector_identifier_uri: 64 * 1024 },
    renderError: (ctx, out) => deps.pages.error(ctx, tenant, { ...out }),
    fetch: createSafeFetch({
      timeoutMs: settings.outboundTimeoutMs,
      isTrustedUrl: async (url) =>
        backchannelUris.has(url.toString()) || (await store.apps.list(tenantId)).some((app) => app.oidc.backchannelLogoutUri === url.toString()),
    }) as Configuration['fetch'],
  };

  const provider = new Provider(issuer, configuration);
  // Our edge rewrites X-Forwarded-* to the public base URL (see src/http/oidc/mount.ts).
  provider.proxy = true;

  // Client secrets: ours to check (hash + constant time, previous secret during its overlap).
  const ClientClass = provider.Client as unknown as {
    prototype: { compareClientSecret(this: { clientId: string }, actual: string): Promise<boolean>; includeSid(this: { clientId: string }): boolean };
  };
  // The provider builds a Client from the adapter's metadata and keeps it under a hash of that
  // metadata, which it computes (JSON + SHA-256) on every lookup, several per token request. The
  // app lookup returns the same object until the app changes or its cache entry expires, so the
  // Client built for that object is reused without the hash; a new object takes the provider's path.
  const ClientModel = provider.Client as unknown as { find(id: unknown): Promise<object | undefined> };
  const findClient = ClientModel.find.bind(ClientModel);
  const clientsByApp = new WeakMap<Application, object>();
  ClientModel.find = async function findClientOfApp(id: unknown) {
    if (typeof id !== 'string' || id.length === 0) return findClient(id);
    const app = await store.apps.findByClientId(tenantId, id);
    if (!app) return undefined;
    const known = clientsByApp.get(app);
    if (known) return known;
    const client = await findClient(id);
    if (client && appsByClientId.get(id) === app) clientsByApp.set(app, client);
    return client;
  };
  // Front-channel logout needs the session id in the ID token as back-channel logout does; the
  // provider only knows the latter. The app was read by the Client adapter earlier in this request.
  const includeSid = ClientClass.prototype.includeSid;
  ClientClass.prototype.includeSid = function includeSidForLogout(this: { clientId: string }) {
    return Boolean(includeSid.call(this)) || Boolean(appsByClientId.get(this.clientId)?.oidc.frontchannelLogoutUri);
  };
  ClientClass.prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string) {
    const app = appsByClientId.get(this.clientId) ?? (await store.apps.findByClientId(tenantId, this.clientId));
    return typeof actual === 'string' && app !== null && secretMatches(app, actual, deps.clock.now(), safeEqual);
  };

  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: Error & { error_detail?: string }) => {
    // The public description is generic; the detail says which check failed.
    const description = error.error_detail ?? '';
    if (!/already (used|consumed)/.test(description)) return;
    // A one-time artifact came back: the provider (or our adapter) has revoked its whole grant.
    const grantId = (ctx.oidc.entities as { RefreshToken?: { grantId?: string }; AuthorizationCode?: { grantId?: string } }).RefreshToken?.grantId;
    void deps.audit
      .record(eventContext(ctx), {
        tenantId,
        action: 'oidc.token_replayed',
        result: 'failure',
        reason: description,
        subject: ctx.oidc.entities.Account?.accountId ?? null,
        details: { clientId: ctx.oidc.client?.clientId ?? null, ...(grantId ? { grantId } : {}) },
      })
      .catch((e: unknown) => deps.log('error', 'audit of a replayed token failed', { err: String(e) }));
  });
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    // "Stay signed in" on the confirmation page ends only the asking app's session at the provider;
    // only a real sign-out ends the Frontdoor session (and with it SSO for every app of the tenant).
    if (!ctx.oidc.params?.logout) return;
    // The apps of this browser session, for front-channel logout once the response is ready.
    const authorizations = (ctx.oidc.session?.authorizations ?? {}) as Record<string, { sid?: string }>;
    (ctx.state as FrontchannelState).frontchannel = Object.entries(authorizations).flatMap(([clientId, { sid }]) => (sid ? [{ clientId, sid }] : []));
    const name = deps.sessionCookieName(tenantId);
    const token = ctx.cookies.get(name, { signed: false }) ?? undefined;
    ctx.append('set-cookie', `${name}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    void deps.sessions
      .end(tenantId, token)
      .then((ended) =>
        ended
          ? deps.audit.record({ ...eventContext(ctx), actor: `user:${ended.userId}` }, { tenantId, action: 'user.logout', result: 'success', subject: ended.userId, details: { via: 'oidc_end_session' } })
          : undefined,
      )
      .catch((e: unknown) => deps.log('error', 'ending the session at logout failed', { err: String(e) }));
  });
  // A device-code form posted without a live provider session (cookies blocked, session expired)
  // makes oidc-provider fail while saving the session it has just created (a 500). Send the
  // browser back to the code page instead, which starts a session and asks again.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/device') {
      const sessionId = ctx.cookies.get(providerSessionCookie, { signed: true });
      if (!sessionId || !(await provider.Session.find(sessionId))) {
        ctx.status = 303;
        ctx.redirect(`${issuer}/device`);
        return;
      }
    }
    await next();
  });

  // Continuous evaluation of refresh tokens held on the user's own device (public clients: the
  // request comes from the user, so its address says where they are; a confidential client's
  // refresh comes from the app's servers and says nothing). A refresh from a place the account's
  // last sign-in could not have reached revokes the app's grant — the new tokens of this very
  // response with it — and answers invalid_grant: the app signs the user in again.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const oidcCtx = (ctx as KoaContextWithOIDC).oidc;
    if (oidcCtx?.params?.grant_type !== 'refresh_token') return;
    const refreshed = oidcCtx?.entities?.RefreshToken;
    const client = oidcCtx?.client;
    if (!refreshed || !client || client.clientAuthMethod !== 'none' || !refreshed.accountId) return;
    const verdict = await deps.reassessRefresh(tenant, refreshed.accountId, eventContext(ctx as KoaContextWithOIDC));
    if (verdict === 'keep') return;
    await store.oidcGrants.revokeForUser(tenantId, refreshed.accountId, client.clientId);
    await deps.audit.record({ ...eventContext(ctx as KoaContextWithOIDC), actor: 'system' }, { tenantId, action: 'oidc.grant_revoked', result: 'success', reason: 'risk', subject: refreshed.accountId, details: { clientId: client.clientId } });
    ctx.status = 400;
    ctx.body = { error: 'invalid_grant', error_description: 'grant revoked' };
  });

  // OIDC Front-Channel Logout 1.0 (not in oidc-provider): after a sign-out, instead of going straight
  // on, show a page that loads each signed-out app's frontchannel_logout_uri (with iss and sid) in a
  // hidden frame and then continues where the provider was sending the browser.
  provider.use(async (ctx, next) => {
    await next();
    const sessions = (ctx.state as FrontchannelState).frontchannel;
    const location = ctx.response.get('location');
    if (!sessions?.length || ctx.status !== 303 || !location) return;
    const frames: string[] = [];
    for (const { clientId, sid } of sessions) {
      const app = await store.apps.findByClientId(tenantId, clientId);
      if (!app?.oidc.frontchannelLogoutUri) continue;
      const frame = new URL(app.oidc.frontchannelLogoutUri);
      frame.searchParams.set('iss', issuer);
      frame.searchParams.set('sid', sid);
      frames.push(frame.toString());
    }
    if (frames.length === 0) return;
    ctx.remove('location');
    await deps.pages.frontchannelLogout(ctx as KoaContextWithOIDC, tenant, { frames, next: new URL(location, issuer).toString() });
  });

  provider.on('server_error', (_ctx: unknown, error: Error) => deps.log('error', 'oidc provider error', { err: error.message, stack: error.stack }));
  provider.on('backchannel.error', (_ctx: unknown, error: Error, client: { clientId: string }) => deps.log('warn', 'back-channel logout failed', { clientId: client.clientId, err: error.message }));
  return provider;
}
