// Requests per minute to a tenant's endpoints, by endpoint group: per client address (one source
// cannot take more than its share) and per tenant (one tenant cannot take the nodes from the
// others). These sit under the per-attempt limits of the sign-in flows (attempt-guard.ts), which
// count what a request tries; these count requests, whatever they try. Sliding windows in the
// RateLimiter port, so with Redis they hold across nodes.
import { FrontdoorError } from '../errors.ts';
import type { RateLimiter, Tenant } from '../ports.ts';

export const ENDPOINT_GROUPS = ['token', 'authorization', 'userinfo', 'introspection', 'oidc', 'api', 'pages'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

/** Requests per minute by endpoint group; 0 = no limit. */
export type RequestLimitTable = Record<EndpointGroup, number>;

export const REQUEST_LIMIT_WINDOW_SECONDS = 60;

// Per address: well above what a person or an app's server does in a minute, far below a flood.
// A confidential app redeems every user's code and refresh token from its own servers, so the
// token endpoint allows the most. Per tenant: none by default (a self-hosted deployment usually
// serves one business); a shared deployment sets a ceiling per tenant.
export const DEFAULT_REQUEST_LIMITS: { perAddress: RequestLimitTable; perTenant: RequestLimitTable } = {
  perAddress: { token: 1200, authorization: 300, userinfo: 1200, introspection: 3000, oidc: 1200, api: 300, pages: 600 },
  perTenant: { token: 0, authorization: 0, userinfo: 0, introspection: 0, oidc: 0, api: 0, pages: 0 },
};

/** The group of a path under `/t/{tenant}` (e.g. `/oidc/token`, `/login?x=1`). */
export function endpointGroup(path: string): EndpointGroup {
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  if (bare === '/oidc' || bare.startsWith('/oidc/')) {
    const route = bare.slice('/oidc'.length);
    if (route === '/token') return 'token';
    if (route === '/token/introspection' || route === '/token/revocation') return 'introspection';
    if (route === '/auth' || route.startsWith('/auth/') || route === '/request' || route === '/device/auth') return 'authorization';
    if (route === '/me') return 'userinfo';
    return 'oidc';
  }
  if (bare === '/api' || bare.startsWith('/api/')) return 'api';
  return 'pages';
}

const TENANT_PREFIX = /^\/t\/[^/?#]+/;

/** The group of a whole request URL (`/t/{tenant}/oidc/token?x=1`). */
export function endpointGroupOfUrl(url: string): EndpointGroup {
  return endpointGroup(url.replace(TENANT_PREFIX, '') || '/');
}

export interface RequestLimits {
  /** Counts one request; throws `rate_limited` (with Retry-After) past a limit. */
  check(tenant: Tenant, group: EndpointGroup, ip: string | null): Promise<void>;
}

export function createRequestLimits(deps: { limiter: RateLimiter }): RequestLimits {
  const limitOf = (table: Partial<Record<string, number>> | undefined, defaults: RequestLimitTable, group: EndpointGroup) => table?.[group] ?? defaults[group];
  return {
    async check(tenant, group, ip) {
      const settings = tenant.settings.rateLimits;
      const perAddress = limitOf(settings?.perAddress, DEFAULT_REQUEST_LIMITS.perAddress, group);
      const perTenant = limitOf(settings?.perTenant, DEFAULT_REQUEST_LIMITS.perTenant, group);
      const [address, whole] = await Promise.all([
        perAddress > 0 && ip ? deps.limiter.hit(`req:${group}:${tenant.id}:ip:${ip}`, perAddress, REQUEST_LIMIT_WINDOW_SECONDS) : null,
        perTenant > 0 ? deps.limiter.hit(`req:${group}:${tenant.id}`, perTenant, REQUEST_LIMIT_WINDOW_SECONDS) : null,
      ]);
      const refused = [address, whole].filter((r) => r !== null && !r.allowed);
      if (refused.length === 0) return;
      throw new FrontdoorError('rate_limited', {
        retryAfterSeconds: Math.max(1, ...refused.map((r) => r!.retryAfterSeconds)),
        detail: [address && !address.allowed ? `address_${group}` : null, whole && !whole.allowed ? `tenant_${group}` : null].filter(Boolean).join(','),
      });
    },
  };
}
