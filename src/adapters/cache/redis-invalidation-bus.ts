// Cache invalidation across nodes through Redis pub/sub: a node that changes something another
// node caches (a tenant's roles, who holds them) publishes the tenant's id; every other node drops
// its entries at once instead of within its cache's bound. Messages are best effort — a node that
// misses one (Redis down, reconnecting) still sees the change when its entry ages out.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheInvalidationBus } from '../../core/ports.ts';

export function createRedisInvalidationBus(redis: Redis, channel: string, onError: (error: Error) => void): CacheInvalidationBus {
  // Own messages come back too; the node id tells them apart.
  const nodeId = randomBytes(8).toString('base64url');
  const subscriber = redis.duplicate();
  subscriber.on('error', onError);
  const handlers: ((tenantId: string) => void)[] = [];
  const ready = subscriber.subscribe(channel).catch((error: Error) => onError(error));
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const separator = message.indexOf('\n');
    if (separator < 0 || message.slice(0, separator) === nodeId) return;
    const tenantId = message.slice(separator + 1);
    for (const handler of handlers) handler(tenantId);
  });
  return {
    publish(tenantId) {
      redis.publish(channel, `${nodeId}\n${tenantId}`).catch((error: Error) => onError(error));
    },
    onPeerChange(handler) {
      handlers.push(handler);
    },
    ready: async () => {
      await ready;
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
