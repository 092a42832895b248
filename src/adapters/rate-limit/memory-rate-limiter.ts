// Sliding-window counters in this process, for a single node. With REDIS_URL every node counts in
// Redis instead (redis-rate-limiter.ts), so limits hold across the cluster. A fixed window would let
// twice the limit through around its edge; here each key keeps up to ~10 slots of hits, each slot
// covering a tenth of the window and leaving it when its newest hit does, so memory stays constant
// per key however high the limit (the tenant-wide counters count every sign-in) and a hit is
// counted for at most a tenth of a window longer than its own time.
import type { Clock, RateLimiter, RateLimitResult } from '../../core/ports.ts';

interface Slot {
  start: number;
  last: number;
  count: number;
}

interface Counter {
  /** Oldest first. */
  slots: Slot[];
  windowMs: number;
}

const SLOTS_PER_WINDOW = 10;

/** Distinct members kept per key: counts past this are all "very many" to the risk signals. */
const MAX_MEMBERS = 1000;

export function createMemoryRateLimiter(clock: Clock, options: { maxKeys?: number } = {}): RateLimiter & { size(): number } {
  const counters = new Map<string, Counter>();
  const maxKeys = options.maxKeys ?? 200_000;
  // key → member → last seen (ms); a member seen again moves to the end (Map keeps insertion order).
  const sets = new Map<string, Map<string, number>>();

  /** Drops the slots whose every hit is outside the window; returns the hits left. */
  function live(counter: Counter, now: number): number {
    const since = now - counter.windowMs;
    let drop = 0;
    while (drop < counter.slots.length && counter.slots[drop]!.last <= since) drop += 1;
    if (drop > 0) counter.slots.splice(0, drop);
    let count = 0;
    for (const slot of counter.slots) count += slot.count;
    return count;
  }

  // Bounded memory under a flood of distinct keys: drop empty counters, then the oldest.
  function sweep(now: number) {
    for (const [key, counter] of counters) if (live(counter, now) === 0) counters.delete(key);
    while (counters.size >= maxKeys) {
      const oldest = counters.keys().next().value;
      if (oldest === undefined) break;
      counters.delete(oldest);
    }
  }

  /** Seconds until the count is below `limit` again, as the oldest slots leave the window. */
  function secondsUntilBelow(counter: Counter, count: number, limit: number, now: number): number {
    let left = count;
    for (const slot of counter.slots) {
      left -= slot.count;
      if (left < limit) return Math.max(1, Math.ceil((slot.last + counter.windowMs - now) / 1000));
    }
    return Math.max(1, Math.ceil(counter.windowMs / 1000));
  }

  function result(counter: Counter | undefined, count: number, limit: number, allowed: boolean, now: number): RateLimitResult {
    return { allowed, count, retryAfterSeconds: allowed || !counter ? 0 : secondsUntilBelow(counter, count, limit, now) };
  }

  return {
    async hit(key, limit, windowSeconds) {
      const now = clock.now();
      const windowMs = windowSeconds * 1000;
      let counter = counters.get(key);
      if (!counter) {
        if (counters.size >= maxKeys) sweep(now);
        counter = { slots: [], windowMs };
        counters.set(key, counter);
      }
      counter.windowMs = windowMs;
      const count = live(counter, now) + 1;
      const newest = counter.slots.at(-1);
      if (newest && now < newest.start + windowMs / SLOTS_PER_WINDOW) {
        newest.count += 1;
        newest.last = now;
      } else {
        counter.slots.push({ start: now, last: now, count: 1 });
      }
      return result(counter, count, limit, count <= limit, now);
    },
    async peek(key, limit) {
      const now = clock.now();
      const counter = counters.get(key);
      const count = counter ? live(counter, now) : 0;
      return result(counter, count, limit, count < limit, now);
    },
    async reset(key) {
      counters.delete(key);
      sets.delete(key);
    },
    async distinct(key, member, windowSeconds) {
      const now = clock.now();
      const since = now - windowSeconds * 1000;
      let set = sets.get(key);
      if (!set) {
        if (member === null) return 0;
        if (sets.size >= maxKeys) sets.delete(sets.keys().next().value!);
        set = new Map();
        sets.set(key, set);
      }
      if (member !== null) {
        set.delete(member);
        set.set(member, now);
        if (set.size > MAX_MEMBERS) set.delete(set.keys().next().value!);
      }
      // Oldest first: drop from the front until a member is inside the window.
      for (const [m, seen] of set) {
        if (seen > since) break;
        set.delete(m);
      }
      if (set.size === 0) sets.delete(key);
      return set.size;
    },
    size: () => counters.size,
  };
}
