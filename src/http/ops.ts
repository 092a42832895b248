import type { FastifyInstance } from 'fastify';
import type { Services } from '../app.ts';
import type { Metrics } from './metrics.ts';

export function registerOpsRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await services.store.ping();
      // Without Redis a node still serves (rate limits count per node): degraded, not unready.
      if (services.redis && services.redis.status !== 'ready') return { status: 'degraded', database: services.engine, redis: 'unreachable' };
      return { status: 'ready', database: services.engine, ...(services.redis ? { redis: 'ready' } : {}) };
    } catch {
      return reply.status(503).send({ error: 'server.busy', message: 'The database is not reachable.' });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
