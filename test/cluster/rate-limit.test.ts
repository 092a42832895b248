// Rate limits shared through Redis: the sliding-window adapter on its own (a clock the test
// controls), its fall-back to per-node counting when Redis is unreachable, and two nodes sharing
// one Redis holding one account's failure limit and one address's request limit together — with
// in-memory counters each node would allow the full limit again.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_URL, redisReachable } from '../support/redis.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../src/adapters/rate-limit/memory-rate-limiter.ts';
import { createRedisRateLimiter } from '../../src/adapters/rate-limit/redis-rate-limiter.ts';
import { FormClient } from '../support/client.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../support/server.ts';

const available = await redisReachable('shared rate limits');

describe.runIf(available)('rate limits in Redis', () => {
  let redis: Redis;
  let now = Date.now();
  const clock = { now: () => now };
  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    // The limiter counts in Redis only on a ready connection (else per node, at once).
    await redis.ping();
  });
  afterAll(() => {
    redis?.disconnect();
  });

  it('counts in a sliding window: the oldest hit ageing out frees a slot, not a fixed boundary', async () => {
    const limiter = createRedisRateLimiter(redis, clock, createMemoryRateLimiter(clock));
    const key = `test:${randomBytes(6).toString('hex')}`;
    for (let i = 1; i <= 3; i += 1) {
      expect((await limiter.hit(key, 3, 60)).allowed).toBe(true);
      now += 10_000;
    }
    const refused = await limiter.hit(key, 3, 60);
    expect(refused).toMatchObject({ allowed: false, count: 4 });
    expect(refused.retryAfterSeconds).toBe(30);
    expect((await limiter.peek(key, 3, 60)).count).toBe(4);
    now += 31_000; // the first hit is over a minute old now
    expect((await limiter.peek(key, 3, 60)).count).toBe(3);
    await limiter.reset(key);
    expect((await limiter.peek(key, 3, 60)).count).toBe(0);
    expect(await redis.pttl(`fd:rl:${key}`)).toBe(-2);
  });

  it('keeps counting on the node when Redis cannot be reached', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    const limiter = createRedisRateLimiter(down, clock, createMemoryRateLimiter(clock));
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await limiter.hit('fallback', 2, 60)).allowed);
    expect(results).toEqual([true, true, false]);
    down.disconnect();
  });
});

describe.runIf(available)('two nodes sharing Redis', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    // Behind a trusted proxy, so each run comes from an address of its own (Redis keeps counters
    // between runs for their window).
    a = await startTestServer('sqlite', { env: { REDIS_URL, FRONTDOOR_TRUST_PROXY: 'true' } });
    b = await startTestServer('sqlite', { env: { REDIS_URL, FRONTDOOR_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("hold one account's failure limit together", async () => {
    const email = `cluster.${randomBytes(6).toString('hex')}@example.com`;
    const from = `10.${randomBytes(3).join('.')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const node = i % 2 === 0 ? a : b;
      const client = new FormClient(node.baseUrl, { 'x-forwarded-for': from });
      await client.get('/t/demo/login');
      statuses.push((await client.post('/t/demo/login', { email, password: 'wrong password number one' })).status);
    }
    // Ten failures (five on each node) use up the account's allowance; the next is refused on either node.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("hold one address's request limit together", async () => {
    for (const node of [a, b]) await setTenantSettings(node, { rate_limits: { per_address: { pages: 6 } } });
    const from = `10.${randomBytes(3).join('.')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const node = i % 2 === 0 ? a : b;
      statuses.push((await fetch(`${node.baseUrl}/t/demo/login`, { headers: { 'x-forwarded-for': from } })).status);
    }
    // Three pages on each node use up the address's six; in-memory counters would allow twelve.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});
