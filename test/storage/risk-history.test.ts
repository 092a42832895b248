// An account's sign-in history as the risk service reads it: this node's own sign-ins at once (from
// the write-behind buffer), before and after they are written, through the one-second cache of the
// stored part; another node's sign-ins within that second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../src/adapters/rate-limit/memory-rate-limiter.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createTestStore } from '../support/store.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import type { Store, Tenant, User } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import { NO_GEOLOCATION } from '../../src/core/risk/geo.ts';
import { createRiskService } from '../../src/core/risk/risk-service.ts';

describe('risk service: account history', () => {
  let store: Store;
  let tenant: Tenant;
  let user: User;
  const clock = { now: () => Date.now() };
  const ctx = { ip: '81.2.69.142', userAgent: null, requestId: 'r', locale: 'en', actor: 'anonymous' };
  const browser = (name: string) => ({ deviceId: `device-${name}`, deviceName: name, clientHints: {}, formMillis: null, botChallenge: null });
  const service = () => createRiskService({ store, clock, limiter: createMemoryRateLimiter(clock), geo: NO_GEOLOCATION, deviceKey: Buffer.alloc(32, 7) });

  beforeAll(async () => {
    const { db, engine } = openDatabase({ engine: 'sqlite', file: ':memory:' });
    await migrateToLatest(db, engine);
    store = await createTestStore(db);
    const now = Date.now();
    tenant = { id: 't1', name: 'T1', branding: {}, settings: {}, createdAt: now, updatedAt: now };
    await store.tenants.create(tenant);
    user = { id: newId('usr'), tenantId: 't1', status: 'active', email: 'h@example.com', emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await store.users.create(user);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("sees this node's sign-ins at once, before and after they are written, despite the cached stored part", async () => {
    const node = service();
    expect(await node.history(tenant, user.id)).toEqual([]); // cached: nothing stored
    await node.recordSignIn(tenant, user, { methods: ['pwd'], sessionId: null }, browser('First'), ctx);
    expect((await node.history(tenant, user.id)).map((e) => e.deviceName)).toEqual(['First']); // from the buffer
    await node.flush();
    // Written: out of the buffer, and the cached empty stored part was dropped with the batch.
    expect((await node.history(tenant, user.id)).map((e) => e.deviceName)).toEqual(['First']);
    await node.recordSignIn(tenant, user, { methods: ['pwd'], sessionId: null }, browser('Second'), ctx);
    await node.flush();
    expect((await node.history(tenant, user.id)).map((e) => e.deviceName)).toEqual(['Second', 'First']);
  });

  it("sees another node's sign-ins within a second", async () => {
    const here = service();
    const there = service();
    const before = (await here.history(tenant, user.id)).length;
    await there.recordSignIn(tenant, user, { methods: ['pwd'], sessionId: null }, browser('Elsewhere'), ctx);
    await there.flush();
    // Still the stored part read a moment ago…
    expect(await here.history(tenant, user.id)).toHaveLength(before);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // …and a second later, the other node's sign-in.
    expect((await here.history(tenant, user.id))[0]?.deviceName).toBe('Elsewhere');
  });
});
