// What an OIDC benchmark server (Frontdoor, or the bare oidc-provider reference) tells the runner
// once it is ready: one JSON line on stdout with this shape.
export interface OidcTargetReady {
  target: 'frontdoor' | 'bare';
  port: number;
  pid: number;
  /** The issuer as the server names it; the runner reads endpoints from its discovery document. */
  issuer: string;
  engine: string;
  /** A confidential client allowed client_credentials for both resources. */
  machine: { clientId: string; secret: string };
  /** A confidential, first-party client for the authorization code flow. */
  web: { clientId: string; secret: string; redirectUri: string };
  /** Resources whose access tokens are JWTs (RFC 9068) and opaque, each with scope `read:bench`. */
  jwtResource: string;
  opaqueResource: string;
  scope: string;
  /** How a browser gets signed in before the code flow; null when the provider signs anyone in. */
  login: { path: string; email: string; password: string } | null;
}

export const BENCH_SCOPE = 'read:bench';
export const BENCH_REDIRECT_URI = 'https://rp.example.test/callback';
export const BENCH_JWT_RESOURCE = 'https://api.example.test/bench-jwt';
export const BENCH_OPAQUE_RESOURCE = 'https://api.example.test/bench-opaque';
