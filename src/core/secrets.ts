// Every secret (session id, link token, admin token) is ≥ 128 bits from the CSPRNG; only its SHA-256
// is stored, and comparisons run in constant time.
import { createCipheriv, createDecipheriv, createHash, createHmac, hash, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Key material for HMAC and AES: raw bytes, or a KeyObject made once with createSecretKey — which
 * makes each operation several times cheaper (no key import per call; measured in bench:vault).
 */
export type SecretKey = Buffer | KeyObject;

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
  // One-shot: no Hash object per call (it runs on every token and client-secret check).
  return hash('sha256', token, 'base64url');
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
export function hmac(key: SecretKey, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/** A 256-bit key for one purpose, derived from the master key with HKDF, so one leak does not expose another purpose. */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `frontdoor:${purpose}`, 32));
}

/**
 * AES-256-GCM of `plaintext` under `key`, bound to `context` (as associated data: a sealed value
 * copied to another row does not open). Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export function sealString(key: SecretKey, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Whether `value` has the form of a `sealString` value (rows written before a column was sealed do not). */
export function isSealed(value: string): boolean {
  return /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/.test(value);
}

/** The plaintext of a `sealString` value; throws when the key, the context or the value is wrong. */
export function openString(key: SecretKey, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined || rest.length > 0) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
