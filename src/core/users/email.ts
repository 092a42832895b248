// Emails are unique per tenant case-insensitively, so they are stored in one normal form:
// trimmed, lower-cased, with an IDN domain converted to its ASCII (punycode) form.
import { domainToASCII } from 'node:url';
import { FrontdoorError } from '../errors.ts';

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export const EMAIL_MAX_LENGTH = 254;

/** Returns the normalized address, or null when it is not a deliverable-looking address. */
export function normalizeEmail(input: string): string | null {
  const trimmed = input.trim();
  // Control characters and whitespace inside an address are never legitimate.
  if (trimmed.length === 0 || trimmed.length > EMAIL_MAX_LENGTH * 4 || /[\s\p{Cc}]/u.test(trimmed)) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const local = trimmed.slice(0, at).toLowerCase();
  const rawDomain = trimmed.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const domain = domainToASCII(rawDomain);
  if (!domain || domain.length > 253) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return null;
  const email = `${local}@${domain}`;
  return email.length <= EMAIL_MAX_LENGTH ? email : null;
}

export function requireEmail(input: unknown, field = 'email'): string {
  const email = typeof input === 'string' ? normalizeEmail(input) : null;
  if (!email) throw new FrontdoorError('email.invalid', { field });
  return email;
}
