// Reset password: POST /t/{tenant}/reset with the token from the mail and the new password.

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, noticeBanner, requireTenant, submitButton } from './form.ts';
import type { FormErrors, Notice } from './types.ts';

export interface ResetPageModel {
  token: string;
  errors?: FormErrors;
  notice?: Notice;
  /** Minimum password length, shown in the hint. */
  minLength: number;
}

export function renderResetPage(ctx: PageContext, model: ResetPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const body = html`<h1>${t(ctx.locale, 'reset.title')}</h1>
${noticeBanner(ctx, model.notice)}
<p class="fd-lead">${t(ctx.locale, 'reset.text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/reset')}" class="fd-form">
${errorSummary(ctx, errors, [{ name: 'password', id: 'password' }])}
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${inputField(ctx, {
  name: 'password',
  label: t(ctx.locale, 'form.new_password'),
  type: 'password',
  autocomplete: 'new-password',
  hint: t(ctx.locale, 'form.password_hint', { min: model.minLength }),
  minLength: model.minLength,
  error: fieldError(errors, 'password'),
  autofocus: true,
})}
${submitButton(t(ctx.locale, 'reset.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'reset.title'), body });
}

/** The reset link is unknown, expired or used: say so and offer a new one. */
export function renderResetInvalidPage(ctx: PageContext): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'reset_invalid.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'reset_invalid.text')}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/forgot')}">${t(ctx.locale, 'reset_invalid.again')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'reset_invalid.title'), body });
}
