import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../core/errors.ts';
import { normalizePhone } from '../../core/credentials/sms-otp.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { LOCALES, errorMessage, formatDateTime, isLocale, negotiateLocale, t } from './index.ts';
import type { MessageKey } from './index.ts';

// Listing every code as a key makes this fail to typecheck when a code is added and not listed.
const ERROR_CODES = Object.keys({
  'request.invalid': true,
  'request.too_large': true,
  'request.unsupported_media_type': true,
  'request.not_found': true,
  'request.csrf': true,
  rate_limited: true,
  'server.busy': true,
  'server.error': true,
  'auth.unauthorized': true,
  'auth.forbidden': true,
  'auth.invalid_credentials': true,
  'auth.account_disabled': true,
  'auth.email_not_verified': true,
  'session.required': true,
  'email.invalid': true,
  'password.too_short': true,
  'password.too_long': true,
  'password.common': true,
  'password.contains_email': true,
  'password.mismatch': true,
  'token.invalid': true,
  'tenant.not_found': true,
  'tenant.exists': true,
  'app.not_found': true,
  'resource.not_found': true,
  'resource.exists': true,
  'interaction.invalid': true,
  'user.not_found': true,
  'user.exists': true,
  'session.not_found': true,
  'admin.setup_token_invalid': true,
  'config.invalid': true,
  'mfa.invalid_code': true,
  'mfa.already_enrolled': true,
  'mfa.no_pending_enrollment': true,
  'mfa.flow_expired': true,
  'mfa.required_by_policy': true,
  'passkey.failed': true,
  'passkey.unknown_credential': true,
  'passkey.not_allowed': true,
  'passkey.exists': true,
  'passkey.not_found': true,
  'passkey.disabled': true,
  'email_code.invalid': true,
  'email_code.expired': true,
  'email_sign_in.disabled': true,
  'phone.invalid': true,
  'phone.unchanged': true,
  'sms.unavailable': true,
  'mfa.passkey_required': true,
  'mfa.enrollment_required': true,
  'password.disabled': true,
  'risk.denied': true,
  'risk.challenge': true,
  'auth.password_reset_required': true,
  'email.disposable': true,
  'consent.purpose_not_found': true,
  'consent.purpose_exists': true,
  'profile.invalid': true,
  'profile.unknown_attribute': true,
  'profile.schema_invalid': true,
  'role.not_found': true,
  'role.exists': true,
  'group.not_found': true,
  'group.exists': true,
  'organization.not_found': true,
  'organization.member_not_found': true,
  'organization.last_owner': true,
  'organization.invitation_other_address': true,
  'household.not_found': true,
  'household.plan_required': true,
  'household.already_member': true,
  'household.member_not_found': true,
  'household.profile_not_found': true,
  'household.member_limit': true,
  'household.profile_limit': true,
  'household.session_limit': true,
  'household.device_limit': true,
  'household.pin_invalid': true,
  'household.pin_format': true,
  'household.owner_required': true,
  'household.invitation_other_address': true,
  'household.confirmation_required': true,
  'connection.not_found': true,
  'connection.domain_taken': true,
  'federation.state_invalid': true,
  'federation.denied': true,
  'federation.invalid_response': true,
  'federation.unavailable': true,
  'federation.email_unverified': true,
  'federation.account_unverified': true,
  'federation.identity_taken': true,
  'federation.link_expired': true,
  'federation.last_method': true,
  'federation.no_connection': true,
} satisfies Record<ErrorCode, true>) as ErrorCode[];

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('German has exactly the English keys, none empty', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [key, value] of Object.entries(de)) {
      expect(value.trim(), key).not.toBe('');
    }
    for (const [key, value] of Object.entries(en)) {
      expect(value.trim(), key).not.toBe('');
    }
  });

  it('German uses the same placeholders as English', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(placeholders(de[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('every ErrorCode has a message in every locale', () => {
    for (const locale of LOCALES) {
      for (const code of ERROR_CODES) {
        const message = errorMessage(locale, code);
        expect(message, `${locale} ${code}`).not.toBe(`error.${code}`);
        expect(message.length, `${locale} ${code}`).toBeGreaterThan(15);
      }
    }
  });

  it('says what happened and what to do for the password list and rate limits', () => {
    expect(errorMessage('en', 'password.common')).toMatch(/commonly used or breached/);
    expect(errorMessage('en', 'password.common')).toMatch(/Choose a different one/);
    expect(errorMessage('en', 'rate_limited')).toMatch(/Too many attempts.*try again/);
  });

  it('gives as example phone numbers ones the phone field accepts', () => {
    for (const catalogue of [en, de]) {
      for (const key of ['account.sms_phone_hint', 'error.phone.invalid'] as const) {
        const example = /\+[\d ]+\d/.exec(catalogue[key])?.[0];
        expect(example, key).toBeDefined();
        expect(normalizePhone(example), `${key}: ${example}`).not.toBeNull();
      }
    }
  });

  it('fills {name} placeholders and keeps unknown ones', () => {
    expect(t('en', 'login.heading', { tenant: 'Acme' })).toBe('Sign in to Acme');
    expect(t('de', 'login.heading', { tenant: 'Acme' })).toBe('Bei Acme anmelden');
    expect(t('en', 'login.heading')).toBe('Sign in to {tenant}');
    expect(t('en', 'form.password_hint', { min: 15 })).toContain('At least 15 characters');
  });

  it('does not interpret $ patterns in parameter values', () => {
    expect(t('en', 'login.heading', { tenant: "$&$'$`" })).toBe("Sign in to $&$'$`");
  });
});

describe('negotiateLocale', () => {
  it('lets a valid override win', () => {
    expect(negotiateLocale('en-US,en;q=0.9', 'de')).toBe('de');
    expect(negotiateLocale('de', 'EN')).toBe('en');
    expect(negotiateLocale(undefined, 'de-AT')).toBe('de');
  });

  it('ignores an invalid override', () => {
    expect(negotiateLocale('de', 'fr')).toBe('de');
    expect(negotiateLocale('de', '<script>')).toBe('de');
    expect(negotiateLocale('de', '*')).toBe('de');
    expect(negotiateLocale('de', '')).toBe('de');
    expect(negotiateLocale(undefined, 'x'.repeat(10_000))).toBe('en');
  });

  it('follows Accept-Language q-values', () => {
    expect(negotiateLocale('de-DE,de;q=0.9,en;q=0.8', undefined)).toBe('de');
    expect(negotiateLocale('en;q=0.5, de;q=0.8', undefined)).toBe('de');
    expect(negotiateLocale('fr-FR, fr;q=0.9, de;q=0.7, en;q=0.6', undefined)).toBe('de');
    expect(negotiateLocale('fr, en;q=0.1', undefined)).toBe('en');
    expect(negotiateLocale('DE-ch', undefined)).toBe('de');
  });

  it('keeps header order for equal weights', () => {
    expect(negotiateLocale('de, en', undefined)).toBe('de');
    expect(negotiateLocale('en, de', undefined)).toBe('en');
  });

  it('treats q=0 as "not this one", also for the wildcard', () => {
    expect(negotiateLocale('de;q=0, en;q=0.1', undefined)).toBe('en');
    expect(negotiateLocale('en;q=0, *', undefined)).toBe('de');
    expect(negotiateLocale('fr, *;q=0.5', undefined)).toBe('en');
  });

  it('skips entries with a broken weight', () => {
    expect(negotiateLocale('de;q=abc, en;q=0.3', undefined)).toBe('en');
    expect(negotiateLocale('de;q=2, en;q=0.3', undefined)).toBe('en');
    expect(negotiateLocale('de;q=-1', undefined)).toBe('en');
  });

  it('falls back to English on garbage', () => {
    for (const header of ['', ' ', ',,,;;;', ';q=1', 'q=0.5', '\u0000\uffff', 'de;;;;q', '😀', '%%%%', 'a'.repeat(100_000), 'de'.padStart(5000, ',')]) {
      expect(isLocale(negotiateLocale(header, undefined)), JSON.stringify(header.slice(0, 20))).toBe(true);
    }
    expect(negotiateLocale(undefined, undefined)).toBe('en');
    expect(negotiateLocale(',,,;;;', undefined)).toBe('en');
    expect(negotiateLocale(42 as unknown as string, {} as unknown as string)).toBe('en');
  });

  it('never throws and always answers a supported locale (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 300 })), fc.option(fc.string({ maxLength: 40 })), (header, override) => {
        expect(isLocale(negotiateLocale(header ?? undefined, override ?? undefined))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatDateTime', () => {
  const at = Date.UTC(2025, 2, 12, 14, 5);

  it('formats in UTC and says so', () => {
    expect(formatDateTime('en', at)).toMatch(/Mar 12, 2025.*2:05\s?PM UTC$/);
    expect(formatDateTime('de', at)).toMatch(/12\.03\.2025.*14:05 UTC$/);
  });

  it('survives impossible times', () => {
    expect(formatDateTime('en', Number.NaN)).toBe('—');
    expect(formatDateTime('en', 1e300)).toBe('—');
  });
});
