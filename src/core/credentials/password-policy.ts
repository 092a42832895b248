// Requirement: a new password is accepted on length and a blocklist alone (NIST SP 800-63B-4
// password verifiers) — no composition rules, no truncation — and what gets hashed is the
// NFKC-normalized form, so the same password typed on any keyboard verifies.

import { FrontdoorError } from '../errors.ts';

/** Lowest minimum length a tenant may configure (NIST: 8 even with a second factor). */
export const MIN_LENGTH_FLOOR = 8;
/** Minimum length when the password is the only factor (NIST: 15). */
export const DEFAULT_MIN_LENGTH = 15;
/** Minimum length when the account also has a second factor (NIST: 8). */
export const DEFAULT_MIN_LENGTH_WITH_MFA = 8;
/** Longest password accepted, in code points; NIST asks that at least 64 be allowed. */
export const PASSWORD_MAX_CODE_POINTS = 256;
/** Longest password accepted, in UTF-8 bytes: bounds what a caller can make us hash. */
export const PASSWORD_MAX_BYTES = 1024;
/** Shorter email local parts ("jo") occur inside too many good passwords to refuse them. */
export const EMAIL_LOCAL_PART_MIN_LENGTH = 3;

// NFKC can expand a code point (up to 18 for U+FDFA), but no real input shrinks 4:1; refusing
// larger raw input before normalizing keeps a megabyte body from costing a megabyte of NFKC.
const RAW_MAX_UTF16_UNITS = 4 * PASSWORD_MAX_BYTES;

export interface PasswordBlocklist {
  /** Whether the (normalized, lower-cased) password is a known common or breached one. */
  has(password: string): boolean;
  readonly size: number;
}

export interface NewPasswordContext {
  /** The account's email, normalized (trimmed, lower-cased). */
  email: string;
  minLength: number;
  blocklist: PasswordBlocklist;
}

/**
 * Unicode NFKC, so composed and decomposed or full-width input hash alike. Never trims: spaces
 * are part of a passphrase. Lone surrogates become U+FFFD, which is what UTF-8 encoding would
 * hash anyway, so the lengths counted here are those of the bytes hashed.
 */
export function normalizePassword(raw: string): string {
  return raw.toWellFormed().normalize('NFKC');
}

function codePointLength(value: string): number {
  return [...value].length;
}

// Counted by hand so the domain needs neither Buffer nor an encoder allocation.
function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (const char of value) {
    const codePoint = char.codePointAt(0) ?? 0;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function exceedsLimits(normalized: string): boolean {
  return codePointLength(normalized) > PASSWORD_MAX_CODE_POINTS || utf8ByteLength(normalized) > PASSWORD_MAX_BYTES;
}

function emailLocalPart(email: string): string {
  const at = email.lastIndexOf('@');
  const local = at === -1 ? email : email.slice(0, at);
  // alice+news@ is still alice: the tag is not what people put in their passwords.
  const plus = local.indexOf('+');
  return normalizePassword(plus === -1 ? local : local.slice(0, plus)).toLowerCase();
}

function refuse(code: 'password.too_short' | 'password.too_long' | 'password.common' | 'password.contains_email'): FrontdoorError {
  return new FrontdoorError(code, { field: 'password' });
}

/** Returns the normalized password to hash, or throws the first rule it breaks. */
export function checkNewPassword(password: string, ctx: NewPasswordContext): string {
  if (password.length > RAW_MAX_UTF16_UNITS) throw refuse('password.too_long');
  const normalized = normalizePassword(password);
  if (exceedsLimits(normalized)) throw refuse('password.too_long');
  if (codePointLength(normalized) < ctx.minLength) throw refuse('password.too_short');

  const lowered = normalized.toLowerCase();
  const local = emailLocalPart(ctx.email);
  if (codePointLength(local) >= EMAIL_LOCAL_PART_MIN_LENGTH && lowered.includes(local)) {
    throw refuse('password.contains_email');
  }
  if (ctx.blocklist.has(lowered)) throw refuse('password.common');
  return normalized;
}

/**
 * For sign-in: false when the input is longer than any password we could have stored, so the
 * caller answers "invalid credentials" without hashing it. Takes the raw input, like
 * checkNewPassword, so both apply the caps to the same normalized form.
 */
export function verifyInputWithinLimits(password: string): boolean {
  if (password.length > RAW_MAX_UTF16_UNITS) return false;
  return !exceedsLimits(normalizePassword(password));
}

function configured(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.ceil(value) : fallback;
}

/**
 * The minimum length for this account: the tenant's setting, else the NIST default, never below
 * MIN_LENGTH_FLOOR nor above the maximum (a minimum above it would refuse every password).
 */
export function effectiveMinLength(
  settings: { passwordMinLength?: number; passwordMinLengthWithMfa?: number },
  hasSecondFactor: boolean,
): number {
  const wanted = hasSecondFactor
    ? configured(settings.passwordMinLengthWithMfa, DEFAULT_MIN_LENGTH_WITH_MFA)
    : configured(settings.passwordMinLength, DEFAULT_MIN_LENGTH);
  return Math.min(PASSWORD_MAX_CODE_POINTS, Math.max(MIN_LENGTH_FLOOR, wanted));
}

/** Whether the tenant offers passwords at all (false: passkeys and codes by email only). */
export function passwordsEnabled(tenant: { settings: { passwords?: boolean } }): boolean {
  return tenant.settings.passwords ?? true;
}
