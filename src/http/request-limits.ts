// Counts every request to a tenant's endpoints against its request limits (core/risk/request-limits.ts)
// before anything else runs for it: no body is read, no page rendered, no token checked for a
// request past its limit. OIDC endpoints answer in the OAuth error format, the rest as usual.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../app.ts';
import { FrontdoorError } from '../core/errors.ts';
import { createRequestLimits, endpointGroupOfUrl, type EndpointGroup } from '../core/risk/request-limits.ts';
import { TENANT_ID_PATTERN } from '../core/tenants/tenant-admin.ts';
import { errorBody } from './errors.ts';
import { requestLocale } from './request-context.ts';

const OAUTH_GROUPS: ReadonlySet<EndpointGroup> = new Set(['token', 'authorization', 'userinfo', 'introspection', 'oidc']);

export function registerRequestLimits(app: FastifyInstance, services: Services): void {
  const limits = createRequestLimits({ limiter: services.limiter });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url?.startsWith('/t/:tenant')) return;
    const tenantId = (request.params as { tenant?: string }).tenant;
    if (!tenantId || !TENANT_ID_PATTERN.test(tenantId)) return;
    // The routes answer an unknown tenant themselves.
    const tenant = await services.store.tenants.get(tenantId);
    if (!tenant) return;
    const group = endpointGroupOfUrl(request.raw.url ?? '/');
    try {
      await limits.check(tenant, group, request.ip);
    } catch (error) {
      if (!(error instanceof FrontdoorError) || !OAUTH_GROUPS.has(group)) throw error;
      const { message } = errorBody(error, requestLocale(request));
      return reply
        .status(429)
        .header('retry-after', String(error.retryAfterSeconds ?? 1))
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send({ error: 'rate_limited', error_description: message });
    }
  });
}
