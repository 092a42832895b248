// Error page: what happened, in words, and a way back. The code is the i18n key; no detail leaks.

import type { ErrorCode } from '../../core/errors.ts';
import { html } from '../html.ts';
import { errorMessage, t } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';

export interface ErrorPageModel {
  status: number;
  code: ErrorCode;
}

function titleKey(status: number): MessageKey {
  if (status === 404) return 'error_page.title_not_found';
  if (status === 403) return 'error_page.title_forbidden';
  if (status === 429) return 'error_page.title_rate_limited';
  if (status >= 500) return 'error_page.title_server';
  return 'error_page.title_generic';
}

export function renderErrorPage(ctx: PageContext, model: ErrorPageModel): string {
  const status = Number.isInteger(model.status) && model.status >= 400 && model.status <= 599 ? model.status : 500;
  const title = t(ctx.locale, titleKey(status));
  const body = html`<h1>${title}</h1>
<p class="fd-lead">${errorMessage(ctx.locale, model.code)}</p>
<p class="fd-muted">${t(ctx.locale, 'error_page.status', { status })}</p>
${ctx.tenant &&
  html`<p><a class="fd-button" href="${tenantPath(ctx.tenant.id, '/login')}">${t(ctx.locale, 'error_page.sign_in')}</a></p>`}`;
  return renderDocument(ctx, { title, body, status });
}
