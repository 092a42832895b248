import { describe, expect, it } from 'vitest';
import { FrontdoorError } from '../errors.ts';
import {
  checkNewPassword,
  effectiveMinLength,
  MIN_LENGTH_FLOOR,
  normalizePassword,
  PASSWORD_MAX_BYTES,
  PASSWORD_MAX_CODE_POINTS,
  verifyInputWithinLimits,
  type PasswordBlocklist,
} from './password-policy.ts';

function blocklistOf(...entries: string[]): PasswordBlocklist {
  const set = new Set(entries);
  return { has: (password) => set.has(password), size: set.size };
}

const empty = blocklistOf();
const ctx = { email: 'alice+news@example.com', minLength: 15, blocklist: empty };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrontdoorError);
    expect((error as FrontdoorError).field).toBe('password');
    return (error as FrontdoorError).code;
  }
  return undefined;
}

// 4 UTF-8 bytes and 2 UTF-16 units each: tells code points, bytes and units apart.
const EMOJI = '\u{1F511}';

describe('Password normalization (NIST SP 800-63B-4: NFKC before hashing)', () => {
  it('maps composed and decomposed forms to the same password', () => {
    expect(normalizePassword('cafe\u0301')).toBe(normalizePassword('caf\u00e9'));
  });

  it('maps compatibility forms (full-width, ligatures) to their plain letters', () => {
    expect(normalizePassword('\uff50\uff41\uff53\uff53')).toBe('pass');
    expect(normalizePassword('\ufb01ne')).toBe('fine');
  });

  it('keeps leading, trailing and inner spaces', () => {
    expect(normalizePassword('  two words  ')).toBe('  two words  ');
  });

  it('returns what checkNewPassword hands to the hasher, untruncated', () => {
    const long = 'ｌong passphrase '.repeat(12);
    expect(checkNewPassword(long, ctx)).toBe(normalizePassword(long));
    expect([...checkNewPassword(long, ctx)].length).toBe([...long].length);
  });
});

describe('Password length (NIST SP 800-63B-4: code points, ≥ 64 accepted)', () => {
  it('counts code points, not UTF-16 units', () => {
    const eight = EMOJI.repeat(8); // 16 UTF-16 units
    expect(codeOf(() => checkNewPassword(eight, { ...ctx, minLength: 9 }))).toBe('password.too_short');
    expect(codeOf(() => checkNewPassword(eight, { ...ctx, minLength: 8 }))).toBeUndefined();
  });

  it('measures length after normalization', () => {
    // Seven decomposed é are fourteen code points raw but seven once composed.
    const decomposed = 'e\u0301'.repeat(7);
    expect(codeOf(() => checkNewPassword(decomposed, { ...ctx, minLength: 8 }))).toBe('password.too_short');
  });

  it('refuses a password one code point shorter than the minimum', () => {
    expect(codeOf(() => checkNewPassword('x'.repeat(14), ctx))).toBe('password.too_short');
    expect(codeOf(() => checkNewPassword('x'.repeat(15), ctx))).toBeUndefined();
  });

  it('accepts 64 characters and anything up to the maximum', () => {
    expect(codeOf(() => checkNewPassword('y'.repeat(64), ctx))).toBeUndefined();
    expect(codeOf(() => checkNewPassword('y'.repeat(PASSWORD_MAX_CODE_POINTS), ctx))).toBeUndefined();
  });

  it('refuses more than the maximum number of code points', () => {
    expect(codeOf(() => checkNewPassword('y'.repeat(PASSWORD_MAX_CODE_POINTS + 1), ctx))).toBe('password.too_long');
  });

  it('accepts the maximum in four-byte characters (exactly the byte cap)', () => {
    const widest = EMOJI.repeat(PASSWORD_MAX_CODE_POINTS);
    expect(Buffer.byteLength(widest)).toBe(PASSWORD_MAX_BYTES);
    expect(codeOf(() => checkNewPassword(widest, ctx))).toBeUndefined();
    expect(codeOf(() => checkNewPassword(widest + EMOJI, ctx))).toBe('password.too_long');
  });

  it('refuses input that only grows past the maximum when normalized', () => {
    // U+FDFA is one code point that NFKC expands to eighteen.
    const expanding = '\ufdfa'.repeat(20);
    expect([...expanding].length).toBeLessThan(PASSWORD_MAX_CODE_POINTS);
    expect(codeOf(() => checkNewPassword(expanding, ctx))).toBe('password.too_long');
  });

  it('refuses a megabyte without trouble', () => {
    expect(codeOf(() => checkNewPassword('z'.repeat(1 << 20), ctx))).toBe('password.too_long');
  });

  it('has no composition rules', () => {
    expect(codeOf(() => checkNewPassword('all lower case words', ctx))).toBeUndefined();
  });
});

describe('Password must not contain the email local part', () => {
  it('refuses the local part in any case', () => {
    expect(codeOf(() => checkNewPassword('my name is ALICE, ok?', ctx))).toBe('password.contains_email');
  });

  it('ignores the +tag when taking the local part', () => {
    // Contains "alice" but not "alice+news": only the tag-less local part catches it.
    expect(codeOf(() => checkNewPassword('alice in wonderland', ctx))).toBe('password.contains_email');
    expect(codeOf(() => checkNewPassword('the news of the day', ctx))).toBeUndefined();
  });

  it('does not apply to local parts shorter than 3 characters', () => {
    const short = { ...ctx, email: 'al@example.com' };
    expect(codeOf(() => checkNewPassword('always alone at all', short))).toBeUndefined();
    const three = { ...ctx, email: 'alw@example.com' };
    expect(codeOf(() => checkNewPassword('always alone at all', three))).toBe('password.contains_email');
  });
});

describe('Password blocklist (NIST SP 800-63B-4: common and breached values)', () => {
  const blocklist = blocklistOf('correcthorsebattery');

  it('refuses a listed password whatever its case', () => {
    expect(codeOf(() => checkNewPassword('CorrectHorseBattery', { ...ctx, blocklist }))).toBe('password.common');
  });

  it('looks up the normalized form', () => {
    const fullWidth = '\uff43orrecthorsebattery';
    expect(codeOf(() => checkNewPassword(fullWidth, { ...ctx, blocklist }))).toBe('password.common');
  });

  it('accepts a password not on the list', () => {
    expect(codeOf(() => checkNewPassword('correct horse battery staple', { ...ctx, blocklist }))).toBeUndefined();
  });
});

describe('Password rule order: too_long, too_short, contains_email, common', () => {
  const blocklist = blocklistOf('alice'.repeat(60), 'alice', 'alicealicealice');

  it('reports too_long before anything else', () => {
    expect(codeOf(() => checkNewPassword('alice'.repeat(60), { ...ctx, minLength: 400, blocklist }))).toBe('password.too_long');
  });

  it('reports too_short before contains_email and common', () => {
    expect(codeOf(() => checkNewPassword('alice', { ...ctx, blocklist }))).toBe('password.too_short');
  });

  it('reports contains_email before common', () => {
    expect(codeOf(() => checkNewPassword('alicealicealice', { ...ctx, blocklist }))).toBe('password.contains_email');
  });
});

describe('Minimum length per account (NIST SP 800-63B-4: 15 alone, 8 with MFA)', () => {
  it('defaults to 15 without and 8 with a second factor', () => {
    expect(effectiveMinLength({}, false)).toBe(15);
    expect(effectiveMinLength({}, true)).toBe(8);
  });

  it('uses the tenant setting that matches the account', () => {
    const settings = { passwordMinLength: 20, passwordMinLengthWithMfa: 12 };
    expect(effectiveMinLength(settings, false)).toBe(20);
    expect(effectiveMinLength(settings, true)).toBe(12);
  });

  it('never goes below the floor of 8', () => {
    expect(MIN_LENGTH_FLOOR).toBe(8);
    expect(effectiveMinLength({ passwordMinLength: 4 }, false)).toBe(8);
    expect(effectiveMinLength({ passwordMinLengthWithMfa: 0 }, true)).toBe(8);
    expect(effectiveMinLength({ passwordMinLength: Number.NaN }, false)).toBe(15);
  });

  it('never exceeds the maximum length, which would refuse every password', () => {
    expect(effectiveMinLength({ passwordMinLength: 1000 }, false)).toBe(PASSWORD_MAX_CODE_POINTS);
  });
});

describe('Sign-in input limits', () => {
  it('accepts anything a registration could have stored', () => {
    expect(verifyInputWithinLimits('p'.repeat(PASSWORD_MAX_CODE_POINTS))).toBe(true);
    expect(verifyInputWithinLimits(EMOJI.repeat(PASSWORD_MAX_CODE_POINTS))).toBe(true);
    expect(verifyInputWithinLimits('short')).toBe(true);
  });

  it('refuses input over the caps, before or after normalization', () => {
    expect(verifyInputWithinLimits('p'.repeat(PASSWORD_MAX_CODE_POINTS + 1))).toBe(false);
    expect(verifyInputWithinLimits('\ufdfa'.repeat(20))).toBe(false);
    expect(verifyInputWithinLimits('p'.repeat(1 << 20))).toBe(false);
  });
});
