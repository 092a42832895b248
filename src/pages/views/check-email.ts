// "Check your email": the same neutral words whether or not an account exists (no enumeration).

import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { requireTenant } from './form.ts';

export interface CheckEmailPageModel {
  kind: 'registration' | 'reset_requested' | 'verification_resent' | 'password_breached';
}

export function renderCheckEmailPage(ctx: PageContext, model: CheckEmailPageModel): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'check_email.title')}</h1>
<p class="fd-lead">${t(ctx.locale, `check_email.${model.kind}`)}</p>
<p class="fd-muted">${t(ctx.locale, 'check_email.spam')}</p>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'check_email.back')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'check_email.title'), body });
}
