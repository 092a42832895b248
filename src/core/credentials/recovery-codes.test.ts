import { describe, expect, it } from 'vitest';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.ts';

describe('recovery codes', () => {
  it('are 24 symbols (120 bits) of an alphabet without look-alikes, in groups of four, all different', () => {
    const codes = Array.from({ length: 1000 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('read back however they are typed, and nothing else passes', () => {
    const code = newRecoveryCode();
    const compact = code.replace(/-/g, '');
    for (const typed of [code, code.toUpperCase(), compact, ` ${code.replace(/-/g, ' ')} `]) expect(normalizeRecoveryCode(typed)).toBe(compact);
    for (const bad of ['', '123456', `${compact}x`, compact.slice(1), 'iiii-llll-oooo-uuuu-iiii-llll', 'abcd-efgh-jkmn-pqrs', null, 42, 'a'.repeat(100)]) expect(normalizeRecoveryCode(bad)).toBeNull();
    expect(recoveryCodeHash(compact)).not.toContain(compact);
  });
});
