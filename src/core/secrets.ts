// Every secret (session id, link token, admin token) is ≥ 128 bits from the CSPRNG; only its SHA-256
// is stored, and comparisons run in constant time.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random token for links, cookies and credentials: 256 bits, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A non-guessable identifier with a type prefix, e.g. `usr_…` (128 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** SHA-256 of a token, base64url: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Constant-time equality of two strings of possibly different lengths (only the lengths may show). */
export function safeEqual(a: string, b: string): boolean {
  const leftBytes = Buffer.from(a, 'utf8');
  const rightBytes = Buffer.from(b, 'utf8');
  // Equal lengths (hashes, tokens of one format) compare directly; otherwise hash both first so
  // timingSafeEqual gets equal-length inputs.
  if (leftBytes.length === rightBytes.length) return timingSafeEqual(leftBytes, rightBytes);
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** Synchronous HMAC-SHA256 (base64url): cheap enough for every CSRF token and cookie MAC. */
export function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/** A 256-bit key for one purpose, derived from the master key with HKDF, so one leak does not expose another purpose. */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `frontdoor:${purpose}`, 32));
}
