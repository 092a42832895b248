// Second step of a sign-in: the code from the user's authenticator app.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, requireTenant, submitButton } from './form.ts';
import { passkeySecondFactorForm, type PasskeyCeremony } from './passkeys.ts';
import type { FormErrors } from './types.ts';

const CODE_FIELD = [{ name: 'code', id: 'code' }] as const;

/** A code input: numeric keyboard, one-time-code autofill. */
export function codeField(ctx: PageContext, errors: FormErrors | undefined, options: { name?: string; label?: string; autofocus?: boolean } = {}) {
  const name = options.name ?? 'code';
  return inputField(ctx, {
    name,
    label: options.label ?? t(ctx.locale, 'mfa.code'),
    type: 'text',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    error: fieldError(errors, name),
    autofocus: options.autofocus ?? true,
  });
}

/** Text-message codes on the second-factor page: where "Text me a code" posts, and the masked phone. */
export interface SmsOption {
  sendAction: string;
  phone: string;
  /** A code was just sent. */
  sent?: boolean;
}

/**
 * `action` defaults to the tenant's own sign-in; an OIDC interaction posts to its own path. The
 * user's methods decide what is shown: a passkey button, "text me a code", the code form (for the
 * app or a texted code, with recovery codes when an app is set up).
 */
/** "Remember this device for N days", in each form that ends the second step. */
function rememberCheckbox(ctx: PageContext, days: number | undefined, id: string): SafeHtml | null {
  if (!days) return null;
  return html`<div class="fd-check"><input type="checkbox" id="${id}" name="remember_device" value="1"><label for="${id}">${t(ctx.locale, 'mfa.remember_device', { days })}</label></div>`;
}

export function renderSecondFactorPage(
  ctx: PageContext,
  model: { errors?: FormErrors; action?: string; passkey?: PasskeyCeremony; totp?: boolean; sms?: SmsOption; rememberDays?: number },
): string {
  const tenant = requireTenant(ctx);
  const action = model.action ?? tenantPath(tenant.id, '/login/second-factor');
  const totp = model.totp ?? true;
  const showCode = totp || Boolean(model.sms);
  const lead = totp && model.sms ? 'mfa.lead_app_or_sms' : totp ? 'mfa.lead' : 'mfa.lead_sms';
  const sms = model.sms
    ? html`${model.sms.sent ? html`<div class="fd-notice" role="status"><p>${t(ctx.locale, 'mfa.sms_sent', { phone: model.sms.phone })}</p></div>` : null}
<form method="post" action="${model.sms.sendAction}" class="fd-form">
${csrfInput(ctx)}
${submitButton(t(ctx.locale, model.sms.sent ? 'mfa.sms_resend' : 'mfa.sms_send', { phone: model.sms.phone }), 'secondary')}
</form>`
    : null;
  const codeForms = showCode
    ? html`<p class="fd-lead">${t(ctx.locale, lead)}</p>
<form method="post" action="${action}" class="fd-form" novalidate>
${errorSummary(ctx, model.errors, CODE_FIELD)}
${csrfInput(ctx)}
${codeField(ctx, model.errors, { autofocus: !model.passkey })}
${rememberCheckbox(ctx, model.rememberDays, 'remember_device')}
${submitButton(t(ctx.locale, 'mfa.submit'))}
</form>
${sms}
${totp
  ? html`<details class="fd-details">
<summary>${t(ctx.locale, 'mfa.recovery_hint')}</summary>
<form method="post" action="${action}" class="fd-form" novalidate>
${csrfInput(ctx)}
${inputField(ctx, { name: 'code', id: 'recovery_code', label: t(ctx.locale, 'account.recovery_heading'), type: 'text', autocomplete: 'off' })}
${submitButton(t(ctx.locale, 'mfa.submit'), 'secondary')}
</form>
</details>`
  : null}`
    : errorSummary(ctx, model.errors, []);
  const passkey = model.passkey
    ? html`<p class="fd-lead">${t(ctx.locale, 'passkey.second_factor_lead')}</p>
${passkeySecondFactorForm(ctx, model.passkey, true, rememberCheckbox(ctx, model.rememberDays, 'remember_device_passkey'))}`
    : null;
  const body = html`<h1>${t(ctx.locale, 'mfa.title')}</h1>
${passkey}
${codeForms}
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'mfa.start_over')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'mfa.title'), body, passkeys: Boolean(model.passkey) });
}

/** Adding a phone, or changing to another number: the code texted to it, typed back. */
export function renderPhoneConfirmPage(ctx: PageContext, model: { phone: string; change?: boolean; errors?: FormErrors }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'phone_confirm.title')}</h1>
<p class="fd-lead">${t(ctx.locale, model.change ? 'phone_confirm.lead_change' : 'phone_confirm.lead', { phone: model.phone })}</p>
<form method="post" action="${tenantPath(tenant.id, model.change ? '/account/phone/change/confirm' : '/account/phone/confirm')}" class="fd-form" novalidate>
${errorSummary(ctx, model.errors, CODE_FIELD)}
${csrfInput(ctx)}
${codeField(ctx, model.errors)}
${submitButton(t(ctx.locale, 'phone_confirm.submit'))}
</form>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'phone_confirm.cancel')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'phone_confirm.title'), body });
}

/** Recovery codes, shown once (after setting the app up, or after making a new set). */
export function renderRecoveryCodesPage(ctx: PageContext, model: { codes: string[]; next?: string }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'recovery.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'recovery.lead')}</p>
<ul class="fd-recovery-codes" id="recovery-codes">${model.codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p><a class="fd-button" href="${model.next ?? tenantPath(tenant.id, '/account?notice=totp_enabled')}">${t(ctx.locale, model.next ? 'recovery.continue' : 'recovery.done')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'recovery.title'), body });
}

/**
 * Authenticator-app setup: the QR code (an SVG data URL), the key to type, and the first code.
 * From the account page by default; `action` and `lead` for the set-up a policy asks for at sign-in.
 */
export function renderTotpSetupPage(ctx: PageContext, model: { qrDataUrl: string; secret: string; errors?: FormErrors; action?: string; duringSignIn?: boolean }): string {
  const tenant = requireTenant(ctx);
  // Groups of four are easier to type into an app.
  const grouped = model.secret.replace(/(.{4})(?=.)/g, '$1 ');
  const body = html`<h1>${t(ctx.locale, 'totp_setup.title')}</h1>
${model.duringSignIn ? html`<p class="fd-lead">${t(ctx.locale, 'mfa.setup_lead')}</p>` : null}
<p class="fd-lead">${t(ctx.locale, 'totp_setup.scan')}</p>
<p class="fd-qr"><img src="${model.qrDataUrl}" alt="${t(ctx.locale, 'totp_setup.qr_alt')}" width="200" height="200"></p>
<p>${t(ctx.locale, 'totp_setup.key')}: <code class="fd-code" id="totp-secret">${grouped}</code></p>
<form method="post" action="${model.action ?? tenantPath(tenant.id, '/account/totp')}" class="fd-form" novalidate>
${errorSummary(ctx, model.errors, CODE_FIELD)}
${csrfInput(ctx)}
<p>${t(ctx.locale, 'totp_setup.confirm')}</p>
${codeField(ctx, model.errors)}
${submitButton(t(ctx.locale, 'totp_setup.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'totp_setup.title'), body });
}

/** The one-time offer of a second factor after a few sign-ins without one. */
export function renderMfaNudgePage(ctx: PageContext, model: { next: string; passkeys: boolean; totp: boolean; sms: boolean }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'nudge.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'nudge.lead')}</p>
<ul class="fd-list">
${model.passkeys ? html`<li>${t(ctx.locale, 'nudge.passkey')}</li>` : null}
${model.totp ? html`<li>${t(ctx.locale, 'nudge.totp')}</li>` : null}
${model.sms ? html`<li>${t(ctx.locale, 'nudge.sms')}</li>` : null}
</ul>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'nudge.go')}</a></p>
<p><a class="fd-button fd-button--secondary" href="${model.next}">${t(ctx.locale, 'nudge.skip')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'nudge.title'), body });
}
