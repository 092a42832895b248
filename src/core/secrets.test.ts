import { describe, expect, it } from 'vitest';
import { hashToken, safeEqual } from './secrets.ts';

describe('safeEqual', () => {
  it('says equal only for the same string, whatever the lengths', () => {
    const hash = hashToken('secret');
    expect(safeEqual(hash, hashToken('secret'))).toBe(true);
    expect(safeEqual(hash, hashToken('other'))).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('', 'a')).toBe(false);
    // Same number of characters, different bytes (UTF-8): never equal, never a thrown length error.
    expect(safeEqual('é', 'e')).toBe(false);
    expect(safeEqual('éa', 'ée')).toBe(false);
    expect(safeEqual('ü', 'ü')).toBe(true);
  });
});
