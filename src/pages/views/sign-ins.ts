// The account's recent sign-ins (device, place, time, how) with "This wasn't me" on each, and the
// page the new-device mail's link opens.
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { renderDocument, tenantPath, type PageContext } from '../layout.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export interface RecentSignIn {
  id: string;
  device: string;
  /** ISO 3166 alpha-2, when the address could be placed. */
  country: string | null;
  at: number;
  /** RFC 8176 methods, e.g. ["pwd"], ["hwk", "user"]. */
  methods: string[];
  /** The sign-in of the session this page is shown in. */
  current: boolean;
}

function how(ctx: PageContext, methods: readonly string[]): string {
  if (methods.includes('hwk') || methods.includes('swk')) return t(ctx.locale, 'sign_ins.method_passkey');
  // Through a social or enterprise provider: its own methods (trusted `pwd`, `mfa`) happened there.
  const base = methods.includes('fed') ? t(ctx.locale, 'sign_ins.method_federated') : methods.includes('pwd') ? t(ctx.locale, 'sign_ins.method_password') : t(ctx.locale, 'sign_ins.method_email');
  return methods.includes('mfa') ? `${base} + ${t(ctx.locale, 'sign_ins.method_second_factor')}` : base;
}

export function renderRecentSignIns(ctx: PageContext, tenantId: string, items: readonly RecentSignIn[]): SafeHtml {
  const list =
    items.length > 0
      ? html`<ul class="fd-sessions" id="recent-sign-ins">${items.map(
          (item) => html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${item.device}</span>${item.current && html` <span class="fd-badge fd-badge--ok">${t(ctx.locale, 'account.sessions_this_device')}</span>`}</div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'sign_ins.when')}</dt><dd>${formatDateTime(ctx.locale, item.at)}</dd></div>
<div><dt>${t(ctx.locale, 'sign_ins.where')}</dt><dd>${item.country ?? t(ctx.locale, 'sign_ins.where_unknown')}</dd></div>
<div><dt>${t(ctx.locale, 'sign_ins.how')}</dt><dd>${how(ctx, item.methods)}</dd></div>
</dl>
${!item.current &&
  html`<form method="post" action="${tenantPath(tenantId, `/account/sign-ins/${encodeURIComponent(item.id)}/report`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit">${t(ctx.locale, 'sign_ins.not_me')}</button>
</form>`}
</li>`,
        )}</ul>`
      : html`<p>${t(ctx.locale, 'sign_ins.empty')}</p>`;
  return html`<section class="fd-section" aria-labelledby="sign-ins-title">
<h2 id="sign-ins-title">${t(ctx.locale, 'sign_ins.heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'sign_ins.text')}</p>
${list}
<p class="fd-muted">${t(ctx.locale, 'sign_ins.attribution')}</p>
</section>`;
}

/** The new-device mail's "This wasn't me": one button, so a mail scanner opening the link changes nothing. */
export function renderReportSignInPage(ctx: PageContext, model: { token: string }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'report.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'report.text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/report-sign-in')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'report.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'report.title'), body });
}

export function renderReportInvalidPage(ctx: PageContext): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'report.invalid_title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'report.invalid_text')}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/forgot')}">${t(ctx.locale, 'report.invalid_action')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'report.invalid_title'), body });
}
