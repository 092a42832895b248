// The decision cache across nodes through Redis: with the clocks stopped, so that no cache entry
// ever ages out, a role given on one node counts on the other as soon as its published
// invalidation arrives — without Redis it would not count there until the entry's second passed.
import { Redis } from 'ioredis';
import { REDIS_URL, redisReachable } from '../support/redis.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisInvalidationBus } from '../../src/adapters/cache/redis-invalidation-bus.ts';
import { createAccessService } from '../../src/core/authz/access.ts';
import type { CacheInvalidationBus, Role, Store, Tenant, User } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import { createTestStore } from '../support/store.ts';

const API = 'https://api.example';

const available = await redisReachable('the decision cache across nodes');

describe.runIf(available)('decision cache invalidated across nodes through Redis', () => {
  const now = 1_800_000_000_000;
  const clock = { now: () => now };
  const channel = `frontdoor:test:authz:${newId('ch')}`;
  const connections: Redis[] = [];
  const buses: CacheInvalidationBus[] = [];
  let store: Store;
  let tenant: Tenant;
  let user: User;
  let role: Role;

  beforeAll(async () => {
    const { db, engine } = openDatabase({ engine: 'sqlite', file: ':memory:' });
    await migrateToLatest(db, engine);
    store = await createTestStore(db);
    tenant = { id: 't1', name: 'T1', branding: {}, settings: {}, createdAt: now, updatedAt: now };
    await store.tenants.create(tenant);
    await store.apiResources.create({ id: newId('api'), tenantId: 't1', identifier: API, name: 'API', scopes: [{ name: 'read', description: '' }], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 600, createdAt: now, updatedAt: now });
    role = { id: newId('rol'), tenantId: 't1', name: 'reader', description: '', permissions: [{ api: API, permission: 'read' }], createdAt: now, updatedAt: now };
    await store.authorization.createRole(role);
    user = { id: newId('usr'), tenantId: 't1', status: 'active', email: 'a@example.com', emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await store.users.create(user);
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    for (const redis of connections) redis.disconnect();
    await store?.close();
  });

  async function node(withRedis: boolean) {
    if (!withRedis) return createAccessService({ store, clock });
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    const bus = createRedisInvalidationBus(redis, channel, (error) => {
      throw error;
    });
    buses.push(bus);
    await bus.ready();
    return createAccessService({ store, clock, invalidations: bus });
  }

  /** Polls (real time, at most 3 s) until the node decides `expected`. */
  async function eventually(access: Awaited<ReturnType<typeof node>>, expected: boolean): Promise<boolean> {
    for (let i = 0; i < 60; i += 1) {
      if ((await access.check(tenant, { subject: user.id, action: 'read' })).allowed === expected) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  it('a change on one node reaches the other at once; a node without Redis keeps its entry', async () => {
    const [a, b, alone] = [await node(true), await node(true), await node(false)];
    for (const access of [a, b, alone]) expect((await access.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(false);

    await store.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    a.invalidate('t1');
    expect((await a.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(true);
    expect(await eventually(b, true)).toBe(true);
    // The clock stands still: without the message this node's entry is still the old one.
    expect((await alone.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(false);

    await store.authorization.removeUserRole('t1', user.id, role.id);
    b.invalidate('t1');
    expect(await eventually(a, false)).toBe(true);
  });
});
