// The decision cache across nodes through Redis: with the clocks stopped, so that no cache entry
// ever ages out, and the database's change log read only at start, a role given on one node counts
// on the other as soon as its published invalidation arrives; a node without Redis keeps its entry.
// Each node has its own store (its own change log) over the same database.
import { Redis } from 'ioredis';
import { REDIS_URL, redisReachable } from '../support/redis.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisInvalidationBus } from '../../src/adapters/cache/redis-invalidation-bus.ts';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createAccessService, type AccessService } from '../../src/core/authz/access.ts';
import type { Database } from '../../src/storage/schema.ts';
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
  const masterKey = randomBytes(32);
  let db: Kysely<Database>;
  let store: Store;
  let tenant: Tenant;
  let user: User;
  let role: Role;

  beforeAll(async () => {
    const opened = openDatabase({ engine: 'sqlite', file: ':memory:' });
    db = opened.db;
    await migrateToLatest(db, opened.engine);
    store = await createTestStore(db, masterKey);
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

  /** A node: its own store over the shared database, its change log read once at start only. */
  async function node(withRedis: boolean) {
    const own = await createTestStore(db, masterKey, { accessChangePollMs: 3_600_000 });
    if (!withRedis) return { access: createAccessService({ store: own, clock }), store: own };
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    const bus = createRedisInvalidationBus(redis, channel, (error) => {
      throw error;
    });
    buses.push(bus);
    await bus.ready();
    return { access: createAccessService({ store: own, clock, invalidations: bus }), store: own };
  }

  /** Polls (real time, at most 3 s) until the node decides `expected`. */
  async function eventually(access: AccessService, expected: boolean): Promise<boolean> {
    for (let i = 0; i < 60; i += 1) {
      if ((await access.check(tenant, { subject: user.id, action: 'read' })).allowed === expected) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  it('a change on one node reaches the other at once; a node without Redis keeps its entry', async () => {
    const [nodeA, nodeB, nodeAlone] = [await node(true), await node(true), await node(false)];
    const [a, b, alone] = [nodeA.access, nodeB.access, nodeAlone.access];
    for (const access of [a, b, alone]) expect((await access.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(false);

    // Through node A's store: noted, A drops its entry once written and publishes.
    await nodeA.store.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    expect((await a.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(true);
    expect(await eventually(b, true)).toBe(true);
    // The clock stands still: without the message this node's entry is still the old one.
    expect((await alone.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(false);

    await nodeB.store.authorization.removeUserRole('t1', user.id, role.id);
    expect(await eventually(a, false)).toBe(true);
    // An account change travels the same way.
    await nodeB.store.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    expect(await eventually(a, true)).toBe(true);
    await nodeB.store.users.update('t1', user.id, { status: 'disabled' }, now);
    expect(await eventually(a, false)).toBe(true);
    expect((await a.check(tenant, { subject: user.id, action: 'read' })).reason).toBe('the account is disabled');
  });
});
