import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';

function clockAt(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('in-process rate limiter', () => {
  it('allows up to the limit in the window and names when the next hit is allowed', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock);
    for (let i = 1; i <= 5; i++) expect(await limiter.hit('k', 5, 60)).toEqual({ allowed: true, count: i, retryAfterSeconds: 0 });
    clock.advance(20_000);
    const denied = await limiter.hit('k', 5, 60);
    expect(denied.allowed).toBe(false);
    expect(denied.count).toBe(6);
    // The first hits leave the window 60 s after they were made, 40 s from now.
    expect(denied.retryAfterSeconds).toBe(40);
  });

  it('slides: a burst just after a fixed window would have reset still counts the hits before it', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock);
    await limiter.hit('k', 10, 60); // t = 0: a fixed window would start here and reset at t = 60
    clock.advance(55_000);
    for (let i = 0; i < 9; i++) expect((await limiter.hit('k', 10, 60)).allowed).toBe(true);
    clock.advance(10_000); // t = 65: the hit at t = 0 has left the window, the nine at t = 55 have not
    expect(await limiter.hit('k', 10, 60)).toMatchObject({ allowed: true, count: 10 });
    const burst = await limiter.hit('k', 10, 60);
    expect(burst).toMatchObject({ allowed: false, count: 11 });
    // The nine from t = 55 leave at t = 115.
    expect(burst.retryAfterSeconds).toBe(50);
  });

  it('forgets every hit once the window has passed since the newest of them', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock);
    for (let i = 0; i < 3; i++) await limiter.hit('k', 3, 60);
    clock.advance(60_001);
    expect(await limiter.peek('k', 3, 60)).toEqual({ allowed: true, count: 0, retryAfterSeconds: 0 });
    expect(await limiter.hit('k', 3, 60)).toMatchObject({ allowed: true, count: 1 });
  });

  it('peek reads without counting; reset forgets', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock);
    await limiter.hit('k', 2, 60);
    await limiter.hit('k', 2, 60);
    expect(await limiter.peek('k', 2, 60)).toMatchObject({ allowed: false, count: 2 });
    expect(await limiter.peek('k', 2, 60)).toMatchObject({ count: 2 });
    await limiter.reset('k');
    expect(await limiter.peek('k', 2, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('keeps constant memory per key however many hits it counts', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock);
    let last = { count: 0 };
    // 100,000 hits spread over two windows: at most ~11 slots are kept, and the count is what
    // the last window holds (within one slot, a tenth of the window).
    for (let i = 0; i < 100_000; i++) {
      clock.advance(1.2);
      last = await limiter.hit('tenant', Number.MAX_SAFE_INTEGER, 60);
    }
    expect(last.count).toBeGreaterThanOrEqual(50_000);
    expect(last.count).toBeLessThanOrEqual(55_001);
  });

  it('stays within its key budget under a flood of distinct keys', async () => {
    const clock = clockAt();
    const limiter = createMemoryRateLimiter(clock, { maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await limiter.hit(`ip:${i}`, 5, 60);
    expect(limiter.size()).toBeLessThanOrEqual(100);
  });
});
