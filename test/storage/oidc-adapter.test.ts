// The oidc-provider storage adapters: SQL on both engines, Redis against a real server, and the
// factory that routes models between them. The same contract runs on each store.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { Redis } from 'ioredis';
import { errors, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../src/core/ports.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import type { Database } from '../../src/storage/schema.ts';
import { OIDC_ARTIFACT_GRACE_MS, deleteExpired, sqlAdapterFactory, startOidcArtifactCleanup } from '../../src/oidc/sql-adapter.ts';
import { oidcAdapterFactory, redisAdapterFactory } from '../../src/oidc/redis-adapter.ts';
import { createPostgresDatabase, engines, type TestEngine } from '../support/engines.ts';

// ---------------------------------------------------------------------------------------------
// Services.

const REDIS_URL = process.env.FRONTDOOR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUIRE_SERVICES = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';

async function connectRedis(): Promise<Redis | null> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    if (REQUIRE_SERVICES) throw new Error(`Redis at ${REDIS_URL} is required (FRONTDOOR_TEST_REQUIRE_SERVICES=1) but not reachable: ${(error as Error).message}`);
    console.warn(`[frontdoor tests] skipping Redis: ${REDIS_URL} not reachable (${(error as Error).message})`);
    return null;
  }
}

const redis = await connectRedis();
/** Unique per run, so parallel runs and leftovers never meet; deleted at the end. */
const REDIS_PREFIX = `frontdoor:test:${randomBytes(6).toString('hex')}:oidc:`;

afterAll(async () => {
  if (!redis) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

interface TestDatabase {
  db: Kysely<Database>;
  /** A second, independent connection (SQLite only: the same file). */
  openSecond(): Kysely<Database> | null;
  close(): Promise<void>;
}

async function openTestDatabase(engine: TestEngine): Promise<TestDatabase> {
  let db: Kysely<Database>;
  let cleanup: () => Promise<void>;
  let openSecond: () => Kysely<Database> | null = () => null;
  const extra: Kysely<Database>[] = [];
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'frontdoor-oidc-'));
    const file = join(dir, 'frontdoor.db');
    db = openDatabase({ engine: 'sqlite', file }).db;
    openSecond = () => {
      const second = openDatabase({ engine: 'sqlite', file }).db;
      extra.push(second);
      return second;
    };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const pgDb = await createPostgresDatabase();
    db = openDatabase({ engine: 'postgres', url: pgDb.url }).db;
    cleanup = pgDb.drop;
  }
  await migrateToLatest(db, engine);
  for (const id of ['a', 'b']) {
    await db.insertInto('tenants').values({ id, name: id, branding: '{}', settings: '{}', created_at: 1, updated_at: 1 }).execute();
  }
  return {
    db,
    openSecond,
    async close() {
      for (const second of extra) await second.destroy();
      await db.destroy();
      await cleanup();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const T0 = 1_750_000_000_000;

function testClock(): Clock & { now(): number; set(ms: number): void; advance(ms: number): void } {
  let now = T0;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const uniq = (label: string) => `${label}-${randomBytes(8).toString('base64url')}`;

function payload(kind: string, extra: AdapterPayload = {}): AdapterPayload {
  // Nested objects and an empty array: the stores must give back exactly what they were given.
  return { kind, jti: uniq('jti'), clientId: 'app', iat: 1, exp: 2, scope: 'openid email', claims: { id_token: { email: null } }, resource: [], ...extra } as AdapterPayload;
}

/** Settles every promise and sorts the outcomes. */
async function race(tasks: Promise<unknown>[]) {
  const settled = await Promise.allSettled(tasks);
  return {
    fulfilled: settled.filter((s) => s.status === 'fulfilled').length,
    rejected: settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown),
  };
}

// ---------------------------------------------------------------------------------------------
// The contract every store meets.

interface Harness {
  /** The adapter of a tenant, sharing the harness clock. */
  adapter(tenantId: string): AdapterConstructor;
  clock: ReturnType<typeof testClock>;
  /** Whether the Grant itself is in this store (then a replay must delete it too). */
  storesGrants: boolean;
}

function adapterContract(getHarness: () => Harness) {
  it('gives back what it stored, and the newer version after an update', async () => {
    const { adapter } = getHarness();
    const Adapter = adapter('a');
    const codes = new Adapter('AuthorizationCode');
    const id = uniq('code');
    const first = payload('AuthorizationCode', { grantId: uniq('grant') });
    await codes.upsert(id, first, 60);
    expect(await codes.find(id)).toEqual(first);
    const second = { ...first, scope: 'openid' };
    await codes.upsert(id, second, 60);
    expect(await codes.find(id)).toEqual(second);
    expect(await codes.find(uniq('unknown'))).toBeUndefined();
    // Another model never sees it.
    expect(await new Adapter('AccessToken').find(id)).toBeUndefined();
  });

  it('hides an artifact from the moment it expires', async () => {
    const { adapter, clock } = getHarness();
    const Adapter = adapter('a');
    const sessions = new Adapter('Session');
    const codes = new Adapter('DeviceCode');
    const id = uniq('sess');
    const uid = uniq('uid');
    const userCode = uniq('UC');
    await sessions.upsert(id, payload('Session', { uid }), 10);
    await codes.upsert(id, payload('DeviceCode', { userCode }), 10);
    clock.advance(9_999);
    expect(await sessions.find(id)).toBeDefined();
    expect(await sessions.findByUid(uid)).toBeDefined();
    expect(await codes.findByUserCode(userCode)).toBeDefined();
    clock.advance(1);
    expect(await sessions.find(id)).toBeUndefined();
    expect(await sessions.findByUid(uid)).toBeUndefined();
    expect(await codes.findByUserCode(userCode)).toBeUndefined();
    // Without a lifetime it does not expire.
    const forever = uniq('grant');
    await new Adapter('Grant').upsert(forever, payload('Grant'));
    clock.advance(365 * 86_400_000);
    expect(await new Adapter('Grant').find(forever)).toBeDefined();
  });

  it('finds device codes by user code and sessions by uid, within the model', async () => {
    const { adapter } = getHarness();
    const Adapter = adapter('a');
    const devices = new Adapter('DeviceCode');
    const sessions = new Adapter('Session');
    const deviceId = uniq('dc');
    const sessionId = uniq('sess');
    const userCode = uniq('UC');
    const uid = uniq('uid');
    const device = payload('DeviceCode', { userCode, grantId: uniq('grant') });
    const session = payload('Session', { uid });
    await devices.upsert(deviceId, device, 60);
    await sessions.upsert(sessionId, session, 60);
    expect(await devices.findByUserCode(userCode)).toEqual(device);
    expect(await sessions.findByUid(uid)).toEqual(session);
    expect(await devices.findByUserCode(uniq('UC'))).toBeUndefined();
    expect(await sessions.findByUid(uniq('uid'))).toBeUndefined();
    expect(await new Adapter('BackchannelAuthenticationRequest').findByUserCode(userCode)).toBeUndefined();
    expect(await new Adapter('Interaction').findByUid(uid)).toBeUndefined();
    // A re-save under a new user code retires the old one.
    const renamed = uniq('UC');
    await devices.upsert(deviceId, { ...device, userCode: renamed }, 60);
    expect(await devices.findByUserCode(userCode)).toBeUndefined();
    expect((await devices.findByUserCode(renamed))?.userCode).toBe(renamed);
    const newUid = uniq('uid');
    await sessions.upsert(sessionId, { ...session, uid: newUid }, 60);
    expect(await sessions.findByUid(uid)).toBeUndefined();
    expect((await sessions.findByUid(newUid))?.uid).toBe(newUid);
    // Destroyed: gone by every route.
    await sessions.destroy(sessionId);
    expect(await sessions.find(sessionId)).toBeUndefined();
    expect(await sessions.findByUid(newUid)).toBeUndefined();
  });

  it('keeps tenants apart, even for the same ids', async () => {
    const { adapter } = getHarness();
    const A = adapter('a');
    const B = adapter('b');
    const id = uniq('shared');
    const grantId = uniq('grant');
    const uid = uniq('uid');
    const userCode = uniq('UC');
    const inA = payload('RefreshToken', { grantId, accountId: 'user-a' });
    const inB = payload('RefreshToken', { grantId, accountId: 'user-b' });
    await new A('RefreshToken').upsert(id, inA, 60);
    await new B('RefreshToken').upsert(id, inB, 60);
    expect(await new A('RefreshToken').find(id)).toEqual(inA);
    expect(await new B('RefreshToken').find(id)).toEqual(inB);
    expect(await new (adapter('c'))('RefreshToken').find(id)).toBeUndefined();

    await new A('Session').upsert(id, payload('Session', { uid, accountId: 'user-a' }), 60);
    await new B('Session').upsert(id, payload('Session', { uid, accountId: 'user-b' }), 60);
    expect((await new A('Session').findByUid(uid))?.accountId).toBe('user-a');
    expect((await new B('Session').findByUid(uid))?.accountId).toBe('user-b');
    await new B('DeviceCode').upsert(id, payload('DeviceCode', { userCode }), 60);
    expect(await new A('DeviceCode').findByUserCode(userCode)).toBeUndefined();

    // Consuming in A leaves B's artifact redeemable.
    await new A('RefreshToken').consume(id);
    expect((await new B('RefreshToken').find(id))?.consumed).toBeUndefined();
    await new B('RefreshToken').consume(id);

    // Revoking A's grant and destroying A's session leave B's alone.
    await new A('AccessToken').revokeByGrantId(grantId);
    expect(await new A('RefreshToken').find(id)).toBeUndefined();
    expect((await new B('RefreshToken').find(id))?.accountId).toBe('user-b');
    await new A('Session').destroy(id);
    expect(await new A('Session').find(id)).toBeUndefined();
    expect((await new B('Session').find(id))?.accountId).toBe('user-b');
  });

  it('revokes every artifact of a grant, whichever model is asked', async () => {
    const { adapter } = getHarness();
    const Adapter = adapter('a');
    const grantId = uniq('grant');
    const otherGrant = uniq('grant');
    const ids = { at: uniq('at'), rt: uniq('rt'), code: uniq('code'), dc: uniq('dc'), other: uniq('at') };
    await new Adapter('AccessToken').upsert(ids.at, payload('AccessToken', { grantId }), 60);
    await new Adapter('RefreshToken').upsert(ids.rt, payload('RefreshToken', { grantId }), 60);
    await new Adapter('AuthorizationCode').upsert(ids.code, payload('AuthorizationCode', { grantId }), 60);
    await new Adapter('DeviceCode').upsert(ids.dc, payload('DeviceCode', { grantId, userCode: uniq('UC') }), 60);
    await new Adapter('AccessToken').upsert(ids.other, payload('AccessToken', { grantId: otherGrant }), 60);
    await new Adapter('Grant').upsert(grantId, payload('Grant', { accountId: 'u' }), 60);

    await new Adapter('RefreshToken').revokeByGrantId(grantId);

    expect(await new Adapter('AccessToken').find(ids.at)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(ids.rt)).toBeUndefined();
    expect(await new Adapter('AuthorizationCode').find(ids.code)).toBeUndefined();
    expect(await new Adapter('DeviceCode').find(ids.dc)).toBeUndefined();
    expect(await new Adapter('AccessToken').find(ids.other)).toBeDefined();
    // The Grant itself is the provider's call (revokeGrantPolicy → Grant.adapter.destroy).
    expect(await new Adapter('Grant').find(grantId)).toBeDefined();
  });

  it('revokes by the grant an artifact has now, not the one it had', async () => {
    const { adapter } = getHarness();
    const Adapter = adapter('a');
    const before = uniq('grant');
    const after = uniq('grant');
    const id = uniq('dc');
    await new Adapter('DeviceCode').upsert(id, payload('DeviceCode', { grantId: before }), 60);
    await new Adapter('DeviceCode').upsert(id, payload('DeviceCode', { grantId: after }), 60);
    await new Adapter('DeviceCode').revokeByGrantId(before);
    expect((await new Adapter('DeviceCode').find(id))?.grantId).toBe(after);
    await new Adapter('DeviceCode').revokeByGrantId(after);
    expect(await new Adapter('DeviceCode').find(id)).toBeUndefined();
  });

  it('marks an artifact consumed (epoch seconds), and a later save does not undo it', async () => {
    const { adapter, clock } = getHarness();
    const codes = new (adapter('a'))('AuthorizationCode');
    const id = uniq('code');
    const stored = payload('AuthorizationCode', { grantId: uniq('grant') });
    await codes.upsert(id, stored, 60);
    expect((await codes.find(id))?.consumed).toBeUndefined();
    clock.advance(1_500);
    const consumedAt = Math.floor(clock.now() / 1000);
    await codes.consume(id);
    expect((await codes.find(id))?.consumed).toBe(consumedAt);
    clock.advance(1_000);
    await codes.upsert(id, stored, 60);
    expect((await codes.find(id))?.consumed).toBe(consumedAt);
  });

  for (const model of ['AuthorizationCode', 'DeviceCode', 'RefreshToken']) {
    it(`lets only one of two concurrent redemptions of one ${model} win, and revokes the grant`, async () => {
      const { adapter, storesGrants } = getHarness();
      const Adapter = adapter('a');
      const grantId = uniq('grant');
      const id = uniq('code');
      const ids = { at: uniq('at'), rt: uniq('rt'), unrelated: uniq('at') };
      await new Adapter(model).upsert(id, payload(model, { grantId }), 60);
      await new Adapter('AccessToken').upsert(ids.at, payload('AccessToken', { grantId }), 60);
      await new Adapter('RefreshToken').upsert(ids.rt, payload('RefreshToken', { grantId }), 60);
      await new Adapter('AccessToken').upsert(ids.unrelated, payload('AccessToken', { grantId: uniq('grant') }), 60);
      await new Adapter('Grant').upsert(grantId, payload('Grant'), 60);

      const { fulfilled, rejected } = await race([new Adapter(model).consume(id), new Adapter(model).consume(id)]);

      expect(fulfilled).toBe(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(errors.InvalidGrant);
      expect((rejected[0] as { error_detail?: string }).error_detail).toMatch(/already consumed$/);
      expect(await new Adapter(model).find(id)).toBeUndefined();
      expect(await new Adapter('AccessToken').find(ids.at)).toBeUndefined();
      expect(await new Adapter('RefreshToken').find(ids.rt)).toBeUndefined();
      if (storesGrants) expect(await new Adapter('Grant').find(grantId)).toBeUndefined();
      expect(await new Adapter('AccessToken').find(ids.unrelated)).toBeDefined();
    });
  }

  it('lets one of many concurrent redemptions win; every other one is refused', async () => {
    const { adapter } = getHarness();
    const Adapter = adapter('a');
    const id = uniq('code');
    await new Adapter('AuthorizationCode').upsert(id, payload('AuthorizationCode', { grantId: uniq('grant') }), 60);
    const { fulfilled, rejected } = await race(Array.from({ length: 8 }, () => new Adapter('AuthorizationCode').consume(id)));
    expect(fulfilled).toBe(1);
    expect(rejected).toHaveLength(7);
    for (const reason of rejected) expect(reason).toBeInstanceOf(errors.InvalidGrant);
  });

  it('refuses to consume an unknown artifact', async () => {
    const { adapter } = getHarness();
    await expect(new (adapter('a'))('AuthorizationCode').consume(uniq('code'))).rejects.toBeInstanceOf(errors.InvalidGrant);
  });

  it('does not store clients (they come from the applications table)', async () => {
    const { adapter } = getHarness();
    const clients = new (adapter('a'))('Client');
    expect(await clients.find('app')).toBeUndefined();
    await expect(clients.upsert('app', { client_id: 'app' } as AdapterPayload)).rejects.toThrow(/applications table/);
    expect(await clients.find('app')).toBeUndefined();
  });
}

// ---------------------------------------------------------------------------------------------
// SQL, on each engine.

describe.each(engines)('OIDC SQL adapter (%s)', (engine) => {
  let database: TestDatabase;
  const clock = testClock();
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  const rowsOf = (id: string) => database.db.selectFrom('oidc_artifacts').select(['tenant_id', 'model', 'id']).where('id', '=', id).execute();

  describe('contract', () => {
    beforeAll(() => clock.set(T0));
    adapterContract(() => ({ adapter: (tenantId) => sqlAdapterFactory(database.db, tenantId, clock), clock, storesGrants: true }));
  });

  // On PostgreSQL the pool already runs the contract's races on separate connections.
  it.skipIf(engine !== 'sqlite')('lets only one of two redemptions on separate connections win', async () => {
    const second = database.openSecond();
    if (!second) throw new Error('no second connection');
    clock.set(T0);
    const grantId = uniq('grant');
    const id = uniq('code');
    const First = sqlAdapterFactory(database.db, 'a', clock);
    const Second = sqlAdapterFactory(second, 'a', clock);
    await new First('AuthorizationCode').upsert(id, payload('AuthorizationCode', { grantId }), 60);
    await new First('AccessToken').upsert(uniq('at'), payload('AccessToken', { grantId }), 60);
    const { fulfilled, rejected } = await race([new First('AuthorizationCode').consume(id), new Second('AuthorizationCode').consume(id)]);
    expect(fulfilled).toBe(1);
    expect(rejected[0]).toBeInstanceOf(errors.InvalidGrant);
    expect(await database.db.selectFrom('oidc_artifacts').select('id').where('grant_id', '=', grantId).execute()).toEqual([]);
  });

  it('deletes rows expired longer than the grace period, in every tenant', async () => {
    clock.set(T0);
    const A = sqlAdapterFactory(database.db, 'a', clock);
    const B = sqlAdapterFactory(database.db, 'b', clock);
    const ids = { oldA: uniq('old'), oldB: uniq('old'), recent: uniq('recent'), live: uniq('live'), forever: uniq('forever') };
    await new A('AccessToken').upsert(ids.oldA, payload('AccessToken'), 60);
    await new B('Session').upsert(ids.oldB, payload('Session'), 60);
    clock.set(T0 + OIDC_ARTIFACT_GRACE_MS);
    await new A('AccessToken').upsert(ids.recent, payload('AccessToken'), 30);
    await new A('Grant').upsert(ids.forever, payload('Grant'));
    await new A('AccessToken').upsert(ids.live, payload('AccessToken'), 3600);

    // now: the old rows expired grace + 1 ms ago, the recent one 30 s ago (still within grace).
    const now = T0 + 60_000 + OIDC_ARTIFACT_GRACE_MS + 1;
    expect(await deleteExpired(database.db, now)).toBeGreaterThanOrEqual(2);
    expect(await rowsOf(ids.oldA)).toEqual([]);
    expect(await rowsOf(ids.oldB)).toEqual([]);
    expect(await rowsOf(ids.recent)).toHaveLength(1);
    expect(await rowsOf(ids.forever)).toHaveLength(1);
    expect(await rowsOf(ids.live)).toHaveLength(1);
    // With no grace, the recent one goes too; the others stay.
    await deleteExpired(database.db, now, 0);
    expect(await rowsOf(ids.recent)).toEqual([]);
    expect(await rowsOf(ids.forever)).toHaveLength(1);
    expect(await rowsOf(ids.live)).toHaveLength(1);
  });

  it('cleans up periodically until stopped', async () => {
    clock.set(T0);
    const Adapter = sqlAdapterFactory(database.db, 'a', clock);
    const first = uniq('old');
    await new Adapter('AccessToken').upsert(first, payload('AccessToken'), 1);
    clock.set(T0 + 10_000);
    const stop = startOidcArtifactCleanup(database.db, clock, 10, { graceMs: 0 });
    try {
      await expect.poll(() => rowsOf(first), { timeout: 5_000, interval: 20 }).toEqual([]);
    } finally {
      stop();
    }
    const second = uniq('old');
    clock.set(T0);
    await new Adapter('AccessToken').upsert(second, payload('AccessToken'), 1);
    clock.set(T0 + 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await rowsOf(second)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Redis.

describe.skipIf(!redis)('OIDC Redis adapter', () => {
  const client = redis as Redis;
  const clock = testClock();
  const factory = (tenantId: string) => redisAdapterFactory(client, tenantId, clock, { keyPrefix: REDIS_PREFIX });

  describe('contract', () => {
    beforeAll(() => clock.set(T0));
    adapterContract(() => ({ adapter: factory, clock, storesGrants: false }));
  });

  it('keeps artifacts under frontdoor:oidc:{tenant}:{model}:{id} with the TTL of expiresIn', async () => {
    clock.set(T0);
    const id = uniq('code');
    const grantId = uniq('grant');
    await new (factory('a'))('AuthorizationCode').upsert(id, payload('AuthorizationCode', { grantId }), 60);
    const key = `${REDIS_PREFIX}a:AuthorizationCode:${id}`;
    expect(await client.exists(key)).toBe(1);
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await client.smembers(`${REDIS_PREFIX}a:~grant:${grantId}`)).toEqual([key]);
    expect(await client.pttl(`${REDIS_PREFIX}a:~grant:${grantId}`)).toBeGreaterThan(55_000);
    // A consumed flag does not make a key live forever.
    await new (factory('a'))('AuthorizationCode').consume(id);
    expect(await client.pttl(key)).toBeGreaterThan(0);
  });

  it('removes the indexes of a destroyed artifact', async () => {
    clock.set(T0);
    const id = uniq('dc');
    const userCode = uniq('UC');
    const grantId = uniq('grant');
    await new (factory('a'))('DeviceCode').upsert(id, payload('DeviceCode', { userCode, grantId }), 60);
    await new (factory('a'))('DeviceCode').destroy(id);
    expect(await client.exists(`${REDIS_PREFIX}a:~userCode:DeviceCode:${userCode}`)).toBe(0);
    expect(await client.exists(`${REDIS_PREFIX}a:~grant:${grantId}`)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The routing factory: short-lived models in Redis, the rest in SQL.

describe.each(engines)('OIDC adapter routing (%s)', (engine) => {
  let database: TestDatabase;
  const clock = testClock();
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  const routed = (tenantId: string) => oidcAdapterFactory({ db: database.db, redis, tenantId, clock, redisKeyPrefix: REDIS_PREFIX });
  const sqlRow = (model: string, id: string) => database.db.selectFrom('oidc_artifacts').select('id').where('model', '=', model).where('id', '=', id).executeTakeFirst();
  const redisHas = (model: string, id: string) => (redis as Redis).exists(`${REDIS_PREFIX}a:${model}:${id}`);

  it('without Redis keeps every model in SQL', async () => {
    const Adapter = oidcAdapterFactory({ db: database.db, redis: null, tenantId: 'a', clock });
    const id = uniq('code');
    await new Adapter('AuthorizationCode').upsert(id, payload('AuthorizationCode'), 60);
    expect(await sqlRow('AuthorizationCode', id)).toBeDefined();
  });

  describe.skipIf(!redis)('with Redis', () => {
    beforeAll(() => clock.set(T0));
    adapterContract(() => ({ adapter: routed, clock, storesGrants: true }));

    it('puts the short-lived models in Redis and the rest in SQL', async () => {
      const Adapter = routed('a');
      for (const model of ['Session', 'Interaction', 'AuthorizationCode', 'DeviceCode', 'PushedAuthorizationRequest', 'ReplayDetection', 'BackchannelAuthenticationRequest']) {
        const id = uniq(model);
        await new Adapter(model).upsert(id, payload(model), 60);
        expect(await redisHas(model, id)).toBe(1);
        expect(await sqlRow(model, id)).toBeUndefined();
      }
      for (const model of ['AccessToken', 'RefreshToken', 'Grant', 'ClientCredentials', 'RegistrationAccessToken']) {
        const id = uniq(model);
        await new Adapter(model).upsert(id, payload(model), 60);
        expect(await sqlRow(model, id)).toBeDefined();
        expect(await redisHas(model, id)).toBe(0);
      }
    });

    it('revokes a grant in both stores, whichever model is asked', async () => {
      const Adapter = routed('a');
      for (const asked of ['AccessToken', 'DeviceCode']) {
        const grantId = uniq('grant');
        const ids = { code: uniq('code'), at: uniq('at'), rt: uniq('rt') };
        await new Adapter('AuthorizationCode').upsert(ids.code, payload('AuthorizationCode', { grantId }), 60);
        await new Adapter('AccessToken').upsert(ids.at, payload('AccessToken', { grantId }), 60);
        await new Adapter('RefreshToken').upsert(ids.rt, payload('RefreshToken', { grantId }), 60);
        await new Adapter(asked).revokeByGrantId(grantId);
        expect(await redisHas('AuthorizationCode', ids.code)).toBe(0);
        expect(await sqlRow('AccessToken', ids.at)).toBeUndefined();
        expect(await sqlRow('RefreshToken', ids.rt)).toBeUndefined();
      }
    });

    it('a replayed code in Redis revokes the tokens and the Grant in SQL', async () => {
      clock.set(T0);
      const Adapter = routed('a');
      const grantId = uniq('grant');
      const code = uniq('code');
      const at = uniq('at');
      await new Adapter('AuthorizationCode').upsert(code, payload('AuthorizationCode', { grantId }), 60);
      await new Adapter('Grant').upsert(grantId, payload('Grant'), 3600);
      await new Adapter('AuthorizationCode').consume(code);
      // The winner's token, written after its redemption.
      await new Adapter('AccessToken').upsert(at, payload('AccessToken', { grantId }), 60);
      await expect(new Adapter('AuthorizationCode').consume(code)).rejects.toBeInstanceOf(errors.InvalidGrant);
      expect(await sqlRow('AccessToken', at)).toBeUndefined();
      expect(await sqlRow('Grant', grantId)).toBeUndefined();
      expect(await redisHas('AuthorizationCode', code)).toBe(0);
    });

    it('a replayed refresh token in SQL revokes the codes in Redis', async () => {
      clock.set(T0);
      const Adapter = routed('a');
      const grantId = uniq('grant');
      const rt = uniq('rt');
      const code = uniq('code');
      await new Adapter('RefreshToken').upsert(rt, payload('RefreshToken', { grantId }), 60);
      await new Adapter('AuthorizationCode').upsert(code, payload('AuthorizationCode', { grantId }), 60);
      const { fulfilled, rejected } = await race([new Adapter('RefreshToken').consume(rt), new Adapter('RefreshToken').consume(rt)]);
      expect(fulfilled).toBe(1);
      expect(rejected[0]).toBeInstanceOf(errors.InvalidGrant);
      expect(await redisHas('AuthorizationCode', code)).toBe(0);
      expect(await sqlRow('RefreshToken', rt)).toBeUndefined();
    });
  });
});
