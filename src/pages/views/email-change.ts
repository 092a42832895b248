// The page behind the link that confirms a new sign-in address (account email change).
import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export function renderEmailChangePage(ctx: PageContext, model: { token: string; email: string } | { invalid: true }): string {
  const tenant = requireTenant(ctx);
  const body =
    'invalid' in model
      ? html`<h1>${t(ctx.locale, 'email_change.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'email_change.invalid')}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'account.title')}</a></p>`
      : html`<h1>${t(ctx.locale, 'email_change.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'email_change.text', { email: model.email })}</p>
<form method="post" action="${tenantPath(tenant.id, '/account/email/confirm')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'email_change.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'email_change.title'), body });
}
