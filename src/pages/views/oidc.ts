// Pages of the OpenID Connect provider: consent for a third-party app, sign-out confirmation,
// signed-out, the device-code pages (enter code, confirm, done) and the protocol error page.
// The provider hands us its own hidden form fields (`providerForm`): they are produced by
// oidc-provider from values it escapes itself, and are passed through unchanged.

import { html, unsafeRaw } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { t } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/index.ts';
import { renderDocument } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, requireTenant } from './form.ts';

const STANDARD_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'consents', 'offline_access'] as const;

export interface ConsentPageModel {
  appName: string;
  action: string;
  /** OIDC scopes asked for (standard ones get a plain-words description). */
  scopes: string[];
  /** Claims asked for individually (e.g. through the `claims` parameter). */
  claims: string[];
  /** API permissions asked for: resource name and the scope's description. */
  apiScopes: { resource: string; scope: string; description: string }[];
}

/** A scope in plain words: standard OpenID scopes have a text, others are shown as they are. */
export function scopeText(ctx: PageContext, scope: string): string {
  return (STANDARD_SCOPES as readonly string[]).includes(scope) ? t(ctx.locale, `consent.scope.${scope}` as MessageKey) : scope;
}

export function renderConsentPage(ctx: PageContext, model: ConsentPageModel): string {
  const tenant = requireTenant(ctx);
  const items = [
    ...model.scopes.filter((s) => s !== 'openid').map((s) => html`<li>${scopeText(ctx, s)}</li>`),
    ...model.claims.map((c) => html`<li>${t(ctx.locale, 'consent.claim', { claim: c })}</li>`),
    ...model.apiScopes.map((a) => html`<li>${a.description || a.scope} <span class="fd-muted">(${a.resource})</span></li>`),
  ];
  const body = html`<h1>${t(ctx.locale, 'consent.heading', { app: model.appName })}</h1>
<p class="fd-lead">${t(ctx.locale, 'consent.lead', { app: model.appName, tenant: tenant.name })}</p>
<ul class="fd-list">${items.length ? items : html`<li>${t(ctx.locale, 'consent.scope.openid')}</li>`}</ul>
<p class="fd-muted">${t(ctx.locale, 'consent.revoke_hint')}</p>
<form method="post" action="${model.action}" class="fd-form">
${csrfInput(ctx)}
<div class="fd-actions">
<button class="fd-button" type="submit" name="decision" value="allow">${t(ctx.locale, 'consent.allow')}</button>
<button class="fd-button fd-button--secondary" type="submit" name="decision" value="deny">${t(ctx.locale, 'consent.deny')}</button>
</div>
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'consent.title'), body });
}

/** RP-initiated logout: ask before ending the session (the provider's form carries its own xsrf). */
export function renderLogoutConfirmPage(ctx: PageContext, model: { appName: string | null; providerForm: string }): string {
  const body = html`<h1>${t(ctx.locale, 'logout.heading')}</h1>
<p class="fd-lead">${model.appName ? t(ctx.locale, 'logout.lead_app', { app: model.appName }) : t(ctx.locale, 'logout.lead')}</p>
${unsafeRaw(model.providerForm)}
<div class="fd-actions">
<button class="fd-button" type="submit" form="op.logoutForm" name="logout" value="yes">${t(ctx.locale, 'logout.confirm')}</button>
<button class="fd-button fd-button--secondary" type="submit" form="op.logoutForm">${t(ctx.locale, 'logout.stay')}</button>
</div>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'logout.title'), body });
}

export function renderSignedOutPage(ctx: PageContext, model: { appName: string | null }): string {
  const body = html`<h1>${t(ctx.locale, 'logout.done_heading')}</h1>
<p class="fd-lead">${model.appName ? t(ctx.locale, 'logout.done_app', { app: model.appName }) : t(ctx.locale, 'logout.done')}</p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'logout.done_heading'), body });
}

/**
 * Signed out, telling the apps (OIDC Front-Channel Logout): each app's logout URI in a hidden frame,
 * then on to where the sign-out was going — by itself after a moment (no script: a meta refresh),
 * or at once with the link.
 */
export function renderFrontchannelLogoutPage(ctx: PageContext, model: { frames: string[]; next: string }): string {
  const body = html`<h1>${t(ctx.locale, 'logout.done_heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'logout.frontchannel')}</p>
<p><a class="fd-button" href="${model.next}">${t(ctx.locale, 'logout.continue')}</a></p>
${model.frames.map((frame) => html`<iframe class="fd-hidden" src="${frame}" title="" hidden aria-hidden="true" tabindex="-1" referrerpolicy="no-referrer" sandbox="allow-same-origin allow-scripts"></iframe>`)}`;
  return renderDocument(ctx, { title: t(ctx.locale, 'logout.done_heading'), body, refresh: { seconds: 2, url: model.next } });
}

/** What our device forms post to the provider: its endpoint and its anti-forgery value. */
export interface DeviceForm {
  action: string;
  xsrf: string;
}

/** Device flow, step 1: type the code the device shows. Our own form, posting the provider's fields. */
export function renderDeviceCodePage(ctx: PageContext, model: { form: DeviceForm; error: boolean }): string {
  const body = html`<h1>${t(ctx.locale, 'device.heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'device.lead')}</p>
${model.error ? html`<div class="fd-error-summary" role="alert"><p>${t(ctx.locale, 'device.invalid')}</p></div>` : null}
<form method="post" action="${model.form.action}" class="fd-form" novalidate>
<input type="hidden" name="xsrf" value="${model.form.xsrf}">
<div class="fd-field">
<label class="fd-label" for="user_code">${t(ctx.locale, 'device.code')}</label>
<input class="fd-input" id="user_code" name="user_code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus${model.error ? html` aria-invalid="true"` : null}>
</div>
<button class="fd-button" type="submit">${t(ctx.locale, 'device.continue')}</button>
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'device.title'), body });
}

/** Device flow, step 2: confirm the device asking is the one in front of the person. */
export function renderDeviceConfirmPage(ctx: PageContext, model: { form: DeviceForm; appName: string; userCode: string }): string {
  const body = html`<h1>${t(ctx.locale, 'device.confirm_heading', { app: model.appName })}</h1>
<p class="fd-lead">${t(ctx.locale, 'device.confirm_lead')}</p>
<p class="fd-code">${model.userCode}</p>
<form method="post" action="${model.form.action}" class="fd-form">
<input type="hidden" name="xsrf" value="${model.form.xsrf}">
<input type="hidden" name="user_code" value="${model.userCode}">
<div class="fd-actions">
<button class="fd-button" type="submit" name="confirm" value="yes">${t(ctx.locale, 'device.confirm')}</button>
<button class="fd-button fd-button--secondary" type="submit" name="abort" value="yes">${t(ctx.locale, 'device.abort')}</button>
</div>
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'device.title'), body });
}

export function renderDeviceDonePage(ctx: PageContext, model: { appName: string }): string {
  const body = html`<h1>${t(ctx.locale, 'device.done_heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'device.done', { app: model.appName })}</p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'device.title'), body });
}

/** A protocol error shown to the person (never a redirect to an unverified redirect_uri). */
export function renderOidcErrorPage(ctx: PageContext, model: { error: string; description: string | null }): SafeHtml | string {
  const body = html`<h1>${t(ctx.locale, 'oidc_error.heading')}</h1>
<p class="fd-lead">${t(ctx.locale, 'oidc_error.lead')}</p>
<p class="fd-muted"><code>${model.error}</code>${model.description ? html`: ${model.description}` : null}</p>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'oidc_error.heading'), body, status: 400 });
}

