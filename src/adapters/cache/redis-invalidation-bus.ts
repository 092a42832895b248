// Cache invalidation across nodes through Redis pub/sub: a node that changes something another
// node caches (a tenant's roles, an account, who holds which role) publishes the tenant's id and
// the account's; every other node drops those entries at once. Messages are best effort: a node
// that misses one (Redis down, reconnecting) still hears of the change from the database's change
// log within a poll (storage/access-changes.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheInvalidationBus } from '../../core/ports.ts';

export function createRedisInvalidationBus(redis: Redis, channel: string, onError: (error: Error) => void): CacheInvalidationBus {
  // Own messages come back too; the node id tells them apart.
  const nodeId = randomBytes(8).toString('base64url');
  const subscriber = redis.duplicate();
  subscriber.on('error', onError);
  const handlers: ((tenantId: string, userId: string | null) => void)[] = [];
  const ready = subscriber.subscribe(channel).catch((error: Error) => onError(error));
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    // node id, tenant id, account id (empty: the tenant's entries); neither id holds a newline.
    const [sender, tenantId, userId] = message.split('\n');
    if (sender === nodeId || !tenantId || userId === undefined) return;
    for (const handler of handlers) handler(tenantId, userId === '' ? null : userId);
  });
  return {
    publish(tenantId, userId) {
      redis.publish(channel, `${nodeId}\n${tenantId}\n${userId ?? ''}`).catch((error: Error) => onError(error));
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
