// Backpressure: when this node is overloaded — its event loop runs late, or queries queue for a
// database connection — new work is refused at once with 503 and Retry-After, before a body is read
// or a tenant looked up, instead of queueing until every caller times out. /healthz, /readyz and
// /metrics still answer, so balancers and monitoring see the node as it is. Password hashing has
// its own bounded queue (adapters/password/argon2-hasher.ts), so a sign-in flood that fills it
// answers busy there without holding up token refreshes.
import type { FastifyInstance } from 'fastify';
import { FrontdoorError } from '../core/errors.ts';
import { errorBody } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { requestLocale } from './request-context.ts';

const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);
/** How often the event loop's lateness is sampled. */
const SAMPLE_MS = 50;
/** Late samples in a row that make an overload: one long stall (a GC pause, a moment without the CPU) is not one. */
const LATE_IN_A_ROW = 2;

export interface LoadShedding {
  /** Begins sampling (when the server is ready: the long synchronous stretches of a start are not overload). */
  start(): void;
  /** Why new work would be refused now, or null. */
  overloaded(): 'event_loop' | 'database' | null;
  stop(): void;
}

export function createLoadShedding(options: { maxEventLoopDelayMs: number; maxDatabaseWaiting: number; waitingForConnection: () => number }): LoadShedding {
  // A timer's lateness is the event loop's delay. The overdue tick runs before the I/O callbacks of
  // the same turn, so a request right behind a stall already sees it, and the first tick on time
  // ends the overload.
  let last = 0;
  let lateInARow = 0;
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      if (timer || options.maxEventLoopDelayMs <= 0) return;
      last = performance.now();
      timer = setInterval(() => {
        const now = performance.now();
        lateInARow = now - last - SAMPLE_MS > options.maxEventLoopDelayMs ? lateInARow + 1 : 0;
        last = now;
      }, SAMPLE_MS);
      timer.unref();
    },
    overloaded() {
      if (lateInARow >= LATE_IN_A_ROW) return 'event_loop';
      if (options.maxDatabaseWaiting > 0 && options.waitingForConnection() >= options.maxDatabaseWaiting) return 'database';
      return null;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

// Answered here, not by the error pages: those read the tenant (its branding), which is the very
// work an overloaded node must not queue.
const BUSY_PAGE = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Busy</title><p>This service is very busy. Please try again in a moment.</p></html>';

export function registerLoadShedding(app: FastifyInstance, shedding: LoadShedding, metrics: Metrics): void {
  app.addHook('onRequest', async (request, reply) => {
    if (EXEMPT.has(request.url.split('?', 1)[0]!)) return;
    const reason = shedding.overloaded();
    if (!reason) return;
    metrics.shedRequests.inc({ reason });
    reply.status(503).header('retry-after', '1').header('cache-control', 'no-store');
    if ((request.headers.accept ?? '').includes('text/html')) return reply.type('text/html; charset=utf-8').send(BUSY_PAGE);
    return reply.type('application/json; charset=utf-8').send(errorBody(new FrontdoorError('server.busy'), requestLocale(request)));
  });
  app.addHook('onReady', async () => shedding.start());
  app.addHook('onClose', async () => shedding.stop());
}
