// Email verification. The link in the mail opens this page, which POSTs the token: link scanners
// and previews prefetch GET links and must not use it up. The page also asks for the password
// chosen at registration, so whoever registered an address first cannot take over the account
// its owner verifies (see core/flows/registration.ts).

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, requireTenant, submitButton } from './form.ts';
import type { ErrorTexts } from './form.ts';
import type { FormErrors } from './types.ts';

export interface VerifyPageModel {
  token: string;
  errors?: FormErrors;
  /** The tenant offers passkeys: the page finds out whether this device can hold one (for the offer after sign-up). */
  passkeys?: boolean;
  /** A password-free registration: a button confirms, no password is asked. */
  passwordless?: boolean;
}

const PASSWORD_TEXTS: ErrorTexts = { 'auth.invalid_credentials': 'verify.password_wrong' };

export function renderVerifyPage(ctx: PageContext, model: VerifyPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const body = html`<h1>${t(ctx.locale, 'verify.title')}</h1>
<p class="fd-lead">${t(ctx.locale, model.passwordless ? 'verify.passwordless_text' : 'verify.text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/verify')}" class="fd-form">
${errorSummary(ctx, errors, [{ name: 'password', id: 'password', texts: PASSWORD_TEXTS }])}
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${model.passkeys && html`<input type="hidden" name="passkey_capable" value="0">`}
${model.passwordless
  ? null
  : inputField(ctx, {
      name: 'password',
      label: t(ctx.locale, 'form.password'),
      type: 'password',
      autocomplete: 'current-password',
      error: fieldError(errors, 'password'),
      texts: PASSWORD_TEXTS,
      autofocus: true,
    })}
${submitButton(t(ctx.locale, 'verify.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'verify.title'), body, passkeys: Boolean(model.passkeys) });
}

export interface VerifyResultPageModel {
  ok: boolean;
}

export function renderVerifyResultPage(ctx: PageContext, model: VerifyResultPageModel): string {
  const tenant = requireTenant(ctx);
  const title = t(ctx.locale, model.ok ? 'verify_result.ok_title' : 'verify_result.failed_title');
  const text = t(ctx.locale, model.ok ? 'verify_result.ok_text' : 'verify_result.failed_text');
  const body = html`<h1>${title}</h1>
${model.ok
  ? html`<div class="fd-notice" role="status"><p>${text}</p></div>`
  : html`<p class="fd-lead">${text}</p>`}
<p><a class="fd-button" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'verify_result.sign_in')}</a></p>`;
  return renderDocument(ctx, { title, body });
}
