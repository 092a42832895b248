// Fixed-window counters in this process, for a single node. With REDIS_URL every node counts in
// Redis instead (redis-rate-limiter.ts), so limits hold across the cluster.
import type { Clock, RateLimiter, RateLimitResult } from '../../core/ports.ts';

interface Window {
  count: number;
  resetAt: number;
}

/** Distinct members kept per key: counts past this are all "very many" to the risk signals. */
const MAX_MEMBERS = 1000;

export function createMemoryRateLimiter(clock: Clock, options: { maxKeys?: number } = {}): RateLimiter & { size(): number } {
  const windows = new Map<string, Window>();
  const maxKeys = options.maxKeys ?? 200_000;
  // key → member → last seen (ms); a member seen again moves to the end (Map keeps insertion order).
  const sets = new Map<string, Map<string, number>>();

  function current(key: string, windowSeconds: number, now: number): Window {
    let w = windows.get(key);
    if (!w || w.resetAt <= now) {
      if (!w && windows.size >= maxKeys) sweep(now);
      w = { count: 0, resetAt: now + windowSeconds * 1000 };
      windows.set(key, w);
    }
    return w;
  }

  // Bounded memory under a flood of distinct keys: drop expired windows, then the oldest.
  function sweep(now: number) {
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
    while (windows.size >= maxKeys) {
      const oldest = windows.keys().next().value;
      if (oldest === undefined) break;
      windows.delete(oldest);
    }
  }

  function result(w: Window, limit: number, now: number): RateLimitResult {
    const allowed = w.count <= limit;
    return { allowed, count: w.count, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  return {
    async hit(key, limit, windowSeconds) {
      const now = clock.now();
      const w = current(key, windowSeconds, now);
      w.count += 1;
      return result(w, limit, now);
    },
    async peek(key, limit) {
      const now = clock.now();
      const w = windows.get(key);
      if (!w || w.resetAt <= now) return { allowed: true, count: 0, retryAfterSeconds: 0 };
      return { allowed: w.count < limit, count: w.count, retryAfterSeconds: w.count < limit ? 0 : Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
    },
    async reset(key) {
      windows.delete(key);
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
    size: () => windows.size,
  };
}
