// "Forgot password": POST /t/{tenant}/forgot with the email address.

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, requireTenant, submitButton } from './form.ts';
import { botChallengeAttribute, riskInputs, type FormRisk } from './risk.ts';
import type { FormErrors } from './types.ts';

export interface ForgotPageModel {
  email?: string;
  errors?: FormErrors;
  /** The form's stamp and, when the risk engine asks, its bot challenge. */
  risk?: FormRisk;
}

export function renderForgotPage(ctx: PageContext, model: ForgotPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const body = html`<h1>${t(ctx.locale, 'forgot.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'forgot.text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/forgot')}" class="fd-form"${botChallengeAttribute(model.risk)}>
${errorSummary(ctx, errors, [{ name: 'email', id: 'email' }])}
${csrfInput(ctx)}
${riskInputs(model.risk)}
${inputField(ctx, {
  name: 'email',
  label: t(ctx.locale, 'form.email'),
  type: 'email',
  autocomplete: 'username',
  value: model.email,
  error: fieldError(errors, 'email'),
  autofocus: true,
})}
${submitButton(t(ctx.locale, 'forgot.submit'))}
</form>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'forgot.back')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'forgot.title'), body, botChallenge: Boolean(model.risk?.botChallenge) });
}
