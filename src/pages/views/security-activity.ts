// The account page's "Recent security activity": what changed about how the account is protected
// (core/users/security-activity.ts), when, from which device and address, and whether support did it.
import type { SecurityActivityKind } from '../../core/users/security-activity.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import type { PageContext } from '../layout.ts';
import { requireTenant } from './form.ts';

export interface SecurityActivityView {
  kind: SecurityActivityKind;
  at: number;
  /** Device and address in words, e.g. "Firefox on Linux, 203.0.113.7"; null when unknown. */
  from: string | null;
  bySupport: boolean;
}

export function renderSecurityActivity(ctx: PageContext, items: readonly SecurityActivityView[]): SafeHtml {
  const tenant = requireTenant(ctx);
  const list =
    items.length > 0
      ? html`<ul class="fd-sessions" id="security-activity">${items.map(
          (item) => html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${t(ctx.locale, `activity.kind.${item.kind}` as const)}</span>${item.bySupport && html` <span class="fd-badge">${t(ctx.locale, 'activity.by_support', { tenant: tenant.name })}</span>`}</div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'activity.when')}</dt><dd>${formatDateTime(ctx.locale, item.at)}</dd></div>
${item.from && !item.bySupport && html`<div><dt>${t(ctx.locale, 'activity.from')}</dt><dd>${item.from}</dd></div>`}
</dl>
</li>`,
        )}</ul>`
      : html`<p>${t(ctx.locale, 'activity.empty')}</p>`;
  return html`<section class="fd-section" aria-labelledby="activity-title">
<h2 id="activity-title">${t(ctx.locale, 'activity.heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'activity.text')}</p>
${list}
</section>`;
}
