// The upstream side of social and enterprise login, through openid-client (panva): discovery,
// authorization requests with PKCE (S256), `state` and (OpenID Connect) `nonce`, the code
// exchange, and the ID token's validation — signature against the upstream's JWKS, issuer
// (Microsoft's `{tenantid}` template included), audience, expiry, nonce. Nothing here parses or
// verifies a JWT by hand. Every request to the upstream is bounded by `timeoutMs`.
import * as oidc from 'openid-client';
import { SignJWT, importPKCS8 } from 'jose';
import { FrontdoorError } from '../../core/errors.ts';
import type { UpstreamClient, UpstreamIdentity } from '../../core/federation/federated-sign-in.ts';
import type { Clock, Connection, ConnectionRepository } from '../../core/ports.ts';

const CONFIGURATION_TTL_MS = 5 * 60_000;
const APPLE_AUDIENCE = 'https://appleid.apple.com';
const MAX_RESPONSE_BYTES = 512 * 1024;

export interface OpenidUpstreamOptions {
  connections: Pick<ConnectionRepository, 'secretOf'>;
  clock: Clock;
  /** Bound on every request to an upstream (discovery, JWKS, token, userinfo). */
  timeoutMs: number;
}

const isLoopbackHttp = (value: string | undefined) => value !== undefined && new URL(value).protocol === 'http:';

/** The error a failed upstream step becomes: what the page says; the cause stays in the log. */
function upstreamFailure(cause: unknown): FrontdoorError {
  if (cause instanceof FrontdoorError) return cause;
  if (cause instanceof oidc.AuthorizationResponseError) {
    return new FrontdoorError(cause.error === 'access_denied' ? 'federation.denied' : 'federation.invalid_response', { cause, detail: `upstream error: ${cause.error}` });
  }
  const error = cause as { name?: string; message?: string; code?: string; cause?: { name?: string; code?: string } };
  const names = [error?.name, error?.cause?.name, error?.code, error?.cause?.code];
  if (names.some((n) => n === 'TimeoutError' || n === 'AbortError' || n === 'ECONNREFUSED' || n === 'ECONNRESET' || n === 'UND_ERR_CONNECT_TIMEOUT' || n === 'ENOTFOUND')) {
    return new FrontdoorError('federation.unavailable', { cause, detail: 'upstream did not answer' });
  }
  if (typeof error?.message === 'string' && /"state"/.test(error.message)) return new FrontdoorError('federation.state_invalid', { cause, detail: error.message });
  if (error instanceof TypeError && /fetch failed/.test(String(error.message))) return new FrontdoorError('federation.unavailable', { cause, detail: 'upstream unreachable' });
  return new FrontdoorError('federation.invalid_response', { cause, detail: typeof error?.message === 'string' ? error.message : 'invalid upstream response' });
}

function claimString(claims: Record<string, unknown>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 1000 ? value : undefined;
}

/** `email_verified` as the upstream says it (Apple sends the string "true"). */
function claimTrue(claims: Record<string, unknown>, name: string): boolean {
  const value = claims[name];
  return value === true || value === 'true';
}

export function createOpenidUpstream(options: OpenidUpstreamOptions): UpstreamClient {
  const cache = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  const boundedFetch: oidc.CustomFetch = async (url, init) => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) } as RequestInit);
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_RESPONSE_BYTES) throw new FrontdoorError('federation.invalid_response', { detail: 'upstream response too large' });
    return response;
  };

  async function clientSecret(connection: Connection): Promise<string | null> {
    const secret = await options.connections.secretOf(connection.tenantId, connection.id);
    if (connection.preset !== 'apple' || !secret || !connection.settings.apple) return secret;
    // Apple's client secret: an ES256 JWT signed with the team's key, good for a few minutes.
    const key = await importPKCS8(secret, 'ES256');
    const now = Math.floor(options.clock.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: connection.settings.apple.keyId })
      .setIssuer(connection.settings.apple.teamId)
      .setSubject(connection.clientId)
      .setAudience(APPLE_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key);
  }

  async function build(connection: Connection): Promise<oidc.Configuration> {
    const secret = await clientSecret(connection);
    const auth = secret ? (connection.preset === 'apple' || connection.preset === 'github' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret)) : oidc.None();
    const s = connection.settings;
    let config: oidc.Configuration;
    if (connection.type === 'oidc') {
      // Also check the ID token's signature against the upstream's JWKS (openid-client skips it by
      // default for tokens from the token endpoint): a token signed by any other key is refused.
      const execute = [oidc.enableNonRepudiationChecks, ...(isLoopbackHttp(s.issuer) ? [oidc.allowInsecureRequests] : [])];
      config = await oidc.discovery(new URL(s.issuer!), connection.clientId, secret ? { client_secret: secret } : undefined, auth, { execute, timeout: Math.ceil(options.timeoutMs / 1000), [oidc.customFetch]: boundedFetch });
    } else {
      const server: oidc.ServerMetadata = {
        issuer: new URL(s.authorizationEndpoint!).origin,
        authorization_endpoint: s.authorizationEndpoint!,
        token_endpoint: s.tokenEndpoint!,
        ...(s.userinfoEndpoint ? { userinfo_endpoint: s.userinfoEndpoint } : {}),
      };
      config = new oidc.Configuration(server, connection.clientId, secret ? { client_secret: secret } : undefined, auth);
      config[oidc.customFetch] = boundedFetch;
      if ([s.authorizationEndpoint, s.tokenEndpoint, s.userinfoEndpoint].some(isLoopbackHttp)) oidc.allowInsecureRequests(config);
    }
    config.timeout = Math.ceil(options.timeoutMs / 1000);
    return config;
  }

  /** The configuration of a connection, discovered at most every five minutes (Apple's secret is made fresh each time). */
  function configuration(connection: Connection): Promise<oidc.Configuration> {
    if (connection.preset === 'apple') return build(connection);
    const key = `${connection.tenantId}\u0000${connection.id}\u0000${connection.updatedAt}`;
    const hit = cache.get(key);
    const now = options.clock.now();
    if (hit && now - hit.at < CONFIGURATION_TTL_MS) return hit.config;
    const config = build(connection);
    cache.set(key, { at: now, config });
    config.catch(() => cache.delete(key));
    return config;
  }

  async function oauth2Identity(config: oidc.Configuration, connection: Connection, accessToken: string): Promise<Omit<UpstreamIdentity, 'tokens'>> {
    const s = connection.settings;
    const get = async (url: string) => {
      const response = await oidc.fetchProtectedResource(config, accessToken, new URL(url), 'GET');
      if (!response.ok) throw new FrontdoorError('federation.invalid_response', { detail: `upstream API answered ${response.status}` });
      return (await response.json()) as unknown;
    };
    const user = (await get(s.userinfoEndpoint!)) as Record<string, unknown>;
    const id = user.sub ?? user.id;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id).length === 0) throw new FrontdoorError('federation.invalid_response', { detail: 'no account id from the upstream' });
    const mapping = s.mapping ?? {};
    let email = claimString(user, mapping.email ?? 'email') ?? null;
    let emailVerified = claimTrue(user, mapping.emailVerified ?? 'email_verified');
    if (s.emailsEndpoint) {
      // GitHub style: only the primary address, and only when GitHub verified it.
      const emails = await get(s.emailsEndpoint);
      const primary = Array.isArray(emails) ? (emails as Array<Record<string, unknown>>).find((e) => e.primary === true && typeof e.email === 'string') : undefined;
      email = primary ? (primary.email as string) : null;
      emailVerified = primary?.verified === true;
    }
    const name = claimString(user, mapping.name ?? 'name');
    const picture = claimString(user, mapping.picture ?? (connection.preset === 'github' ? 'avatar_url' : 'picture'));
    return { subject: String(id), email, emailVerified, profile: { ...(name ? { name } : {}), ...(picture ? { picture } : {}) }, amr: [], acr: null };
  }

  return {
    async begin(connection, redirectUri) {
      try {
        const config = await configuration(connection);
        const codeVerifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = connection.type === 'oidc' ? oidc.randomNonce() : null;
        const params: Record<string, string> = {
          redirect_uri: redirectUri,
          scope: connection.settings.scopes.join(' '),
          response_type: 'code',
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state,
          ...(nonce ? { nonce } : {}),
          ...(connection.settings.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
        };
        return { url: oidc.buildAuthorizationUrl(config, params).toString(), state, nonce, codeVerifier };
      } catch (error) {
        throw upstreamFailure(error);
      }
    },

    async complete(connection, redirectUri, response, expected) {
      try {
        const config = await configuration(connection);
        const current =
          response.method === 'POST' && response.body
            ? new Request(redirectUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: response.body.toString() })
            : new URL(`${redirectUri}?${response.query.toString()}`);
        const checks: oidc.AuthorizationCodeGrantChecks = { pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, ...(expected.nonce ? { expectedNonce: expected.nonce, idTokenExpected: true } : {}) };
        const tokens = await oidc.authorizationCodeGrant(config, current, checks, { redirect_uri: redirectUri });
        const kept = connection.settings.storeUpstreamTokens
          ? JSON.stringify({ access_token: tokens.access_token, token_type: tokens.token_type, ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}), ...(tokens.expires_in ? { expires_at: options.clock.now() + tokens.expires_in * 1000 } : {}), ...(tokens.scope ? { scope: tokens.scope } : {}) })
          : null;
        if (connection.type === 'oauth2') return { ...(await oauth2Identity(config, connection, tokens.access_token)), tokens: kept };

        const idClaims = tokens.claims();
        if (!idClaims) throw new FrontdoorError('federation.invalid_response', { detail: 'no ID token' });
        let claims: Record<string, unknown> = { ...idClaims };
        const allowed = connection.settings.allowedTenants;
        if (allowed && !(typeof claims.tid === 'string' && allowed.includes(claims.tid))) throw new FrontdoorError('federation.invalid_response', { detail: 'directory (tid) not allowed' });
        const mapping = connection.settings.mapping ?? {};
        // The address from userinfo when the ID token carries none (checked to be the same subject).
        if (claimString(claims, mapping.email ?? 'email') === undefined && config.serverMetadata().userinfo_endpoint) {
          claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...claims };
        }
        const profile: UpstreamIdentity['profile'] = {};
        for (const [ours, theirs] of [['name', mapping.name ?? 'name'], ['given_name', mapping.givenName ?? 'given_name'], ['family_name', mapping.familyName ?? 'family_name'], ['picture', mapping.picture ?? 'picture']] as const) {
          const value = claimString(claims, theirs);
          if (value) profile[ours] = value;
        }
        // Apple sends the name once, on the first sign-in, beside the code in its form post.
        const appleUser = connection.preset === 'apple' ? response.body?.get('user') : null;
        if (appleUser && appleUser.length < 2000) {
          try {
            const parsed = JSON.parse(appleUser) as { name?: { firstName?: unknown; lastName?: unknown } };
            if (typeof parsed.name?.firstName === 'string') profile.given_name = parsed.name.firstName;
            if (typeof parsed.name?.lastName === 'string') profile.family_name = parsed.name.lastName;
            if (profile.given_name || profile.family_name) profile.name = [profile.given_name, profile.family_name].filter(Boolean).join(' ');
          } catch {
            // not JSON: no name
          }
        }
        return {
          subject: idClaims.sub,
          email: claimString(claims, mapping.email ?? 'email') ?? null,
          emailVerified: claimTrue(claims, mapping.emailVerified ?? 'email_verified'),
          profile,
          amr: Array.isArray(idClaims.amr) ? idClaims.amr.filter((m): m is string => typeof m === 'string') : [],
          acr: claimString(idClaims, 'acr') ?? null,
          tokens: kept,
        };
      } catch (error) {
        throw upstreamFailure(error);
      }
    },
  };
}
