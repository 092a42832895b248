// Registration page: POST /t/{tenant}/register with email and password.

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, focusTarget, inputField, requireTenant, submitButton } from './form.ts';
import { botChallengeAttribute, riskInputs, type FormRisk } from './risk.ts';
import type { FormErrors } from './types.ts';
import { consentChoices, type ConsentChoiceView } from './consent.ts';
import { profileField, type ProfileFieldView } from './profile-form.ts';

export interface RegisterPageModel {
  email?: string;
  errors?: FormErrors;
  /** Minimum password length, shown in the hint. */
  minLength: number;
  /** The tenant has no passwords: the address alone, confirmed by the mailed link. */
  passwordless?: boolean;
  /** The form's stamp and, when the risk engine asks, its bot challenge. */
  risk?: FormRisk;
  /** The tenant's consent purposes, unticked unless the customer ticked them before an error. */
  consents?: ConsentChoiceView[];
  /** Profile attributes the tenant asks for at registration (its profile schema). */
  profileFields?: ProfileFieldView[];
}

const FIELDS = [
  { name: 'email', id: 'email' },
  { name: 'password', id: 'password' },
] as const;

export function renderRegisterPage(ctx: PageContext, model: RegisterPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const focus = focusTarget(errors, FIELDS.map((field) => field.name));
  const body = html`<h1>${t(ctx.locale, 'register.heading', { tenant: tenant.name })}</h1>
<form method="post" action="${tenantPath(tenant.id, '/register')}" class="fd-form"${botChallengeAttribute(model.risk)}>
${errorSummary(ctx, errors, FIELDS)}
${csrfInput(ctx)}
${riskInputs(model.risk)}
${inputField(ctx, {
  name: 'email',
  label: t(ctx.locale, 'form.email'),
  type: 'email',
  autocomplete: 'username',
  value: model.email,
  error: fieldError(errors, 'email'),
  autofocus: focus === 'email',
})}
${model.passwordless
  ? html`<p class="fd-muted">${t(ctx.locale, 'register.passwordless_hint')}</p>`
  : inputField(ctx, {
      name: 'password',
      label: t(ctx.locale, 'form.password'),
      type: 'password',
      autocomplete: 'new-password',
      hint: t(ctx.locale, 'form.password_hint', { min: model.minLength }),
      minLength: model.minLength,
      error: fieldError(errors, 'password'),
      autofocus: focus === 'password',
    })}
${(model.profileFields ?? []).map((field) => profileField(ctx, field))}
${consentChoices(ctx, model.consents ?? [], t(ctx.locale, 'consent.legend'))}
${submitButton(t(ctx.locale, 'register.submit'))}
</form>
<p class="fd-alt">${t(ctx.locale, 'register.have_account')} <a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'register.sign_in')}</a></p>`;

  return renderDocument(ctx, { title: t(ctx.locale, 'register.title'), body, botChallenge: Boolean(model.risk?.botChallenge) });
}
