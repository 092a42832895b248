// Passkey parts of the hosted pages. Each ceremony is a plain form: the server puts the WebAuthn
// options (with a signed challenge) into data-options, /assets/passkeys.js runs the ceremony and
// submits the browser's answer in the hidden `response` field. The controls stay hidden until
// the script has seen that the browser supports WebAuthn.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, requireTenant, submitButton } from './form.ts';
import type { FormErrors } from './types.ts';

/** A ceremony the page offers: where the answer goes and the options the browser needs. */
export interface PasskeyCeremony {
  action: string;
  options: unknown;
}

function ceremonyForm(ctx: PageContext, ceremony: PasskeyCeremony, kind: 'sign-in' | 'register', label: MessageKey, extra: { autofill?: boolean; autoRegister?: boolean; variant?: 'primary' | 'secondary'; hiddenFields?: SafeHtml } = {}): SafeHtml {
  const button = extra.variant === 'primary' ? 'fd-button' : 'fd-button fd-button--secondary';
  return html`<form method="post" action="${ceremony.action}" class="fd-form fd-passkey"${kind === 'sign-in' ? html` data-passkey-sign-in` : html` data-passkey-register`}${
    extra.autofill && html` data-autofill`
  }${extra.autoRegister && html` data-auto-register`} data-options="${JSON.stringify(ceremony.options)}" data-cancelled="${t(ctx.locale, 'passkey.cancelled')}" data-failed="${t(ctx.locale, 'passkey.failed_js')}">
${csrfInput(ctx)}
<input type="hidden" name="response" value="">${extra.hiddenFields ?? null}
<div data-passkey-control hidden>
<button class="${button}" type="button" data-passkey-start>${t(ctx.locale, label)}</button>
<p class="fd-field-error" data-passkey-message role="alert" hidden></p>
</div>
</form>`;
}

/** "Sign in with a passkey" under the sign-in form; with autofill, passkeys also appear in the email field's suggestions. */
export function passkeySignInForm(ctx: PageContext, ceremony: PasskeyCeremony): SafeHtml {
  return ceremonyForm(ctx, ceremony, 'sign-in', 'passkey.sign_in', { autofill: true });
}

/** "Use your passkey" on the second-factor page. */
export function passkeySecondFactorForm(ctx: PageContext, ceremony: PasskeyCeremony, primary: boolean, extraFields: SafeHtml | null = null): SafeHtml {
  return ceremonyForm(ctx, ceremony, 'sign-in', 'passkey.second_factor', { variant: primary ? 'primary' : 'secondary', ...(extraFields ? { hiddenFields: extraFields } : {}) });
}

/**
 * WebAuthn Signal API data. For a signed-in user: the passkeys the server still accepts and the
 * current name, so the person's devices drop deleted passkeys and show the new name. After a
 * sign-in with a passkey we do not know: that credential id, so the device can drop it.
 */
export type PasskeySignal = { rpId: string; userHandle: string; acceptedCredentialIds: string[]; name: string } | { rpId: string; unknownCredentialId: string };

export function passkeySignal(signal: PasskeySignal | undefined): SafeHtml | null {
  if (!signal) return null;
  if ('unknownCredentialId' in signal) return html`<div hidden data-passkey-signal data-rp-id="${signal.rpId}" data-unknown-credential="${signal.unknownCredentialId}"></div>`;
  return html`<div hidden data-passkey-signal data-rp-id="${signal.rpId}" data-user-id="${signal.userHandle}" data-accepted="${JSON.stringify(signal.acceptedCredentialIds)}" data-name="${signal.name}"></div>`;
}

export interface AccountPasskey {
  id: string;
  name: string;
  synced: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

function renderPasskey(ctx: PageContext, tenantId: string, passkey: AccountPasskey): SafeHtml {
  const base = `/account/passkeys/${encodeURIComponent(passkey.id)}`;
  const nameId = `passkey-name-${passkey.id}`;
  return html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${passkey.name}</span> <span class="fd-badge">${t(ctx.locale, passkey.synced ? 'account.passkeys_synced' : 'account.passkeys_device_bound')}</span></div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'account.passkeys_created')}</dt><dd>${formatDateTime(ctx.locale, passkey.createdAt)}</dd></div>
<div><dt>${t(ctx.locale, 'account.passkeys_last_used')}</dt><dd>${passkey.lastUsedAt === null ? t(ctx.locale, 'account.passkeys_never_used') : formatDateTime(ctx.locale, passkey.lastUsedAt)}</dd></div>
</dl>
<form method="post" action="${tenantPath(tenantId, `${base}/rename`)}" class="fd-form fd-form--inline">
${csrfInput(ctx)}
<label class="fd-label" for="${nameId}">${t(ctx.locale, 'account.passkeys_name')}</label>
<input class="fd-input" id="${nameId}" name="name" type="text" autocomplete="off" maxlength="60" required value="${passkey.name}">
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.passkeys_rename_label', { name: passkey.name })}">${t(ctx.locale, 'account.passkeys_rename')}</button>
</form>
<form method="post" action="${tenantPath(tenantId, `${base}/delete`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.passkeys_remove_label', { name: passkey.name })}">${t(ctx.locale, 'account.passkeys_remove')}</button>
</form>
</li>`;
}

export function renderPasskeysSection(ctx: PageContext, tenantId: string, model: { passkeys: readonly AccountPasskey[]; register: PasskeyCeremony; signal: PasskeySignal }): SafeHtml {
  const list = model.passkeys.length
    ? html`<ul class="fd-sessions" id="passkeys">${model.passkeys.map((p) => renderPasskey(ctx, tenantId, p))}</ul>`
    : html`<p>${t(ctx.locale, 'account.passkeys_empty')}</p>`;
  return html`<section class="fd-section" aria-labelledby="passkeys-title">
<h2 id="passkeys-title">${t(ctx.locale, 'account.passkeys_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.passkeys_text')}</p>
${list}
${ceremonyForm(ctx, model.register, 'register', 'account.passkeys_add')}
${passkeySignal(model.signal)}
</section>`;
}

/**
 * After a password sign-in on a device that can hold a passkey: offer one (skippable). The script
 * first tries to create it silently (conditional create), as browsers allow right after their
 * password manager filled the password.
 */
export function renderPasskeyOfferPage(ctx: PageContext, model: { register: PasskeyCeremony; skipAction: string; next: string }): string {
  requireTenant(ctx);
  const next = html`<input type="hidden" name="next" value="${model.next}">`;
  const body = html`<h1>${t(ctx.locale, 'passkey_offer.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'passkey_offer.lead')}</p>
${ceremonyForm(ctx, model.register, 'register', 'passkey_offer.add', { autoRegister: true, variant: 'primary', hiddenFields: next })}
<form method="post" action="${model.skipAction}" class="fd-form">
${csrfInput(ctx)}
${next}
<button class="fd-button fd-button--secondary" type="submit">${t(ctx.locale, 'passkey_offer.skip')}</button>
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'passkey_offer.title'), body, passkeys: true });
}

/**
 * After the offer: on to `next` by itself (a meta refresh, not a redirect: the page's
 * `form-action 'self'` would block a redirect chain that ends at an app's redirect URI).
 */
export function renderPasskeyOfferDonePage(ctx: PageContext, model: { next: string; added: boolean }): string {
  requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'passkey_offer.title')}</h1>
${model.added ? html`<div class="fd-notice" role="status"><p>${t(ctx.locale, 'notice.passkey_added')}</p></div>` : null}
<p><a class="fd-button" href="${model.next}">${t(ctx.locale, 'passkey_offer.continue')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'passkey_offer.title'), body, refresh: { seconds: 0, url: model.next } });
}

/** The confirmation a sensitive action asks for: the password again, or a passkey. */
export function renderReauthPage(ctx: PageContext, model: { next: string; passkey?: PasskeyCeremony; errors?: FormErrors; email: string; passwords?: boolean }): string {
  const tenant = requireTenant(ctx);
  const nextField = html`<input type="hidden" name="next" value="${model.next}">`;
  const body = html`<h1>${t(ctx.locale, 'reauth.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'reauth.lead')}</p>
${model.passkey ? passkeySecondFactorForm(ctx, model.passkey, true, nextField) : null}
${model.passwords === false
  ? html`${errorSummary(ctx, model.errors, [])}<p><a class="${model.passkey ? 'fd-button fd-button--secondary' : 'fd-button'}" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'reauth.sign_in_again')}</a></p>`
  : html`<form method="post" action="${tenantPath(tenant.id, '/account/confirm')}" class="fd-form">
${errorSummary(ctx, model.errors, [{ name: 'password', id: 'password' }])}
${csrfInput(ctx)}
${nextField}
<input class="fd-hidden" type="email" autocomplete="username" value="${model.email}" hidden readonly tabindex="-1" aria-hidden="true">
${inputField(ctx, { name: 'password', label: t(ctx.locale, 'form.password'), type: 'password', autocomplete: 'current-password', error: fieldError(model.errors, 'password'), autofocus: !model.passkey })}
${submitButton(t(ctx.locale, 'reauth.submit'), model.passkey ? 'secondary' : 'primary')}
</form>`}
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'phone_confirm.cancel')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'reauth.title'), body, passkeys: Boolean(model.passkey) });
}
