// Transactional mails: subject, plain text and HTML for each MailTemplate, in the user's language.
// The HTML is built with the html tag (everything escaped); links are used only when http(s).

import type { MailRequest, MailTemplate, SignInMethodChange } from '../core/ports.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { negotiateLocale, t } from './i18n/index.ts';
import type { Locale, MessageKey } from './i18n/index.ts';
import { DEFAULT_PRIMARY_COLOR, isValidColor, onPrimaryColor } from './layout.ts';

/** Lifetimes the mails promise; keep in step with the token TTLs in core. */
export const VERIFY_EMAIL_TTL_HOURS = 24;
export const RESET_PASSWORD_TTL_MINUTES = 30;

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

type Block =
  | { kind: 'text'; text: string }
  /** The main call to action: a button in HTML, with the raw link repeated below it. */
  | { kind: 'button'; label: string; link: string }
  /** A secondary link under a sentence. */
  | { kind: 'link'; label: string; link: string };

interface Content {
  subject: string;
  blocks: Block[];
}

const HTTP_LINK = /^https?:\/\/[^\s<>"'`]+$/i;

/** A usable link parameter, or undefined (missing, empty or not http(s)). */
function linkParam(params: Record<string, string>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (typeof value === 'string' && HTTP_LINK.test(value)) return value;
  }
  return undefined;
}

const CHANGES: readonly SignInMethodChange[] = ['passkey_added', 'passkey_removed', 'totp_enabled', 'totp_disabled', 'phone_added', 'phone_removed', 'phone_changed'];

function content(template: MailTemplate, locale: Locale, tenant: string, tenantId: string, params: Record<string, string>): Content {
  const say = (key: MessageKey, extra: Record<string, string | number> = {}) => t(locale, key, { tenant, ...extra });
  const text = (key: MessageKey, extra?: Record<string, string | number>): Block => ({ kind: 'text', text: say(key, extra) });
  const button = (key: MessageKey, link: string | undefined): Block[] => (link ? [{ kind: 'button', label: say(key), link }] : []);
  const link = (key: MessageKey, href: string | undefined): Block[] => (href ? [{ kind: 'link', label: say(key), link: href }] : []);

  switch (template) {
    case 'verify_email':
      return {
        subject: say('mail.verify_email.subject'),
        blocks: [
          text('mail.verify_email.intro'),
          ...button('mail.verify_email.action', linkParam(params, 'link')),
          text('mail.verify_email.expiry', { hours: VERIFY_EMAIL_TTL_HOURS }),
          text('mail.verify_email.ignore'),
        ],
      };
    case 'reset_password':
      return {
        subject: say('mail.reset_password.subject'),
        blocks: [
          text('mail.reset_password.intro'),
          ...button('mail.reset_password.action', linkParam(params, 'link')),
          text('mail.reset_password.expiry', { minutes: RESET_PASSWORD_TTL_MINUTES }),
          text('mail.reset_password.ignore'),
        ],
      };
    case 'password_changed':
      return {
        subject: say('mail.password_changed.subject'),
        blocks: [
          text('mail.password_changed.intro'),
          text('mail.password_changed.ok'),
          text('mail.password_changed.not_you'),
          ...button('mail.password_changed.action', linkParam(params, 'resetLink', 'link')),
        ],
      };
    case 'account_exists':
      return {
        subject: say('mail.account_exists.subject'),
        blocks: [
          text('mail.account_exists.intro'),
          ...button('mail.account_exists.login', linkParam(params, 'loginLink')),
          ...link('mail.account_exists.reset', linkParam(params, 'resetLink')),
          text('mail.account_exists.ignore'),
        ],
      };
    case 'reset_unknown_account':
      return {
        subject: say('mail.reset_unknown_account.subject'),
        blocks: [
          text('mail.reset_unknown_account.intro'),
          text('mail.reset_unknown_account.hint'),
          ...button('mail.reset_unknown_account.register', linkParam(params, 'registerLink', 'link')),
          text('mail.reset_unknown_account.ignore'),
        ],
      };
    case 'recovery_code_used':
      return {
        subject: say('mail.recovery_code_used.subject'),
        blocks: [
          text('mail.recovery_code_used.intro'),
          text('mail.recovery_code_used.ok'),
          text('mail.recovery_code_used.not_you'),
          ...button('mail.recovery_code_used.action', linkParam(params, 'resetLink', 'link')),
        ],
      };
    case 'mfa_reset':
      return {
        subject: say('mail.mfa_reset.subject'),
        blocks: [
          text('mail.mfa_reset.intro'),
          text('mail.mfa_reset.ok'),
          text('mail.mfa_reset.not_you'),
          ...button('mail.mfa_reset.action', linkParam(params, 'resetLink', 'link')),
        ],
      };
    case 'sign_in_hold':
      return {
        subject: say('mail.sign_in_hold.subject'),
        blocks: [text('mail.sign_in_hold.intro'), text('mail.sign_in_hold.what'), ...button('mail.sign_in_hold.action', linkParam(params, 'resetLink', 'link'))],
      };
    case 'attack_alert': {
      // Values come from our own events (counts, an address, an id, a time): shown as text, capped.
      const value = (name: string) => (params[name] ?? '').slice(0, 64);
      const kind = params.kind === 'attack.failure_spike' ? 'spike' : params.kind === 'account.failure_hold' ? 'hold' : 'stuffing';
      return {
        subject: say(`mail.attack_alert.subject_${kind}`),
        blocks: [
          text(`mail.attack_alert.${kind}`, { ip: value('ip'), accounts: value('accountsTried'), failures: value('failures'), attempts: value('attempts'), percent: value('failurePercent'), user: value('userId'), time: value('time') }),
          text(`mail.attack_alert.response_${kind}`),
          text('mail.attack_alert.more', { path: `/admin/api/v1/tenants/${tenantId}/risk-events` }),
        ],
      };
    }
    case 'new_device_sign_in': {
      // Device and place are our own words (a browser name, a country code), shown as text.
      const device = (params.device ?? '').slice(0, 80);
      const place = /^[A-Z]{2}$/.test(params.country ?? '') ? params.country! : '—';
      return {
        subject: say('mail.new_device.subject'),
        blocks: [
          text('mail.new_device.intro', { device, place, time: params.time ?? '' }),
          text('mail.new_device.you'),
          text('mail.new_device.not_you'),
          ...button('mail.new_device.action', linkParam(params, 'reportLink')),
        ],
      };
    }
    case 'sign_in_method_changed': {
      const change = CHANGES.find((c) => c === params.change) ?? 'totp_enabled';
      return {
        subject: say('mail.method_changed.subject'),
        blocks: [
          text(`mail.method_changed.${change}`),
          text('mail.method_changed.not_you'),
          ...button('mail.method_changed.action', linkParam(params, 'resetLink', 'link')),
        ],
      };
    }
    case 'sign_in_code': {
      // Only ever six digits: anything else in the parameter is not shown.
      const code = /^\d{6}$/.test(params.code ?? '') ? params.code! : '';
      const minutes = (name: string, fallback: number) => (/^\d{1,4}$/.test(params[name] ?? '') ? Number(params[name]) : fallback);
      return {
        subject: say('mail.sign_in_code.subject', { code }),
        blocks: [
          text('mail.sign_in_code.intro', { code }),
          text('mail.sign_in_code.expiry', { minutes: minutes('codeMinutes', 10) }),
          ...button('mail.sign_in_code.action', linkParam(params, 'link')),
          text('mail.sign_in_code.link_note', { minutes: minutes('linkMinutes', 15) }),
          text('mail.sign_in_code.ignore'),
        ],
      };
    }
    case 'account_deletion_scheduled': {
      // A calendar date only (YYYY-MM-DD): anything else in the parameter is not shown.
      const date = /^\d{4}-\d{2}-\d{2}$/.test(params.date ?? '') ? params.date! : '';
      return {
        subject: say('mail.deletion.subject'),
        blocks: [
          text('mail.deletion.intro', { date }),
          text('mail.deletion.cancel_intro'),
          ...button('mail.deletion.action', linkParam(params, 'link')),
          text('mail.deletion.not_you'),
        ],
      };
    }
    case 'inactive_account_warning': {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(params.date ?? '') ? params.date! : '';
      return {
        subject: say('mail.inactive.subject'),
        blocks: [text('mail.inactive.intro', { date }), text('mail.inactive.keep'), ...button('mail.inactive.action', linkParam(params, 'loginLink', 'link')), text('mail.inactive.ignore')],
      };
    }
    case 'confirm_email_change':
      return {
        subject: say('mail.email_change.subject'),
        blocks: [text('mail.email_change.intro'), ...button('mail.email_change.action', linkParam(params, 'link')), text('mail.email_change.expiry'), text('mail.email_change.ignore')],
      };
    case 'email_changed': {
      // Only a masked address (a***@domain), as the flow builds it.
      const masked = /^[^\s@]\*\*\*@[^\s@]+$/.test(params.newEmail ?? '') ? params.newEmail! : '';
      return {
        subject: say('mail.email_changed.subject'),
        blocks: [text('mail.email_changed.intro', { email: masked }), text('mail.email_changed.not_you'), ...button('mail.email_changed.action', linkParam(params, 'resetLink', 'link'))],
      };
    }
    case 'organization_invitation': {
      const organization = (params.organization ?? '').slice(0, 100);
      const days = /^\d{1,3}$/.test(params.days ?? '') ? params.days! : '7';
      return {
        subject: say('mail.org_invite.subject', { organization }),
        blocks: [text('mail.org_invite.intro', { organization }), ...button('mail.org_invite.action', linkParam(params, 'link')), text('mail.org_invite.expiry', { days }), text('mail.org_invite.ignore', { organization })],
      };
    }
    case 'household_invitation': {
      const inviter = (params.inviter ?? '').slice(0, 100);
      const days = /^\d{1,3}$/.test(params.days ?? '') ? params.days! : '7';
      return {
        subject: say('mail.household_invite.subject', {}),
        blocks: [text('mail.household_invite.intro', { inviter }), ...button('mail.household_invite.action', linkParam(params, 'link')), text('mail.household_invite.expiry', { days }), text('mail.household_invite.ignore', {})],
      };
    }
    default: {
      const unknown: never = template;
      throw new Error(`Unknown mail template: ${String(unknown)}`);
    }
  }
}

function renderText(locale: Locale, tenant: string, to: string, blocks: Block[]): string {
  const paragraphs = [t(locale, 'mail.greeting')];
  for (const block of blocks) {
    if (block.kind === 'text') paragraphs.push(block.text);
    else if (block.kind === 'button') paragraphs.push(`${block.label}:\n${block.link}`);
    else paragraphs.push(`${block.label}\n${block.link}`);
  }
  paragraphs.push(t(locale, 'mail.signature', { tenant }));
  paragraphs.push(`--\n${t(locale, 'mail.footer', { tenant, email: to })}`);
  return `${paragraphs.join('\n\n')}\n`;
}

// Mail clients ignore stylesheets unevenly, so the HTML mail uses inline styles: fixed strings only.
const S = {
  body: 'margin:0;padding:24px 12px;background:#f3f4f6;color:#111827;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5',
  card: 'max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px',
  brand: 'margin:0 0 16px;font-size:18px;font-weight:700',
  p: 'margin:0 0 16px',
  small: 'margin:0 0 16px;font-size:14px;color:#4b5563;word-break:break-all',
  link: 'color:#1d4ed8',
  footer: 'max-width:560px;margin:16px auto 0;font-size:13px;color:#4b5563;text-align:center',
};

function buttonStyle(primaryColor: string | undefined): string {
  const background = isValidColor(primaryColor) ? primaryColor.toLowerCase() : DEFAULT_PRIMARY_COLOR;
  return `display:inline-block;padding:12px 20px;border-radius:6px;background:${background};color:${onPrimaryColor(background)};font-weight:600;text-decoration:none`;
}

function renderHtml(locale: Locale, request: MailRequest, subject: string, blocks: Block[]): string {
  const tenant = request.tenant.name;
  const button = buttonStyle(request.tenant.branding?.primaryColor);
  const parts: SafeHtml[] = blocks.map((block) => {
    if (block.kind === 'text') return html`<p style="${S.p}">${block.text}</p>`;
    if (block.kind === 'button') {
      return html`<p style="${S.p}"><a href="${block.link}" style="${button}">${block.label}</a></p>
<p style="${S.small}">${t(locale, 'mail.link_fallback')}<br><a href="${block.link}" style="${S.link}">${block.link}</a></p>`;
    }
    return html`<p style="${S.p}">${block.label}<br><a href="${block.link}" style="${S.link}">${block.link}</a></p>`;
  });
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="${S.body}">
<div style="${S.card}">
<p style="${S.brand}">${tenant}</p>
<p style="${S.p}">${t(locale, 'mail.greeting')}</p>
${parts}
<p style="${S.p}">${t(locale, 'mail.signature', { tenant })}</p>
</div>
<p style="${S.footer}">${t(locale, 'mail.footer', { tenant, email: request.to })}</p>
</body>
</html>
`.toString();
}

/** Subject, text and HTML for a mail request. */
export function composeMail(request: MailRequest): ComposedMail {
  const locale = negotiateLocale(undefined, request.locale);
  const tenant = request.tenant.name;
  const params = request.params ?? {};
  const { subject, blocks } = content(request.template, locale, tenant, request.tenant.id, params);
  // A subject is one header line: no line breaks, whatever the tenant is called.
  const oneLineSubject = subject.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
  return {
    subject: oneLineSubject,
    text: renderText(locale, tenant, request.to, blocks),
    html: renderHtml(locale, request, oneLineSubject, blocks),
  };
}
