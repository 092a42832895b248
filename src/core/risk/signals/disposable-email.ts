// Registration with a throwaway address, from a maintained list of disposable email domains
// (`disposable-email-domains-js`, bundled: no network lookups).
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import type { RiskSignal } from '../signal.ts';

const DOMAINS = disposableEmailBlocklistSet();

export function isDisposableDomain(email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
  // A subdomain of a listed domain is as disposable as the domain.
  const parts = domain.split('.');
  for (let i = 0; i < parts.length - 1; i += 1) if (DOMAINS.has(parts.slice(i).join('.'))) return true;
  return false;
}

export const disposableEmail: RiskSignal = {
  name: 'disposable_email',
  defaultWeight: 50,
  evaluate(facts) {
    if (facts.kind !== 'registration' || !facts.email || !isDisposableDomain(facts.email)) return null;
    return { strength: 1, reason: 'the address is at a disposable email provider' };
  },
};
