// Prometheus metrics, one registry per server (tests run several in a process).
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { endpointGroupOfUrl } from '../core/risk/request-limits.ts';
import { countQueriesIn, type QueryScope } from '../storage/query-count.ts';

export interface Metrics {
  registry: Registry;
  signIns: Counter<'result'>;
  securityEvents: Counter<'type' | 'tenant'>;
  /** The second step of sign-ins, by method (`totp`, `recovery_code`) and outcome: the MFA funnel. */
  secondFactors: Counter<'method' | 'result'>;
  /** Second-factor set-ups started and completed, by method. */
  mfaEnrollments: Counter<'method' | 'stage'>;
  /** First-factor sign-ins by method (`password`, `passkey`, `email_code`, `magic_link`) and stage (`started` for mailed codes, `completed`, `failed`): the funnel by method. */
  signInMethods: Counter<'method' | 'stage'>;
  /** Requests refused by load shedding, by reason (event_loop, database). */
  shedRequests: Counter<'reason'>;
  /** Passkeys registered and removed, by where (`account`, `offer`) and outcome. */
  passkeyRegistrations: Counter<'source' | 'result'>;
}

/** Per tenant: active users and how many hold a passkey (read at scrape time). */
export type PasskeyAdoptionSource = () => Promise<{ tenantId: string; activeUsers: number; withPasskey: number }[]>;

/** Adoption is a count over all users: computed at most once a minute, whatever the scrape rate. */
const ADOPTION_CACHE_MS = 60_000;

const OIDC_ROUTE = '/t/:tenant/oidc/*';

/** The route; the provider's one wildcard route is told apart by endpoint group (token, userinfo, …), a bounded set. */
function routeLabel(route: string | undefined, url: string): string {
  if (route !== OIDC_ROUTE) return route ?? 'unmatched';
  return `${OIDC_ROUTE} ${endpointGroupOfUrl(url)}`;
}

export function createMetrics(app: FastifyInstance, options: { defaultMetrics: boolean; passkeyAdoption?: PasskeyAdoptionSource; now?: () => number }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'frontdoor_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'frontdoor_sign_ins_total',
    help: 'Password sign-in attempts by outcome',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const queriesPerRequest = new Histogram({
    name: 'frontdoor_request_db_queries',
    help: 'Database queries run by one request, by route and method (an N+1 shows as a growing count)',
    labelNames: ['method', 'route'] as const,
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55],
    registers: [registry],
  });
  // Callback style, first of all hooks: the rest of the request runs inside the scope it opens.
  const scopes = new WeakMap<object, QueryScope>();
  app.addHook('onRequest', (request, _reply, done) => {
    const queries: QueryScope = { queries: 0 };
    scopes.set(request, queries);
    countQueriesIn(queries, done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = routeLabel(request.routeOptions.url, request.originalUrl);
    latency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const queries = scopes.get(request);
    if (queries) queriesPerRequest.observe({ method: request.method, route }, queries.queries);
  });
  const secondFactors = new Counter({
    name: 'frontdoor_second_factor_total',
    help: 'Second sign-in steps by method and outcome (started, success, failure)',
    labelNames: ['method', 'result'] as const,
    registers: [registry],
  });
  const mfaEnrollments = new Counter({
    name: 'frontdoor_mfa_enrollments_total',
    help: 'Second-factor set-ups by method and stage (started, completed)',
    labelNames: ['method', 'stage'] as const,
    registers: [registry],
  });
  const signInMethods = new Counter({
    name: 'frontdoor_sign_in_methods_total',
    help: 'First-factor sign-ins by method (password, passkey, email_code, magic_link) and stage (started: a code was mailed; completed; failed)',
    labelNames: ['method', 'stage'] as const,
    registers: [registry],
  });
  const shedRequests = new Counter({
    name: 'frontdoor_shed_requests_total',
    help: 'Requests refused with 503 because the node was overloaded, by reason (event_loop: the event loop ran late; database: queries queued for a connection)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const passkeyRegistrations = new Counter({
    name: 'frontdoor_passkey_registrations_total',
    help: 'Passkey registrations by source (account page, offer after a password sign-in) and result',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
  });
  const adoptionSource = options.passkeyAdoption;
  if (adoptionSource) {
    const now = options.now ?? Date.now;
    let cached: { at: number; rows: Awaited<ReturnType<PasskeyAdoptionSource>> } | null = null;
    const rows = async () => {
      if (!cached || now() - cached.at >= ADOPTION_CACHE_MS) cached = { at: now(), rows: await adoptionSource() };
      return cached.rows;
    };
    new Gauge({
      name: 'frontdoor_passkey_adoption_ratio',
      help: 'Share of active users who hold at least one passkey, per tenant (refreshed at most once a minute)',
      labelNames: ['tenant'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) this.set({ tenant: row.tenantId }, row.activeUsers > 0 ? row.withPasskey / row.activeUsers : 0);
      },
    });
    new Gauge({
      name: 'frontdoor_users_with_passkey',
      help: 'Active users who hold at least one passkey, per tenant (refreshed at most once a minute)',
      labelNames: ['tenant'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) this.set({ tenant: row.tenantId }, row.withPasskey);
      },
    });
  }
  const securityEvents = new Counter({
    name: 'frontdoor_security_events_total',
    help: 'Security events by type (sign_in.new_device, sign_in.reported, attack.credential_stuffing, attack.failure_spike, account.failure_hold) and tenant',
    labelNames: ['type', 'tenant'] as const,
    registers: [registry],
  });
  return { registry, signIns, secondFactors, mfaEnrollments, signInMethods, shedRequests, passkeyRegistrations, securityEvents };
}
