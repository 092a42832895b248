// The page between an upstream sign-in and an existing account with the same verified address:
// the link is made only once the person proves the account is theirs — a code mailed to it, or its
// password (either way they then sign in with the account's own method, second factor included).

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, fieldError, inputField, requireTenant, submitButton } from './form.ts';
import type { FormErrors } from './types.ts';

export interface LinkAccountPageModel {
  /** The provider's display name. */
  connection: string;
  /** The account's address, masked. */
  email: string;
  /** The tenant has passwords: offer to confirm with it. */
  passwords: boolean;
  errors?: FormErrors;
}

export function renderLinkAccountPage(ctx: PageContext, model: LinkAccountPageModel): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'federation.link_heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'federation.link_lead', { connection: model.connection, email: model.email })}</p>
<form method="post" action="${tenantPath(tenant.id, '/connections/link/email')}" class="fd-form">
${csrfInput(ctx)}
${submitButton(t(ctx.locale, 'federation.link_email'))}
</form>
${model.passwords &&
html`<form method="post" action="${tenantPath(tenant.id, '/connections/link/password')}" class="fd-form">
${errorSummary(ctx, model.errors, [{ name: 'password', id: 'password' }])}
${csrfInput(ctx)}
${inputField(ctx, { name: 'password', label: t(ctx.locale, 'form.password'), type: 'password', autocomplete: 'current-password', error: fieldError(model.errors, 'password') })}
${submitButton(t(ctx.locale, 'federation.link_password'), 'secondary')}
</form>`}
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'federation.link_cancel')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'federation.link_heading'), body });
}
