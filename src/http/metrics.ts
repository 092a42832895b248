// Prometheus metrics, one registry per server (tests run several in a process).
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  signIns: Counter<'result'>;
  /** The second step of sign-ins, by method (`totp`, `recovery_code`) and outcome: the MFA funnel. */
  secondFactors: Counter<'method' | 'result'>;
  /** Second-factor set-ups started and completed, by method. */
  mfaEnrollments: Counter<'method' | 'stage'>;
}

export function createMetrics(app: FastifyInstance, options: { defaultMetrics: boolean }): Metrics {
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
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    latency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
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
  return { registry, signIns, secondFactors, mfaEnrollments };
}
