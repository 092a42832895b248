// Sliding-window counters in Redis, so limits hold across every node sharing it (REDIS_URL). Each
// key is a sorted set of hit times; one Lua script drops the hits older than the window, adds this
// one and counts, atomically — two nodes counting the same key at once cannot both slip under.
// Keys expire with their window, so Redis holds only live counters.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock, RateLimiter, RateLimitResult } from '../../core/ports.ts';

const PREFIX = 'fd:rl:';

// KEYS[1] key · ARGV: now (ms), window (ms), member, add (1/0). Returns { count, oldest score or -1 }.
const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if ARGV[4] == '1' then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
local count = redis.call('ZCARD', key)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
if oldest[2] then return { count, tonumber(oldest[2]) } end
return { count, -1 }
`;

interface SlidingWindowRedis extends Redis {
  frontdoorSlidingWindow(key: string, now: number, windowMs: number, member: string, add: '0' | '1'): Promise<[number, number]>;
}

/**
 * `fallback` counts while Redis cannot be reached: limits then hold per node rather than not at
 * all, and sign-in does not stop with Redis.
 */
export function createRedisRateLimiter(redis: Redis, clock: Clock, fallback: RateLimiter): RateLimiter {
  const client = redis as SlidingWindowRedis;
  if (typeof client.frontdoorSlidingWindow !== 'function') client.defineCommand('frontdoorSlidingWindow', { numberOfKeys: 1, lua: SCRIPT });

  async function run(key: string, limit: number, windowSeconds: number, add: boolean, allowedWhen: (count: number) => boolean): Promise<RateLimitResult> {
    // Not connected: count here at once rather than queue behind ioredis's reconnection attempts
    // (each would wait seconds while Redis is down).
    if (client.status !== 'ready') throw new Error('redis not connected');
    const now = clock.now();
    const windowMs = windowSeconds * 1000;
    const [count, oldest] = await client.frontdoorSlidingWindow(PREFIX + key, now, windowMs, `${now}:${randomBytes(6).toString('base64url')}`, add ? '1' : '0');
    const allowed = allowedWhen(count);
    // The window frees a slot when its oldest hit ages out.
    const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil(((oldest >= 0 ? oldest : now) + windowMs - now) / 1000));
    return { allowed, count, retryAfterSeconds };
  }

  return {
    hit: (key, limit, windowSeconds) => run(key, limit, windowSeconds, true, (count) => count <= limit).catch(() => fallback.hit(key, limit, windowSeconds)),
    peek: (key, limit, windowSeconds) => run(key, limit, windowSeconds, false, (count) => count < limit).catch(() => fallback.peek(key, limit, windowSeconds)),
    async reset(key) {
      await Promise.all([client.status === 'ready' ? redis.del(PREFIX + key).catch(() => 0) : 0, fallback.reset(key)]);
    },
    // The same sorted set with the member itself (hashed: no email or address in Redis) instead of
    // a unique hit id: adding it again only moves its time, so ZCARD counts distinct members.
    async distinct(key, member, windowSeconds) {
      const now = clock.now();
      const hashed = member === null ? '' : createHash('sha256').update(member).digest('base64url').slice(0, 22);
      try {
        if (client.status !== 'ready') throw new Error('redis not connected');
        const [count] = await client.frontdoorSlidingWindow(PREFIX + key, now, windowSeconds * 1000, hashed, member === null ? '0' : '1');
        return count;
      } catch {
        return fallback.distinct(key, member, windowSeconds);
      }
    },
  };
}
