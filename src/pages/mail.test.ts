import { describe, expect, it } from 'vitest';
import type { MailRequest, MailTemplate, Tenant } from '../core/ports.ts';
import { LOCALES } from './i18n/index.ts';
import { composeMail } from './mail.ts';
import { scanTags } from './views/markup.test-support.ts';

const tenant: Tenant = {
  id: 'acme',
  name: 'Acme Corp',
  branding: { primaryColor: '#ffff00' },
  settings: {},
  createdAt: 0,
  updatedAt: 0,
};

const LINKS = {
  link: 'https://id.example/t/acme/verify?token=abc&x=1',
  loginLink: 'https://id.example/t/acme/login',
  resetLink: 'https://id.example/t/acme/forgot',
  registerLink: 'https://id.example/t/acme/register',
  reportLink: 'https://id.example/t/acme/report-sign-in?token=xyz',
};

// Which link parameters each template shows (listing them all keeps this exhaustive).
const TEMPLATE_LINKS = {
  verify_email: ['link'],
  reset_password: ['link'],
  password_changed: ['resetLink'],
  account_exists: ['loginLink', 'resetLink'],
  reset_unknown_account: ['registerLink'],
  recovery_code_used: ['resetLink'],
  mfa_reset: ['resetLink'],
  sign_in_method_changed: ['resetLink'],
  sign_in_code: ['link'],
  new_device_sign_in: ['reportLink'],
  sign_in_hold: ['resetLink'],
  attack_alert: [],
  account_deletion_scheduled: ['link'],
  inactive_account_warning: ['loginLink'],
  confirm_email_change: ['link'],
  email_changed: ['resetLink'],
  organization_invitation: ['link'],
  household_invitation: ['link'],
} satisfies Record<MailTemplate, Array<keyof typeof LINKS>>;

const request = (template: MailTemplate, locale: string, overrides: Partial<MailRequest> = {}): MailRequest => ({
  tenant,
  to: 'zoe@example.com',
  template,
  locale,
  params: { ...LINKS },
  ...overrides,
});

describe('composeMail', () => {
  for (const template of Object.keys(TEMPLATE_LINKS) as MailTemplate[]) {
    for (const locale of LOCALES) {
      it(`${template} (${locale}): subject, text and html name the tenant and carry the links`, () => {
        const mail = composeMail(request(template, locale));
        expect(mail.subject).toContain('Acme Corp');
        expect(mail.text).toContain('Acme Corp');
        expect(mail.html).toContain('Acme Corp');
        expect(mail.html).toContain(`<html lang="${locale}">`);
        for (const name of TEMPLATE_LINKS[template]) {
          const link = LINKS[name];
          expect(mail.text).toContain(link);
          expect(mail.html).toContain(`href="${link.replaceAll('&', '&amp;')}"`);
        }
        scanTags(mail.html); // well-formed, nothing unescaped
      });
    }
  }

  it('tells an admin what attack was seen, what Frontdoor does about it and where to read more', () => {
    const stuffing = composeMail(request('attack_alert', 'en', { params: { kind: 'attack.credential_stuffing', ip: '203.0.113.9', accountsTried: '41', failures: '40', time: '2026-12-01 10:00' } }));
    expect(stuffing.subject).toBe('Credential stuffing against Acme Corp');
    expect(stuffing.text).toContain('The address 203.0.113.9 has tried passwords for 41 accounts of Acme Corp (40 wrong) as of 2026-12-01 10:00 (UTC).');
    expect(stuffing.text).toContain('GET /admin/api/v1/tenants/acme/risk-events');
    const spike = composeMail(request('attack_alert', 'de', { params: { kind: 'attack.failure_spike', attempts: '80', failurePercent: '75', time: '2026-12-01 10:00' } }));
    expect(spike.text).toContain('80 Passwörter geprüft, 75 % davon falsch');
    const hold = composeMail(request('attack_alert', 'en', { params: { kind: 'account.failure_hold', userId: '<b>usr_1</b>', time: '2026-12-01 10:00' } }));
    expect(hold.subject).toBe('An account at Acme Corp is under attack');
    expect(hold.html).toContain('&lt;b&gt;usr_1&lt;/b&gt;');
    scanTags(hold.html);
  });

  it('is written in the requested language', () => {
    expect(composeMail(request('reset_password', 'de')).subject).toBe('Ihr Passwort bei Acme Corp zurücksetzen');
    expect(composeMail(request('reset_password', 'de-AT')).subject).toBe('Ihr Passwort bei Acme Corp zurücksetzen');
    expect(composeMail(request('reset_password', 'fr')).subject).toBe('Reset your Acme Corp password');
  });

  it('states expiry and what to do if it was not you', () => {
    const verify = composeMail(request('verify_email', 'en'));
    expect(verify.text).toContain('expires in 24 hours');
    const reset = composeMail(request('reset_password', 'en'));
    expect(reset.text).toContain('expires in 30 minutes');
    expect(reset.text).toContain("If you didn't ask for this, ignore this email");
    const changed = composeMail(request('password_changed', 'en', { params: {} }));
    expect(changed.text).toContain("If it wasn't you, reset your password");
    expect(changed.text).not.toContain('http');
  });

  it('escapes the tenant name, recipient and links in the HTML', () => {
    const evil = '<script>alert(1)</script>"onmouseover="x';
    const mail = composeMail(
      request('account_exists', 'en', {
        tenant: { ...tenant, name: evil, branding: { primaryColor: 'red;}body{display:none' } },
        to: evil,
        params: { loginLink: 'https://id.example/?a="><script>', resetLink: 'https://id.example/?q=<b>' },
      }),
    );
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('"onmouseover=');
    expect(mail.html).not.toContain('display:none');
    for (const tag of scanTags(mail.html)) {
      for (const name of tag.attrs.keys()) expect(name).not.toMatch(/^on/);
    }
  });

  it('leaves out links that are not http(s)', () => {
    const mail = composeMail(request('verify_email', 'en', { params: { link: 'javascript:alert(1)' } }));
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
  });

  it('keeps the subject on one line', () => {
    const mail = composeMail(request('verify_email', 'en', { tenant: { ...tenant, name: 'Acme\r\nBcc: victim@example.com' } }));
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe('Confirm your email address for Acme Bcc: victim@example.com');
  });

  it('uses a readable button colour from the tenant theme', () => {
    const mail = composeMail(request('verify_email', 'en'));
    expect(mail.html).toContain('background:#ffff00;color:#111827');
  });
});
