// Recovery codes: the way back in when the authenticator app is lost. Ten codes, 120 random bits
// each, shown once; only their SHA-256 is kept — enough because at ≥ 112 bits (SECURITY.md) a
// stolen hash cannot be brute-forced back into a code. Each works once; a new set replaces the old.
import { randomBytes } from 'node:crypto';
import { hashToken } from '../secrets.ts';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style base32 without look-alikes (no i, l, o, u): easy to read off paper and type.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const SYMBOLS = 24;

/** `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`: 24 symbols of 5 bits (120 bits). */
export function newRecoveryCode(): string {
  const bytes = randomBytes(SYMBOLS);
  // 32 divides 256: the low five bits of a random byte are uniform.
  const symbols = [...bytes].map((b) => ALPHABET[b & 31]);
  return [0, 4, 8, 12, 16, 20].map((i) => symbols.slice(i, i + 4).join('')).join('-');
}

/** What people type, in the one form codes are hashed in: lower case, without dashes or spaces. */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[0-9a-hjkmnp-tv-z]{24}$/.test(compact) ? compact : null;
}

export function recoveryCodeHash(normalized: string): string {
  return hashToken(`recovery:${normalized}`);
}
