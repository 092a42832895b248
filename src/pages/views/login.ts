// Sign-in page: POST /t/{tenant}/login with email and password.

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, focusTarget, inputField, noticeBanner, requireTenant, submitButton } from './form.ts';
import { passkeySignal, passkeySignInForm, type PasskeyCeremony, type PasskeySignal } from './passkeys.ts';
import type { FormErrors, Notice } from './types.ts';
import { botChallengeAttribute, riskInputs, type FormRisk } from './risk.ts';

export interface LoginPageModel {
  email?: string;
  errors?: FormErrors;
  notice?: Notice;
  /** Offer a new verification link (after `auth.email_not_verified`). */
  showResendVerification?: boolean;
  /** Where the form posts; the plain sign-in page posts to /login, an app's sign-in request to its interaction. */
  action?: string;
  /** The app the person is signing in to, when an app sent them here. */
  appName?: string;
  /** Passkey sign-in (button and autofill), when the tenant offers passkeys. */
  passkey?: PasskeyCeremony;
  /** A passkey the browser offered that we do not know (Signal API: the device may drop it). */
  passkeySignal?: PasskeySignal;
  /** Where "Email me a sign-in code" posts the email (the same form, without the password), when offered. */
  emailSignInAction?: string;
  /** False where the tenant has no passwords: the form asks only for the address (for a code by email). */
  passwords?: boolean;
  /** What the risk engine needs from the form: when it was served, and a bot challenge when it asks for one. */
  risk?: FormRisk;
  /** "Continue with {name}" buttons: upstream providers this sign-in offers (each a link to its start). */
  connections?: { name: string; iconUrl?: string; href: string }[];
  /** Some email domain of this tenant belongs to a provider: offer "single sign-on" with the typed address. */
  singleSignOn?: boolean;
}

const FIELDS = [
  { name: 'email', id: 'email' },
  { name: 'password', id: 'password' },
] as const;

export function renderLoginPage(ctx: PageContext, model: LoginPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const passwords = model.passwords ?? true;
  const focus = focusTarget(errors, FIELDS.map((field) => field.name));
  const resend = model.showResendVerification
    ? html`<section class="fd-aside" aria-labelledby="resend-title">
<p id="resend-title">${t(ctx.locale, 'login.resend_text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/verify/resend')}" class="fd-form">
${csrfInput(ctx)}
${model.email
  ? html`<input type="hidden" name="email" value="${model.email}">`
  : inputField(ctx, { name: 'email', id: 'resend-email', label: t(ctx.locale, 'form.email'), type: 'email', autocomplete: 'username' })}
${submitButton(t(ctx.locale, 'login.resend_submit'), 'secondary')}
</form>
</section>`
    : null;

  const body = html`<h1>${t(ctx.locale, 'login.heading', { tenant: tenant.name })}</h1>
${model.appName ? html`<p class="fd-lead">${t(ctx.locale, 'login.continue_to', { app: model.appName })}</p>` : null}
${noticeBanner(ctx, model.notice)}
<form method="post" action="${model.action ?? tenantPath(tenant.id, '/login')}" class="fd-form"${botChallengeAttribute(model.risk)}>
${errorSummary(ctx, errors, FIELDS)}
${csrfInput(ctx)}
${riskInputs(model.risk)}
${inputField(ctx, {
  name: 'email',
  label: t(ctx.locale, 'form.email'),
  type: 'email',
  // `webauthn` lets the browser list passkeys among the suggestions (conditional UI).
  autocomplete: model.passkey ? 'username webauthn' : 'username',
  value: model.email,
  error: fieldError(errors, 'email'),
  autofocus: focus === 'email',
})}
${passwords && inputField(ctx, {
  name: 'password',
  label: t(ctx.locale, 'form.password'),
  type: 'password',
  autocomplete: 'current-password',
  error: fieldError(errors, 'password'),
  autofocus: focus === 'password',
})}
${passwords && html`<p class="fd-field-link"><a href="${tenantPath(tenant.id, '/forgot')}">${t(ctx.locale, 'login.forgot')}</a></p>`}
${model.passkey && html`<input type="hidden" name="passkey_capable" value="0">`}
${passwords && submitButton(t(ctx.locale, 'login.submit'))}
${model.singleSignOn && html`<button class="fd-button fd-button--secondary" type="submit" name="sso" value="1" formnovalidate>${t(ctx.locale, 'login.single_sign_on')}</button>`}
${model.emailSignInAction &&
html`<button class="${passwords ? 'fd-button fd-button--secondary' : 'fd-button'}" type="submit" formaction="${model.emailSignInAction}" formnovalidate>${t(ctx.locale, 'email_sign_in.request')}</button>`}
</form>
${model.connections && model.connections.length > 0 && html`<ul class="fd-connections" aria-label="${t(ctx.locale, 'login.connections_label')}">${model.connections.map(
  (c) => html`<li><a class="fd-button fd-button--secondary" href="${c.href}">${c.iconUrl ? html`<img src="${c.iconUrl}" alt="" width="20" height="20"> ` : null}${t(ctx.locale, 'login.continue_with', { name: c.name })}</a></li>`,
)}</ul>`}
${model.passkey && passkeySignInForm(ctx, model.passkey)}
${passkeySignal(model.passkeySignal)}
<p class="fd-alt">${t(ctx.locale, 'login.no_account')} <a href="${tenantPath(tenant.id, '/register')}">${t(ctx.locale, 'login.register')}</a></p>
${resend}`;

  return renderDocument(ctx, { title: t(ctx.locale, 'login.title'), body, passkeys: Boolean(model.passkey || model.passkeySignal), botChallenge: Boolean(model.risk?.botChallenge) });
}
