// The page behind the "Keep my account" link of a deletion waiting for its grace period.
import { html } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export function renderKeepAccountPage(ctx: PageContext, model: { token: string; eraseAfter: number } | { invalid: true }): string {
  const tenant = requireTenant(ctx);
  const body =
    'invalid' in model
      ? html`<h1>${t(ctx.locale, 'deletion_cancel.heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'deletion_cancel.invalid')}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'login.submit')}</a></p>`
      : html`<h1>${t(ctx.locale, 'deletion_cancel.heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'deletion_cancel.text', { date: formatDateTime(ctx.locale, model.eraseAfter) })}</p>
<form method="post" action="${tenantPath(tenant.id, '/account/keep')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'deletion_cancel.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'deletion_cancel.title'), body });
}
