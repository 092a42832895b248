import type { JWTPayload } from 'jose';

export interface AccessTokenClaims extends JWTPayload {
  scope?: string;
  client_id?: string;
  roles?: string[];
  permissions?: string[];
}

export declare class TokenError extends Error {
  readonly code: 'invalid_token' | 'insufficient_scope';
  readonly status: 401 | 403;
  readonly scopes: string[];
}

export interface TokenVerifier {
  /** Verifies an access token (JWT, `typ: at+jwt`) of `issuer` for `audience`; throws TokenError. */
  verify(token: string): Promise<AccessTokenClaims>;
}

export declare function createTokenVerifier(options: { issuer: string; audience: string; clockToleranceSeconds?: number; jwksUrl?: string }): TokenVerifier;
export declare function scopesOf(payload: { scope?: unknown }): string[];

/** A Fastify preHandler: 401/403 with WWW-Authenticate, else `request.frontdoor` = the claims. */
export declare function fastifyRequireScopes(verifier: TokenVerifier, ...scopes: string[]): (request: any, reply: any) => Promise<unknown>;
/** An Express/Connect middleware: 401/403 with WWW-Authenticate, else `req.frontdoor` = the claims. */
export declare function expressRequireScopes(verifier: TokenVerifier, ...scopes: string[]): (req: any, res: any, next: (error?: unknown) => void) => void;

export interface CheckInput {
  subject: string;
  action: string;
  api?: string;
  resource?: Record<string, unknown>;
  context?: Record<string, unknown>;
}
export interface Decision {
  allowed: boolean;
  reason: string;
  role?: string;
  missing?: string[];
}
export declare function createAuthzClient(options: { baseUrl: string; tenant: string; clientId: string; clientSecret: string; fetch?: typeof fetch }): {
  check(input: CheckInput): Promise<Decision>;
  checkMany(inputs: CheckInput[]): Promise<Decision[]>;
};
