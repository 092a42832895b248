// Email verification. The link in the mail opens a page with one button that POSTs the token:
// link scanners and previews prefetch GET links, and must not consume the token.

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export interface VerifyPageModel {
  token: string;
}

export function renderVerifyPage(ctx: PageContext, model: VerifyPageModel): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'verify.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'verify.text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/verify')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'verify.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'verify.title'), body });
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
