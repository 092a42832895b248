// Sign-in by email: the page where the mailed code is typed, the page a magic link opens (a click
// before anything happens: mail scanners fetch links), the page a link shows on another device,
// and the hand-over page that goes on by itself.
import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, noticeBanner, requireTenant, submitButton } from './form.ts';
import { codeField } from './second-factor.ts';
import type { FormErrors, Notice } from './types.ts';

/** `action` defaults to the hosted sign-in; an OIDC interaction posts to its own path. */
export function renderEmailCodePage(ctx: PageContext, model: { errors?: FormErrors; action?: string; notice?: Notice }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'email_code.title')}</h1>
${noticeBanner(ctx, model.notice)}
<p class="fd-lead">${t(ctx.locale, 'email_code.lead')}</p>
<form method="post" action="${model.action ?? tenantPath(tenant.id, '/login/email/code')}" class="fd-form" novalidate>
${errorSummary(ctx, model.errors, [{ name: 'code', id: 'code' }])}
${csrfInput(ctx)}
${codeField(ctx, model.errors)}
${submitButton(t(ctx.locale, 'email_code.submit'))}
</form>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'email_code.start_over')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'email_code.title'), body });
}

export function renderMagicLinkPage(ctx: PageContext, model: { token: string }): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'magic_link.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'magic_link.lead', { tenant: tenant.name })}</p>
<form method="post" action="${tenantPath(tenant.id, '/login/email/link')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'magic_link.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'magic_link.title'), body });
}

export function renderMagicLinkInvalidPage(ctx: PageContext): string {
  const tenant = requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'magic_link.invalid_title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'magic_link.invalid_text')}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'login.submit')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'magic_link.invalid_title'), body });
}

/** Opened on another device: nobody is signed in here; the code is typed on the asking browser. */
export function renderMagicLinkOtherDevicePage(ctx: PageContext, model: { code: string }): string {
  requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'magic_link.other_device_title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'magic_link.other_device_lead')}</p>
<p class="fd-code fd-code--large" id="transfer-code">${model.code}</p>
<p class="fd-muted">${t(ctx.locale, 'magic_link.other_device_note')}</p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'magic_link.other_device_title'), body });
}

/**
 * Goes on to `next` by itself (meta refresh), with a link as fallback. Used where a redirect would
 * end a form's redirect chain at an app, which the page's `form-action 'self'` would block.
 */
export function renderContinuePage(ctx: PageContext, model: { next: string }): string {
  requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'continue.title')}</h1>
<p><a class="fd-button" href="${model.next}">${t(ctx.locale, 'continue.link')}</a></p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'continue.title'), body, refresh: { seconds: 0, url: model.next } });
}
