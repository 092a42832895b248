// @frontdoor/node: what an API needs from Frontdoor. Plain JavaScript (it runs from node_modules,
// where Node strips no types); types in index.d.ts.
//
// - createTokenVerifier: verifies an access token locally — signature against the tenant's JWKS
//   (fetched once and cached by jose, refetched for an unknown key id), `typ: at+jwt` (RFC 9068),
//   issuer, audience (the API's identifier), expiry.
// - fastifyRequireScopes / expressRequireScopes: a request handler that answers 401 (no or bad
//   token) or 403 (a scope missing) with the RFC 6750 WWW-Authenticate header, else puts the
//   claims on the request (`request.frontdoor`, `req.frontdoor`).
// - createAuthzClient: POST /t/{tenant}/authz/check with the app's client credentials.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

export class TokenError extends Error {
  /** @param {'invalid_token' | 'insufficient_scope'} code @param {string} description @param {string[]} [scopes] */
  constructor(code, description, scopes = []) {
    super(description);
    this.name = 'TokenError';
    this.code = code;
    this.status = code === 'insufficient_scope' ? 403 : 401;
    this.scopes = scopes;
  }
}

const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'];

/** @param {{ issuer: string; audience: string; clockToleranceSeconds?: number; jwksUrl?: string }} options */
export function createTokenVerifier(options) {
  if (!options?.issuer || !options.audience) throw new TypeError('createTokenVerifier needs issuer and audience');
  const issuer = options.issuer.replace(/\/$/, '');
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl ?? `${issuer}/jwks`));
  return {
    /** @param {string} token */
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new TokenError('invalid_token', 'no access token');
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer, audience: options.audience, typ: 'at+jwt', algorithms: ALGORITHMS, clockTolerance: options.clockToleranceSeconds ?? 5 });
        // A token bound to a DPoP key is not a bearer token: this helper checks no proof, so it refuses it.
        if (payload.cnf && typeof payload.cnf === 'object' && 'jkt' in payload.cnf) throw new TokenError('invalid_token', 'the token is bound to a DPoP key');
        return payload;
      } catch (error) {
        if (error instanceof TokenError) throw error;
        const reason = error instanceof joseErrors.JWTExpired ? 'the token has expired' : error instanceof joseErrors.JOSEError ? 'the token does not verify' : 'the token could not be checked';
        throw new TokenError('invalid_token', reason);
      }
    },
  };
}

/** The scopes a verified token carries. @param {{ scope?: unknown }} payload */
export function scopesOf(payload) {
  return typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
}

/** Verifies the bearer token of an Authorization header and checks it carries every scope in `required`. */
async function authorize(verifier, header, required) {
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
  if (!match) throw new TokenError('invalid_token', 'a bearer token is required');
  const payload = await verifier.verify(match[1]);
  const held = new Set(scopesOf(payload));
  const missing = required.filter((scope) => !held.has(scope));
  if (missing.length > 0) throw new TokenError('insufficient_scope', `the token lacks ${missing.join(' ')}`, required);
  return payload;
}

function challenge(error) {
  const parts = [`error="${error.code}"`, `error_description="${error.message.replace(/["\\]/g, '')}"`];
  if (error.code === 'insufficient_scope') parts.push(`scope="${error.scopes.join(' ')}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** A Fastify preHandler: `{ preHandler: fastifyRequireScopes(verifier, 'read:orders') }`. */
export function fastifyRequireScopes(verifier, ...required) {
  return async function requireScopes(request, reply) {
    try {
      request.frontdoor = await authorize(verifier, request.headers.authorization, required);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      return reply.code(error.status).header('www-authenticate', challenge(error)).send({ error: error.code, error_description: error.message });
    }
  };
}

/** An Express (or Connect) middleware: `app.get('/orders', expressRequireScopes(verifier, 'read:orders'), handler)`. */
export function expressRequireScopes(verifier, ...required) {
  return function requireScopes(req, res, next) {
    authorize(verifier, req.headers.authorization, required).then(
      (payload) => {
        req.frontdoor = payload;
        next();
      },
      (error) => {
        if (!(error instanceof TokenError)) return next(error);
        res.statusCode = error.status;
        res.setHeader('www-authenticate', challenge(error));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: error.code, error_description: error.message }));
      },
    );
  };
}

/** @param {{ baseUrl: string; tenant: string; clientId: string; clientSecret: string; fetch?: typeof fetch }} options */
export function createAuthzClient(options) {
  const url = new URL(`/t/${encodeURIComponent(options.tenant)}/authz/check`, options.baseUrl);
  // RFC 6749 2.3.1: form-encode both parts before Basic.
  const enc = (value) => encodeURIComponent(value).replace(/%20/g, '+');
  const authorization = `Basic ${Buffer.from(`${enc(options.clientId)}:${enc(options.clientSecret)}`).toString('base64')}`;
  const doFetch = options.fetch ?? fetch;
  async function post(body) {
    const response = await doFetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error(`authz check failed: ${response.status} ${json?.error ?? ''}`.trim());
    return json;
  }
  return {
    /** @param {{ subject: string; action: string; api?: string; resource?: object; context?: object }} input */
    check: (input) => post(input),
    /** Up to 100 checks in one request; results in the same order. */
    checkMany: async (inputs) => (await post({ checks: inputs })).results,
  };
}
