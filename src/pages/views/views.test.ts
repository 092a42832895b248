import { describe, expect, it } from 'vitest';
import { LOCALES } from '../i18n/index.ts';
import type { PageContext } from '../layout.ts';
import { renderAccountPage } from './account.ts';
import { renderCheckEmailPage } from './check-email.ts';
import { renderErrorPage } from './error.ts';
import { renderForgotPage } from './forgot.ts';
import { renderLoginPage } from './login.ts';
import { linkify, renderMailboxPage } from './mailbox.ts';
import { attr, decodeEntities, forms, scanTags } from './markup.test-support.ts';
import type { Tag } from './markup.test-support.ts';
import { renderRegisterPage } from './register.ts';
import { renderResetInvalidPage, renderResetPage } from './reset.ts';
import { renderAllPages, SAMPLE_NOW } from './samples.ts';
import type { RenderedPage, SampleValues } from './samples.ts';
import { renderVerifyPage, renderVerifyResultPage } from './verify.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const ctx = (overrides: Partial<PageContext> = {}): PageContext => ({
  locale: 'en',
  tenant: { id: 'acme', name: 'Acme Corp', branding: { primaryColor: '#0f766e', logoUrl: PNG } },
  csrfToken: 'csrf-TOKEN-123',
  currentUrl: '/t/acme/login?return=%2Fhome',
  ...overrides,
});

const REALISTIC: SampleValues = {
  email: 'zoë@example.com',
  token: 'tok_abcdef',
  device: 'Chrome on Linux',
  ip: '203.0.113.7',
  sessionId: 'ses_123',
  mailTo: 'zoe@example.com',
  mailSubject: 'Confirm your email address for Acme Corp',
  mailText: 'Hello,\n\nConfirm: https://id.example.com/t/acme/verify?token=abc&x=1.\n\n— Acme Corp',
};

function everyPage(): Array<RenderedPage & { label: string }> {
  return LOCALES.flatMap((locale) =>
    [false, true].flatMap((withErrors) =>
      renderAllPages(ctx({ locale }), REALISTIC, { withErrors }).map((page) => ({
        ...page,
        label: `${page.name} (${locale}${withErrors ? ', errors' : ''})`,
      })),
    ),
  );
}

const URL_ATTRIBUTES = ['href', 'src', 'action', 'formaction', 'srcset', 'poster', 'data'];

/** The only scripts a page may load: our own files, by src, never with a body (CSP without unsafe-inline). */
const OUR_SCRIPTS = ['<script src="/assets/webauthn.js" defer></script>', '<script src="/assets/passkeys.js" defer></script>'];

export function withoutOurScripts(page: string): string {
  return OUR_SCRIPTS.reduce((rest, tag) => rest.replaceAll(tag, ''), page);
}

/** Structural checks that hold for every page, whatever it was given. */
function expectInertMarkup(page: string, label: string): Tag[] {
  page = withoutOurScripts(page);
  const tags = scanTags(page); // throws on any stray `<`
  expect(page, label).not.toMatch(/<script|<style|<iframe|<object|<embed/i);
  for (const tag of tags) {
    for (const [name, value] of tag.attrs) {
      expect(name, `${label}: <${tag.name} ${name}>`).not.toMatch(/^on/i);
      expect(name, `${label}: <${tag.name} ${name}>`).not.toBe('style');
      if (URL_ATTRIBUTES.includes(name) && typeof value === 'string') {
        expect(decodeEntities(value), `${label}: <${tag.name} ${name}>`).toMatch(/^(?:\/(?![/\\])|#|https?:\/\/|data:image\/)/);
      }
    }
  }
  return tags;
}

describe('every page', () => {
  const pages = everyPage();

  it('renders each page in each locale', () => {
    expect(pages.length).toBe(2 * 2 * 36);
    for (const { html, label } of pages) {
      expect(html.startsWith('<!doctype html>'), label).toBe(true);
      expect(html, label).toContain('<main id="main"');
    }
  });

  it('has no inline style, no script and no event handlers (CSP without unsafe-inline)', () => {
    for (const { html, label } of pages) {
      expect(html, label).not.toContain('style=');
      expect(html, label).not.toContain('<style');
      expect(withoutOurScripts(html), label).not.toContain('<script');
      // Pages with a passkey ceremony (or that ask whether the device can hold a passkey) load the two scripts; the others none.
      expect(html.includes('<script'), label).toBe(html.includes('data-passkey') || html.includes('name="passkey_capable"'));
      expectInertMarkup(html, label);
    }
  });

  it('puts a CSRF token in every form, and every form POSTs', () => {
    let formCount = 0;
    for (const { html, label } of pages) {
      for (const form of forms(html)) {
        formCount++;
        const [open] = scanTags(form);
        expect(attr(open!, 'method'), label).toBe('post');
        expect(form, label).toContain('<input type="hidden" name="_csrf" value="csrf-TOKEN-123">');
      }
    }
    expect(formCount).toBeGreaterThan(30);
  });

  it('binds a label to every visible input and keeps ids unique', () => {
    for (const { html, label } of pages) {
      const tags = scanTags(html);
      const ids = tags.map((tag) => attr(tag, 'id')).filter((id) => id !== undefined);
      expect(new Set(ids).size, `${label}: duplicate id`).toBe(ids.length);
      const labelled = new Set(tags.filter((tag) => tag.name === 'label').map((tag) => attr(tag, 'for')));
      for (const input of tags.filter((tag) => tag.name === 'input')) {
        if (attr(input, 'type') === 'hidden' || input.attrs.has('hidden')) continue;
        const id = attr(input, 'id');
        expect(id, `${label}: input without id`).toBeTruthy();
        expect(labelled.has(id), `${label}: no label for #${id}`).toBe(true);
        // Text inputs are required; a checkbox is a choice (e.g. "Remember this device"); a
        // profile attribute is required only where the tenant's schema says so; a field the form
        // marks optional (`data-optional`: a PIN to set, an age bound left empty for none) may be empty.
        if (attr(input, 'type') !== 'checkbox' && !attr(input, 'name')?.startsWith('profile.') && !input.attrs.has('data-optional')) expect(input.attrs.has('required'), `${label}: #${id} required`).toBe(true);
      }
      for (const tag of tags) {
        for (const ref of (attr(tag, 'aria-describedby') ?? '').split(' ').filter(Boolean)) {
          expect(ids, `${label}: aria-describedby ${ref}`).toContain(ref);
        }
      }
    }
  });

  it('uses the right input types and autocomplete tokens, and never re-fills a password', () => {
    for (const { html, label } of pages) {
      for (const input of scanTags(html).filter((tag) => tag.name === 'input' && attr(tag, 'type') !== 'hidden')) {
        const name = attr(input, 'name');
        const type = attr(input, 'type');
        if (name === 'email') {
          expect(type, label).toBe('email');
          // The sign-in page with passkeys adds `webauthn`, so the browser suggests passkeys there too (conditional UI).
          expect(attr(input, 'autocomplete'), label).toBe(/^login[ -]/.test(label) && html.includes('data-autofill') ? 'username webauthn' : 'username');
        }
        if (type === 'password') {
          expect(input.attrs.has('value'), `${label}: password value`).toBe(false);
          const signsIn = name === 'current_password' || (name === 'password' && /^(login|verify|link-account) /.test(label));
          // A household profile's PIN is typed on shared devices: never offered to a password manager.
          const expected = name === 'pin' ? 'off' : signsIn ? 'current-password' : 'new-password';
          expect(attr(input, 'autocomplete'), `${label}: ${name}`).toBe(expected);
        }
      }
    }
  });

  it('autofocuses at most one field', () => {
    for (const { html, label } of pages) {
      expect(scanTags(html).filter((tag) => tag.attrs.has('autofocus')).length, label).toBeLessThanOrEqual(1);
    }
  });
});

describe('escaping: attack strings in every field stay inert', () => {
  const X = `<script>alert(1)</script>"onmouseover="alert(2)'onfocus='alert(3)\`javascript:alert(4)</textarea><img src=x onerror=alert(5)>`;
  const RAW_FRAGMENTS = ['<script>alert(1)</script>', '"onmouseover=', "'onfocus=", '<img src=x', '</textarea>', X];
  const hostile: SampleValues = {
    email: X,
    token: X,
    device: X,
    ip: X,
    sessionId: X,
    mailTo: X,
    mailSubject: X,
    mailText: `${X} https://ok.example/a"onmouseover="alert(1) javascript:alert(6) http://x.example/<script>`,
  };
  const contexts: PageContext[] = [
    { locale: 'en', tenant: { id: X, name: X, branding: { logoUrl: X, primaryColor: X } }, csrfToken: X, currentUrl: X },
    { locale: 'de', tenant: { id: X, name: X, branding: { logoUrl: `${PNG}"onerror="alert(1)` } }, csrfToken: X, currentUrl: `/t/a?x=${X}` },
    { locale: 'en', tenant: { id: 'acme', name: X, branding: {} }, csrfToken: X, currentUrl: `javascript:alert(1)//${X}` },
    { locale: 'en', tenant: { id: 'acme', name: 'Acme', branding: {} }, csrfToken: 'c', currentUrl: `//evil.example/${X}` },
  ];

  it('never emits a raw payload, a handler attribute or a script URL', () => {
    for (const [i, context] of contexts.entries()) {
      for (const withErrors of [false, true]) {
        for (const { name, html } of renderAllPages(context, hostile, { withErrors })) {
          const label = `${name} #${i}${withErrors ? ' errors' : ''}`;
          for (const fragment of RAW_FRAGMENTS) expect(html, label).not.toContain(fragment);
          expectInertMarkup(html, label);
          expect(html, label).not.toMatch(/href="javascript:/i);
          expect(html, label).not.toMatch(/href="\/\//);
        }
      }
    }
  });

  it('keeps the escaped values, so nothing is silently dropped', () => {
    const page = renderLoginPage(contexts[0]!, { email: X });
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=&quot;alert(2)&#39;onfocus=&#39;');
    const [input] = scanTags(page).filter((tag) => tag.name === 'input' && attr(tag, 'name') === 'email');
    expect(decodeEntities(attr(input!, 'value')!)).toBe(X);
  });
});

describe('sign-in page', () => {
  it('posts email and password to the tenant, links to register and forgot password', () => {
    const page = renderLoginPage(ctx(), {});
    expect(page).toContain('<form method="post" action="/t/acme/login"');
    expect(page).toContain('href="/t/acme/register"');
    expect(page).toContain('href="/t/acme/forgot"');
    expect(page).toContain('<title>Sign in · Acme Corp</title>');
    expect(page).not.toContain('role="alert"');
    const email = scanTags(page).find((tag) => attr(tag, 'id') === 'email')!;
    expect(email.attrs.has('autofocus')).toBe(true);
    expect(email.attrs.has('aria-invalid')).toBe(false);
  });

  it('shows an error summary and ties the field error to the input', () => {
    const page = renderLoginPage(ctx(), { email: 'a@b', errors: { fields: { email: 'email.invalid' } } });
    expect(page).toMatch(/<div class="fd-error-summary" role="alert"/);
    expect(page).toContain('<a href="#email">Enter a valid email address, like name@example.com.</a>');
    expect(page).toContain('<p class="fd-field-error" id="email-error">');
    const email = scanTags(page).find((tag) => attr(tag, 'id') === 'email')!;
    expect(attr(email, 'aria-invalid')).toBe('true');
    expect(attr(email, 'aria-describedby')).toBe('email-error');
    expect(attr(email, 'value')).toBe('a@b');
    expect(email.attrs.has('autofocus')).toBe(true);
    // The summary comes first in the form.
    const form = forms(page)[0]!;
    expect(form.indexOf('role="alert"')).toBeLessThan(form.indexOf('name="_csrf"'));
  });

  it('focuses the first field with an error', () => {
    const page = renderLoginPage(ctx(), { email: 'a@example.com', errors: { fields: { password: 'password.too_long' } } });
    const focused = scanTags(page).filter((tag) => tag.attrs.has('autofocus'));
    expect(focused.map((tag) => attr(tag, 'id'))).toEqual(['password']);
  });

  it('shows a form-level error in the summary', () => {
    const page = renderLoginPage(ctx({ locale: 'de' }), { errors: { form: 'auth.invalid_credentials' } });
    expect(page).toContain('role="alert"');
    expect(page).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt.');
  });

  it('shows a notice', () => {
    expect(renderLoginPage(ctx(), { notice: 'password_reset' })).toContain(
      '<div class="fd-notice" role="status"><p>Your password has been changed. Sign in with your new password.</p></div>',
    );
  });

  it('offers a new verification link in a second form, with the email pre-filled', () => {
    const page = renderLoginPage(ctx(), { email: 'zoe@example.com', showResendVerification: true, errors: { form: 'auth.email_not_verified' } });
    const resend = forms(page).find((form) => form.includes('/verify/resend'))!;
    expect(resend).toContain('action="/t/acme/verify/resend"');
    expect(resend).toContain('<input type="hidden" name="email" value="zoe@example.com">');
    expect(resend).toContain('Send a new verification link');
    expect(renderLoginPage(ctx(), {})).not.toContain('/verify/resend');
  });

  it('asks for the address in the resend form when it is not known', () => {
    const page = renderLoginPage(ctx(), { showResendVerification: true });
    const resend = forms(page).find((form) => form.includes('/verify/resend'))!;
    expect(resend).toContain('id="resend-email" name="email" type="email" autocomplete="username"');
  });
});

describe('registration page', () => {
  it('posts to register, re-fills the email and hints at the password rules', () => {
    const page = renderRegisterPage(ctx(), { email: 'zoe@example.com', minLength: 15 });
    expect(page).toContain('<form method="post" action="/t/acme/register"');
    expect(page).toContain('value="zoe@example.com"');
    expect(page).toContain('At least 15 characters, and not a commonly used password.');
    const password = scanTags(page).find((tag) => attr(tag, 'id') === 'password')!;
    expect(attr(password, 'autocomplete')).toBe('new-password');
    expect(attr(password, 'minlength')).toBe('15');
    expect(attr(password, 'aria-describedby')).toBe('password-hint');
  });

  it('describes a password error before the hint', () => {
    const page = renderRegisterPage(ctx({ locale: 'de' }), { minLength: 12, errors: { fields: { password: 'password.common' } } });
    const password = scanTags(page).find((tag) => attr(tag, 'id') === 'password')!;
    expect(attr(password, 'aria-describedby')).toBe('password-error password-hint');
    expect(attr(password, 'aria-invalid')).toBe('true');
    expect(password.attrs.has('autofocus')).toBe(true);
    expect(page).toContain('Mindestens 12 Zeichen und kein häufig verwendetes Passwort.');
    expect(page).toContain('<a href="#password">Dieses Passwort steht auf einer Liste');
  });

  it('lists errors for fields the form does not show, without a link', () => {
    const page = renderRegisterPage(ctx(), { minLength: 15, errors: { fields: { captcha: 'request.invalid' } } });
    expect(page).toContain('<li>Something in the form was not right.');
  });
});

describe('check-email page', () => {
  it('says the same neutral thing whether or not an account exists', () => {
    expect(renderCheckEmailPage(ctx(), { kind: 'reset_requested' })).toContain('If an account exists for this address, we&#39;ve sent a link');
    expect(renderCheckEmailPage(ctx(), { kind: 'registration' })).toContain('If this address can be used for a new account');
    expect(renderCheckEmailPage(ctx(), { kind: 'verification_resent' })).toContain('If this address belongs to an account');
    expect(renderCheckEmailPage(ctx(), { kind: 'registration' })).toContain('href="/t/acme/login"');
  });
});

describe('verification pages', () => {
  it('confirms with a POST form (never on GET) that asks for the registration password', () => {
    const page = renderVerifyPage(ctx(), { token: 'tok/+=' });
    const [form] = forms(page);
    expect(form).toContain('action="/t/acme/verify"');
    expect(form).toContain('<input type="hidden" name="token" value="tok/+=">');
    expect(form).toContain('name="password" type="password" autocomplete="current-password" required');
    expect(form).toContain('<button class="fd-button" type="submit">Confirm email address</button>');
  });

  it('words a wrong password for this page', () => {
    const page = renderVerifyPage(ctx(), { token: 't', errors: { fields: { password: 'auth.invalid_credentials' } } });
    expect(page).toContain('<a href="#password">This isn&#39;t the password you chose when you signed up.');
    expect(page).toContain('aria-describedby="password-error"');
    expect(page).not.toContain('The email address or password is not correct');
  });

  it('reports the result', () => {
    expect(renderVerifyResultPage(ctx(), { ok: true })).toContain('Email address confirmed');
    const failed = renderVerifyResultPage(ctx({ locale: 'de' }), { ok: false });
    expect(failed).toContain('Dieser Link funktioniert nicht mehr');
    expect(failed).toContain('href="/t/acme/login"');
  });
});

describe('password reset pages', () => {
  it('forgot: posts the email', () => {
    const page = renderForgotPage(ctx(), { email: 'zoe@example.com' });
    expect(page).toContain('<form method="post" action="/t/acme/forgot"');
    expect(page).toContain('value="zoe@example.com"');
  });

  it('reset: posts the token and the new password', () => {
    const page = renderResetPage(ctx(), { token: 'tok', minLength: 15, errors: { fields: { password: 'password.contains_email' } } });
    expect(page).toContain('<form method="post" action="/t/acme/reset"');
    expect(page).toContain('<input type="hidden" name="token" value="tok">');
    expect(page).toContain('autocomplete="new-password"');
    expect(page).toContain('role="alert"');
    expect(page).toContain('aria-describedby="password-error password-hint"');
  });

  it('invalid link: offers a new one', () => {
    expect(renderResetInvalidPage(ctx())).toContain('href="/t/acme/forgot"');
  });
});

describe('account page', () => {
  const hour = 3_600_000;
  const model = {
    email: 'zoe@example.com',
    emailVerified: true,
    minLength: 15,
    sessions: [
      { id: 'old', current: false, device: 'Firefox on Windows', ip: null, createdAt: SAMPLE_NOW - 48 * hour, lastSeenAt: SAMPLE_NOW - hour },
      { id: 'mine', current: true, device: 'Safari on iPhone', ip: '2001:db8::1', createdAt: SAMPLE_NOW, lastSeenAt: SAMPLE_NOW },
    ],
    connectedApps: [
      {
        clientId: 'photo/app',
        name: 'Photo <Print>',
        scopes: ['openid', 'email', 'offline_access', 'custom'],
        apiScopes: [{ resource: 'Orders API', scope: 'read:orders', description: 'Read your orders' }],
        grantedAt: SAMPLE_NOW - 24 * hour,
      },
    ],
    totpEnrolled: false,
  };

  it('lists sessions, this device first, with a revoke form for the others only', () => {
    const page = renderAccountPage(ctx(), model);
    expect(page.indexOf('Safari on iPhone')).toBeLessThan(page.indexOf('Firefox on Windows'));
    expect(page).toContain('This device');
    expect(page).toContain('action="/t/acme/account/sessions/old/revoke"');
    expect(page).not.toContain('/sessions/mine/revoke');
    expect(page).toContain('Mar 12, 2025');
    expect(page).toMatch(/2:05\sPM UTC/);
    expect(page).toContain('2001:db8::1');
    expect(page).toContain('<dd>Unknown</dd>');
    expect(page).toContain('aria-label="Sign out Firefox on Windows, signed in Mar 10, 2025');
  });

  it('leaves out the remembered-devices section when there are none, without a stray count in its place', () => {
    const page = renderAccountPage(ctx(), { ...model, rememberedDevices: [] });
    expect(page).not.toContain('remembered-devices');
    expect(page).not.toMatch(/<\/section>\s*0\s*</);
  });

  it('has password change and sign-out forms', () => {
    const page = renderAccountPage(ctx(), model);
    expect(page).toContain('action="/t/acme/account/password"');
    expect(page).toContain('name="current_password" type="password" autocomplete="current-password"');
    expect(page).toContain('name="new_password" type="password" autocomplete="new-password"');
    expect(page).toContain('action="/t/acme/logout"');
    expect(page).not.toContain('autofocus'); // a clean page doesn't jump to the password form
    expect(page).not.toContain('/verify/resend');
  });

  it('puts password errors at the top of the password form and focuses the field', () => {
    const page = renderAccountPage(ctx(), { ...model, errors: { fields: { new_password: 'password.common' } } });
    const passwordForm = forms(page).find((form) => form.includes('/account/password'))!;
    expect(passwordForm).toContain('role="alert"');
    expect(passwordForm).toContain('<a href="#new_password">');
    const focused = scanTags(page).filter((tag) => tag.attrs.has('autofocus'));
    expect(focused.map((tag) => attr(tag, 'id'))).toEqual(['new_password']);
  });

  it('says a wrong current password plainly', () => {
    const page = renderAccountPage(ctx(), { ...model, errors: { fields: { current_password: 'auth.invalid_credentials' } } });
    expect(page).toContain('<a href="#current_password">Your current password is not correct.');
    expect(page).not.toContain('The email address or password');
  });

  it('puts other errors at the top of the page', () => {
    const page = renderAccountPage(ctx(), { ...model, errors: { form: 'session.not_found' } });
    expect(page.indexOf('role="alert"')).toBeLessThan(page.indexOf('sessions-title'));
    expect(page).toContain('This session no longer exists.');
  });

  it('offers a new verification link while the address is unverified', () => {
    const page = renderAccountPage(ctx(), { ...model, emailVerified: false });
    expect(page).toContain('Not verified');
    expect(page).toContain('action="/t/acme/verify/resend"');
  });

  it('lists connected apps with what they may do in plain words, and a revoke form each', () => {
    const page = renderAccountPage(ctx(), model);
    expect(page).toContain('Apps with access to your account');
    expect(page).toContain('Photo &lt;Print&gt;');
    expect(page).not.toContain('Photo <Print>');
    expect(page).toContain('Your email address');
    expect(page).toContain('Staying connected when you are not using it');
    expect(page).toContain('<li>custom</li>');
    expect(page).toContain('Read your orders <span class="fd-muted">(Orders API)</span>');
    expect(page).toContain('action="/t/acme/account/apps/photo%2Fapp/revoke"');
    expect(page).toContain('aria-label="Remove access of Photo &lt;Print&gt;"');
    const revokeForm = forms(page).find((form) => form.includes('/account/apps/'))!;
    expect(revokeForm).toContain('name="_csrf"');
    expect(renderAccountPage(ctx(), { ...model, connectedApps: [] })).toContain('No app has access to your account.');
  });

  it('encodes session ids in the revoke URL', () => {
    const page = renderAccountPage(ctx(), { ...model, sessions: [{ ...model.sessions[0]!, id: 'a/b?c' }] });
    expect(page).toContain('action="/t/acme/account/sessions/a%2Fb%3Fc/revoke"');
  });
});

describe('error page', () => {
  it('says what happened in words, and offers a way back', () => {
    const page = renderErrorPage(ctx(), { status: 429, code: 'rate_limited' });
    expect(page).toContain('<h1>Too many attempts</h1>');
    expect(page).toContain('Too many attempts. Wait a few minutes, then try again.');
    expect(page).toContain('Error 429');
    expect(page).toContain('href="/t/acme/login"');
  });

  it('works without a tenant', () => {
    const page = renderErrorPage(ctx({ tenant: null }), { status: 404, code: 'tenant.not_found' });
    expect(page).toContain('Page not found');
    expect(page).not.toContain('Go to sign in');
    expect(page).not.toContain('theme.css');
  });
});

describe('development mailbox', () => {
  const mail = (id: string, createdAt: number, text: string) => ({ id, to: 'zoe@example.com', subject: `Mail ${id}`, text, createdAt, sentAt: null });

  it('lists mails newest first under a development-only banner', () => {
    const page = renderMailboxPage(ctx({ tenant: null }), { mails: [mail('old', 1, 'a'), mail('new', 2, 'b')] });
    expect(page.indexOf('Mail new')).toBeLessThan(page.indexOf('Mail old'));
    expect(page).toContain('For development only.');
    expect(page).toContain('<pre class="fd-mail__text">');
    expect(page).toContain('Not sent yet');
  });

  it('makes http(s) links clickable with escaped hrefs', () => {
    const page = renderMailboxPage(ctx({ tenant: null }), {
      mails: [mail('1', 1, 'Open https://id.example/t/acme/verify?token=a&b=1. Or http://x.example/"onmouseover="alert(1) now')],
    });
    expect(page).toContain('<a href="https://id.example/t/acme/verify?token=a&amp;b=1">https://id.example/t/acme/verify?token=a&amp;b=1</a>.');
    expect(page).toContain('<a href="http://x.example/">http://x.example/</a>&quot;onmouseover=&quot;alert(1) now');
    expectInertMarkup(page, 'mailbox');
  });

  it('does not link other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,<b> ftp://x').toString()).toBe(
      'javascript:alert(1) data:text/html,&lt;b&gt; ftp://x',
    );
    expect(linkify('(see https://a.example/x)').toString()).toBe('(see <a href="https://a.example/x">https://a.example/x</a>)');
    expect(linkify('https://').toString()).toBe('https://');
  });

  it('shows an empty state', () => {
    expect(renderMailboxPage(ctx({ tenant: null }), { mails: [] })).toContain('No mail yet.');
  });
});

describe('tenant pages need a tenant', () => {
  it('throws instead of rendering broken URLs', () => {
    expect(() => renderLoginPage(ctx({ tenant: null }), {})).toThrow(/tenant/);
  });
});
