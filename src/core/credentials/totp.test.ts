import { describe, expect, it } from 'vitest';
import { matchingStep, normalizeCode } from './totp.ts';

// RFC 6238 appendix B, HMAC-SHA1, secret "12345678901234567890"; our codes are the last 6 of the 8 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of the ASCII secret
const VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at T=%d accepts the test vector %s (6 digits) for its own 30-second step', (seconds, eight) => {
    expect(matchingStep(RFC_SECRET, eight.slice(2), seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it('accepts one step of clock drift either way, and no more', () => {
    const [seconds, eight] = VECTORS[3]!;
    const code = eight.slice(2);
    const step = Math.floor(seconds / 30);
    expect(matchingStep(RFC_SECRET, code, (seconds + 30) * 1000)).toBe(step);
    expect(matchingStep(RFC_SECRET, code, (seconds - 30) * 1000)).toBe(step);
    expect(matchingStep(RFC_SECRET, code, (seconds + 90) * 1000)).toBeNull();
    expect(matchingStep(RFC_SECRET, '000000', seconds * 1000)).toBeNull();
  });

  it('normalizes what people type: spaces and dashes go, anything but six digits is not a code', () => {
    expect(normalizeCode('123 456')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
    for (const bad of ['12345', '1234567', 'abcdef', '١٢٣٤٥٦', '', null, 123456, '1'.repeat(100)]) expect(normalizeCode(bad)).toBeNull();
  });
});
