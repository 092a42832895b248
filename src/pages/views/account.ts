// Account page: the user's address, where they are signed in (with sign-out per device), the
// apps that hold access (with revoke), password change and sign-out. Every action is its own POST form with a CSRF token.

import { renderRecentSignIns, type RecentSignIn } from './sign-ins.ts';
import { renderSecurityActivity, type SecurityActivityView } from './security-activity.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { scopeText } from './oidc.ts';
import { codeField } from './second-factor.ts';
import { renderPasskeysSection, type AccountPasskey, type PasskeyCeremony, type PasskeySignal } from './passkeys.ts';
import { csrfInput, errorSummary, fieldError, focusTarget, inputField, noticeBanner, requireTenant, submitButton } from './form.ts';
import type { ErrorTexts } from './form.ts';
import type { FormErrors, Notice } from './types.ts';
import { consentChoices, type ConsentChoiceView } from './consent.ts';
import type { ConsentChannel } from '../../core/ports.ts';
import { profileField, type ProfileFieldView } from './profile-form.ts';

export interface AccountSession {
  id: string;
  /** The session this page was requested with. */
  current: boolean;
  /** Human summary of the user agent, e.g. from describeUserAgent. */
  device: string;
  ip: string | null;
  createdAt: number;
  lastSeenAt: number;
}

/** An app that holds access to the account (an OIDC grant). */
export interface AccountConnectedApp {
  clientId: string;
  name: string;
  /** OpenID scopes granted (openid, profile, email, offline_access, …). */
  scopes: string[];
  /** API permissions granted: resource name, scope and its description. */
  apiScopes: { resource: string; scope: string; description: string }[];
  grantedAt: number;
}

export interface AccountPageModel {
  email: string;
  emailVerified: boolean;
  notice?: Notice;
  /** Errors of the password form (fields `current_password`, `new_password`) or of the page. */
  errors?: FormErrors;
  /** Minimum password length, shown in the hint. */
  minLength: number;
  sessions: AccountSession[];
  connectedApps: AccountConnectedApp[];
  /** Whether an authenticator app is set up. */
  totpEnrolled: boolean;
  /** False when the tenant does not offer a second factor (policy `off`). */
  mfaOffered?: boolean;
  /** False when the tenant does not offer authenticator apps. */
  totpOffered?: boolean;
  /** False where the tenant has no passwords (no password section). */
  passwords?: boolean;
  /** Unused recovery codes (when the app is set up). */
  recoveryCodesLeft?: number;
  /** Browsers that may skip the second factor ("Remember this device"). */
  rememberedDevices?: { id: string; name: string; lastUsedAt: number; expiresAt: number }[];
  /** Upstream sign-in providers (connections) linked to the account. */
  identities?: { id: string; connection: string; createdAt: number; lastUsedAt: number }[];
  /** Text-message codes, when offered: the confirmed phone (masked), or null. */
  sms?: { phone: string | null };
  /** The user's passkeys and the ceremony to add one, when the tenant offers passkeys. */
  passkeys?: { items: AccountPasskey[]; register: PasskeyCeremony; signal: PasskeySignal };
  /** The account's recent sign-ins, newest first. */
  recentSignIns?: RecentSignIn[];
  securityActivity?: SecurityActivityView[];
  /** The organizations the customer belongs to, and those their verified address's domain lets them join. */
  organizations?: { memberships: { id: string; name: string; roles: string[] }[]; joinable: { id: string; name: string }[] };
  /** The tenant's consent purposes with the customer's current choice, and every choice made, newest first. */
  consents?: { choices: ConsentChoiceView[]; history: { purpose: string; granted: boolean; version: number; at: number; channel: ConsentChannel }[] };
  /** The tenant's grace period before a deleted account is erased (0: at once). */
  deletionGraceDays?: number;
  /** The profile form (attributes the customer may edit) and the values they may only read. */
  profile?: { fields: ProfileFieldView[]; readOnly: { label: string; value: string }[] };
}

const CURRENT_PASSWORD_TEXTS: ErrorTexts = { 'auth.invalid_credentials': 'account.password_current_wrong' };

const PASSWORD_FIELDS = [
  { name: 'current_password', id: 'current_password', texts: CURRENT_PASSWORD_TEXTS },
  { name: 'new_password', id: 'new_password' },
] as const;

function renderEmailSection(ctx: PageContext, tenantId: string, model: AccountPageModel): SafeHtml {
  const badge = model.emailVerified
    ? html`<span class="fd-badge fd-badge--ok">${t(ctx.locale, 'account.verified')}</span>`
    : html`<span class="fd-badge fd-badge--warn">${t(ctx.locale, 'account.unverified')}</span>`;
  const resend = !model.emailVerified
    ? html`<p class="fd-muted">${t(ctx.locale, 'account.unverified_text')}</p>
<form method="post" action="${tenantPath(tenantId, '/verify/resend')}" class="fd-form fd-form--inline">
${csrfInput(ctx)}
<input type="hidden" name="email" value="${model.email}">
${submitButton(t(ctx.locale, 'account.resend'), 'secondary')}
</form>`
    : null;
  return html`<section class="fd-section" aria-labelledby="email-title">
<h2 id="email-title">${t(ctx.locale, 'account.email')}</h2>
<p class="fd-email"><span class="fd-email__address">${model.email}</span> ${badge}</p>
${resend}
<details class="fd-details"${fieldError(model.errors, 'new_email') ? html` open` : ''}><summary>${t(ctx.locale, 'account.email_change_heading')}</summary>
<form method="post" action="${tenantPath(tenantId, '/account/email')}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'new_email', label: t(ctx.locale, 'account.email_change_label'), type: 'email', autocomplete: 'email', error: fieldError(model.errors, 'new_email') })}
${submitButton(t(ctx.locale, 'account.email_change_submit'), 'secondary')}
</form>
</details>
</section>`;
}

function renderProfileSection(ctx: PageContext, tenantId: string, profile: NonNullable<AccountPageModel['profile']>): SafeHtml | null {
  if (profile.fields.length === 0 && profile.readOnly.length === 0) return null;
  return html`<section class="fd-section" aria-labelledby="profile-title" id="profile">
<h2 id="profile-title">${t(ctx.locale, 'account.profile_heading')}</h2>
${profile.readOnly.length > 0 && html`<dl class="fd-meta">${profile.readOnly.map((item) => html`<div><dt>${item.label}</dt><dd>${item.value}</dd></div>`)}</dl>`}
${profile.fields.length > 0 && html`<p class="fd-muted">${t(ctx.locale, 'account.profile_text')}</p>
<form method="post" action="${tenantPath(tenantId, '/account/profile')}" class="fd-form">
${csrfInput(ctx)}
${profile.fields.map((field) => profileField(ctx, field))}
${submitButton(t(ctx.locale, 'account.profile_submit'), 'secondary')}
</form>`}
</section>`;
}

function renderSession(ctx: PageContext, tenantId: string, session: AccountSession): SafeHtml {
  const signedIn = formatDateTime(ctx.locale, session.createdAt);
  const revoke = session.current
    ? null
    : html`<form method="post" action="${tenantPath(tenantId, `/account/sessions/${encodeURIComponent(session.id)}/revoke`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.sessions_revoke_label', { device: session.device, time: signedIn })}">${t(ctx.locale, 'account.sessions_revoke')}</button>
</form>`;
  return html`<li class="${session.current ? 'fd-session fd-session--current' : 'fd-session'}">
<div class="fd-session__head"><span class="fd-session__device">${session.device}</span>${
    session.current && html` <span class="fd-badge fd-badge--ok">${t(ctx.locale, 'account.sessions_this_device')}</span>`
  }</div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'account.sessions_ip')}</dt><dd>${session.ip ?? t(ctx.locale, 'account.sessions_ip_unknown')}</dd></div>
<div><dt>${t(ctx.locale, 'account.sessions_signed_in')}</dt><dd>${signedIn}</dd></div>
<div><dt>${t(ctx.locale, 'account.sessions_last_seen')}</dt><dd>${formatDateTime(ctx.locale, session.lastSeenAt)}</dd></div>
</dl>
${revoke}
</li>`;
}

function renderSessionsSection(ctx: PageContext, tenantId: string, sessions: readonly AccountSession[]): SafeHtml {
  // This device first, then the others in the order given.
  const ordered = [...sessions.filter((s) => s.current), ...sessions.filter((s) => !s.current)];
  const list =
    ordered.length > 0
      ? html`<ul class="fd-sessions">${ordered.map((session) => renderSession(ctx, tenantId, session))}</ul>`
      : html`<p>${t(ctx.locale, 'account.sessions_empty')}</p>`;
  return html`<section class="fd-section" aria-labelledby="sessions-title">
<h2 id="sessions-title">${t(ctx.locale, 'account.sessions_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.sessions_text')}</p>
${list}
</section>`;
}

function renderTotpSection(ctx: PageContext, tenantId: string, model: AccountPageModel): SafeHtml {
  const control = model.totpEnrolled
    ? html`<p>${t(ctx.locale, 'account.totp_on')}</p>
<form method="post" action="${tenantPath(tenantId, '/account/totp/remove')}" class="fd-form">
${csrfInput(ctx)}
${codeField(ctx, model.errors, { name: 'totp_code', label: t(ctx.locale, 'account.totp_remove_hint'), autofocus: false })}
${submitButton(t(ctx.locale, 'account.totp_remove'), 'secondary')}
</form>
<h3>${t(ctx.locale, 'account.recovery_heading')}</h3>
<p>${t(ctx.locale, 'account.recovery_remaining', { count: model.recoveryCodesLeft ?? 0 })}</p>
<form method="post" action="${tenantPath(tenantId, '/account/recovery-codes')}" class="fd-form">
${csrfInput(ctx)}
${codeField(ctx, model.errors, { name: 'recovery_totp_code', label: t(ctx.locale, 'account.recovery_regenerate_hint'), autofocus: false })}
${submitButton(t(ctx.locale, 'account.recovery_regenerate'), 'secondary')}
</form>`
    : html`<p>${t(ctx.locale, 'account.totp_off')}</p>
<p><a class="fd-button fd-button--secondary" href="${tenantPath(tenantId, '/account/totp')}">${t(ctx.locale, 'account.totp_setup')}</a></p>`;
  return html`<section class="fd-section" aria-labelledby="totp-title">
<h2 id="totp-title">${t(ctx.locale, 'account.totp_heading')}</h2>
${control}
</section>`;
}

function renderSmsSection(ctx: PageContext, tenantId: string, model: AccountPageModel, phone: string | null): SafeHtml {
  const control = phone
    ? html`<p>${t(ctx.locale, 'account.sms_on', { phone })}</p>
<form method="post" action="${tenantPath(tenantId, '/account/phone/remove')}" class="fd-form">
${csrfInput(ctx)}
${submitButton(t(ctx.locale, 'account.sms_remove'), 'secondary')}
</form>
<details class="fd-details"${fieldError(model.errors, 'phone') ? html` open` : ''}><summary>${t(ctx.locale, 'account.sms_change_heading')}</summary>
<form method="post" action="${tenantPath(tenantId, '/account/phone/change')}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'phone', label: t(ctx.locale, 'account.sms_change_label'), type: 'tel', autocomplete: 'tel', hint: t(ctx.locale, 'account.sms_phone_hint'), error: fieldError(model.errors, 'phone') })}
${submitButton(t(ctx.locale, 'account.sms_change_submit'), 'secondary')}
</form>
</details>`
    : html`<p>${t(ctx.locale, 'account.sms_off')}</p>
<form method="post" action="${tenantPath(tenantId, '/account/phone')}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'phone', label: t(ctx.locale, 'account.sms_phone'), type: 'tel', autocomplete: 'tel', hint: t(ctx.locale, 'account.sms_phone_hint'), error: fieldError(model.errors, 'phone') })}
${submitButton(t(ctx.locale, 'account.sms_add'), 'secondary')}
</form>`;
  return html`<section class="fd-section" aria-labelledby="sms-title">
<h2 id="sms-title">${t(ctx.locale, 'account.sms_heading')}</h2>
${control}
</section>`;
}

function renderIdentities(ctx: PageContext, tenantId: string, model: AccountPageModel): SafeHtml {
  const identities = model.identities ?? [];
  return html`<section class="fd-section" aria-labelledby="identities-title">
<h2 id="identities-title">${t(ctx.locale, 'account.identities_heading')}</h2>
${model.errors?.form === 'federation.last_method' ? html`<div class="fd-error-summary" role="alert"><p>${t(ctx.locale, 'error.federation.last_method')}</p></div>` : null}
<ul class="fd-sessions" id="identities">${identities.map(
    (identity) => html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${identity.connection}</span></div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'account.identities_since')}</dt><dd>${formatDateTime(ctx.locale, identity.createdAt)}</dd></div>
<div><dt>${t(ctx.locale, 'account.sessions_last_seen')}</dt><dd>${formatDateTime(ctx.locale, identity.lastUsedAt)}</dd></div>
</dl>
<form method="post" action="${tenantPath(tenantId, `/account/identities/${encodeURIComponent(identity.id)}/unlink`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.identities_unlink_label', { connection: identity.connection })}">${t(ctx.locale, 'account.identities_unlink')}</button>
</form>
</li>`,
  )}</ul>
</section>`;
}

function renderRememberedDevices(ctx: PageContext, tenantId: string, devices: NonNullable<AccountPageModel['rememberedDevices']>): SafeHtml {
  return html`<section class="fd-section" aria-labelledby="devices-title">
<h2 id="devices-title">${t(ctx.locale, 'account.devices_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.devices_text')}</p>
<ul class="fd-sessions" id="remembered-devices">${devices.map(
    (device) => html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${device.name}</span></div>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'account.sessions_last_seen')}</dt><dd>${formatDateTime(ctx.locale, device.lastUsedAt)}</dd></div>
<div><dt>${t(ctx.locale, 'account.devices_until')}</dt><dd>${formatDateTime(ctx.locale, device.expiresAt)}</dd></div>
</dl>
<form method="post" action="${tenantPath(tenantId, `/account/devices/${encodeURIComponent(device.id)}/forget`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.devices_forget_label', { device: device.name })}">${t(ctx.locale, 'account.devices_forget')}</button>
</form>
</li>`,
  )}</ul>
</section>`;
}

function renderConsentsSection(ctx: PageContext, tenantId: string, consents: NonNullable<AccountPageModel['consents']>): SafeHtml {
  return html`<section class="fd-section" aria-labelledby="consents-title">
<h2 id="consents-title">${t(ctx.locale, 'account.consents_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.consents_text')}</p>
<form method="post" action="${tenantPath(tenantId, '/account/consents')}" class="fd-form">
${csrfInput(ctx)}
${consentChoices(ctx, consents.choices, t(ctx.locale, 'account.consents_heading'))}
${submitButton(t(ctx.locale, 'account.consents_save'), 'secondary')}
</form>
${consents.history.length > 0 &&
html`<details class="fd-details"><summary>${t(ctx.locale, 'account.consents_history')}</summary>
<ul class="fd-list" id="consent-history">${consents.history.map(
  (record) => html`<li>${formatDateTime(ctx.locale, record.at)} — ${t(ctx.locale, record.granted ? 'account.consents_record_granted' : 'account.consents_record_withdrawn', { purpose: record.purpose, version: record.version })}, ${t(ctx.locale, `consent.channel.${record.channel}`)}</li>`,
)}</ul>
</details>`}
</section>`;
}

function renderConnectedApp(ctx: PageContext, tenantId: string, app: AccountConnectedApp): SafeHtml {
  const access = [
    ...app.scopes.filter((s) => s !== 'openid').map((s) => html`<li>${scopeText(ctx, s)}</li>`),
    ...app.apiScopes.map((a) => html`<li>${a.description || a.scope} <span class="fd-muted">(${a.resource})</span></li>`),
  ];
  return html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${app.name}</span></div>
<ul class="fd-list">${access.length ? access : html`<li>${t(ctx.locale, 'consent.scope.openid')}</li>`}</ul>
<dl class="fd-meta"><div><dt>${t(ctx.locale, 'account.apps_since')}</dt><dd>${formatDateTime(ctx.locale, app.grantedAt)}</dd></div></dl>
<form method="post" action="${tenantPath(tenantId, `/account/apps/${encodeURIComponent(app.clientId)}/revoke`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.apps_revoke_label', { app: app.name })}">${t(ctx.locale, 'account.apps_revoke')}</button>
</form>
</li>`;
}

function renderOrganizationsSection(ctx: PageContext, tenantId: string, orgs: NonNullable<AccountPageModel['organizations']>): SafeHtml | null {
  if (orgs.memberships.length === 0 && orgs.joinable.length === 0) return null;
  return html`<section class="fd-section" aria-labelledby="orgs-title">
<h2 id="orgs-title">${t(ctx.locale, 'account.orgs_heading')}</h2>
${orgs.memberships.length > 0 &&
  html`<ul class="fd-list" id="my-organizations">${orgs.memberships.map(
    (m) =>
      html`<li>${m.name} <span class="fd-muted">(${m.roles.join(', ')})</span>${(m.roles.includes('owner') || m.roles.includes('admin')) && html` <a href="${tenantPath(tenantId, `/account/organizations/${encodeURIComponent(m.id)}`)}">${t(ctx.locale, 'account.orgs_manage')}</a>`}</li>`,
  )}</ul>`}
${orgs.joinable.length > 0 &&
  html`<p class="fd-muted">${t(ctx.locale, 'account.orgs_joinable')}</p>
<ul class="fd-sessions">${orgs.joinable.map(
    (org) => html`<li class="fd-session"><div class="fd-session__head"><span class="fd-session__device">${org.name}</span></div>
<form method="post" action="${tenantPath(tenantId, `/account/organizations/${encodeURIComponent(org.id)}/join`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'account.orgs_join_label', { organization: org.name })}">${t(ctx.locale, 'account.orgs_join')}</button>
</form></li>`,
  )}</ul>`}
</section>`;
}

function renderConnectedAppsSection(ctx: PageContext, tenantId: string, apps: readonly AccountConnectedApp[]): SafeHtml {
  const list = apps.length > 0 ? html`<ul class="fd-sessions">${apps.map((app) => renderConnectedApp(ctx, tenantId, app))}</ul>` : html`<p>${t(ctx.locale, 'account.apps_empty')}</p>`;
  return html`<section class="fd-section" aria-labelledby="apps-title">
<h2 id="apps-title">${t(ctx.locale, 'account.apps_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.apps_text')}</p>
${list}
</section>`;
}

export function renderAccountPage(ctx: PageContext, model: AccountPageModel): string {
  const tenant = requireTenant(ctx);
  const { errors } = model;
  const passwordFieldErrors = PASSWORD_FIELDS.some((field) => fieldError(errors, field.name) !== undefined);
  const otherFieldErrors = Object.keys(errors?.fields ?? {}).some(
    (name) => errors?.fields?.[name] !== undefined && !PASSWORD_FIELDS.some((field) => field.name === name),
  );
  // Errors about the password form sit at the top of that form; anything else at the top of the page.
  const summaryInForm = passwordFieldErrors && !otherFieldErrors;
  const summary = errorSummary(ctx, errors, PASSWORD_FIELDS);
  // No focus on a clean page: it would scroll a phone down to the password form and open the keyboard.
  const focus = passwordFieldErrors ? focusTarget(errors, PASSWORD_FIELDS.map((field) => field.name)) : undefined;

  const body = html`<h1>${t(ctx.locale, 'account.title')}</h1>
${noticeBanner(ctx, model.notice)}
${!summaryInForm && summary}
${renderEmailSection(ctx, tenant.id, model)}
${model.profile && renderProfileSection(ctx, tenant.id, model.profile)}
${renderSessionsSection(ctx, tenant.id, model.sessions)}
${model.recentSignIns && renderRecentSignIns(ctx, tenant.id, model.recentSignIns)}
${model.securityActivity && renderSecurityActivity(ctx, model.securityActivity)}
${model.organizations && renderOrganizationsSection(ctx, tenant.id, model.organizations)}
<p class="fd-alt" id="household-link"><a href="${tenantPath(tenant.id, '/household')}">${t(ctx.locale, 'account.household_link')}</a></p>
${model.passkeys && renderPasskeysSection(ctx, tenant.id, { passkeys: model.passkeys.items, register: model.passkeys.register, signal: model.passkeys.signal })}
${model.mfaOffered !== false && model.totpOffered !== false && renderTotpSection(ctx, tenant.id, model)}
${model.mfaOffered !== false && model.sms && renderSmsSection(ctx, tenant.id, model, model.sms.phone)}
${model.identities && model.identities.length > 0 && renderIdentities(ctx, tenant.id, model)}
${model.rememberedDevices && model.rememberedDevices.length > 0 && renderRememberedDevices(ctx, tenant.id, model.rememberedDevices)}
${renderConnectedAppsSection(ctx, tenant.id, model.connectedApps)}
${model.consents && model.consents.choices.length > 0 && renderConsentsSection(ctx, tenant.id, model.consents)}
${model.passwords !== false && html`<section class="fd-section" aria-labelledby="password-title">
<h2 id="password-title">${t(ctx.locale, 'account.password_heading')}</h2>
<form method="post" action="${tenantPath(tenant.id, '/account/password')}" class="fd-form">
${summaryInForm && summary}
${csrfInput(ctx)}
<input class="fd-hidden" type="email" autocomplete="username" value="${model.email}" hidden readonly tabindex="-1" aria-hidden="true">
${inputField(ctx, {
  name: 'current_password',
  label: t(ctx.locale, 'account.password_current'),
  type: 'password',
  autocomplete: 'current-password',
  error: fieldError(errors, 'current_password'),
  texts: CURRENT_PASSWORD_TEXTS,
  autofocus: focus === 'current_password',
})}
${inputField(ctx, {
  name: 'new_password',
  label: t(ctx.locale, 'form.new_password'),
  type: 'password',
  autocomplete: 'new-password',
  hint: t(ctx.locale, 'form.password_hint', { min: model.minLength }),
  minLength: model.minLength,
  error: fieldError(errors, 'new_password'),
  autofocus: focus === 'new_password',
})}
${submitButton(t(ctx.locale, 'account.password_submit'))}
</form>
</section>`}
<section class="fd-section" aria-labelledby="data-title">
<h2 id="data-title">${t(ctx.locale, 'account.data_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.data_text')}</p>
<p><a class="fd-button fd-button--secondary" href="${tenantPath(tenant.id, '/account/export')}">${t(ctx.locale, 'account.data_download')}</a></p>
</section>
<section class="fd-section" aria-labelledby="delete-title">
<h2 id="delete-title">${t(ctx.locale, 'account.delete_heading')}</h2>
<p class="fd-muted">${model.deletionGraceDays ? t(ctx.locale, 'account.delete_text_grace', { days: model.deletionGraceDays }) : t(ctx.locale, 'account.delete_text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/account/delete')}" class="fd-form">
${csrfInput(ctx)}
<div class="fd-check"><input type="checkbox" id="delete-confirm" name="confirm" value="1" required${fieldError(errors, 'confirm') ? html` aria-invalid="true"` : ''}><label for="delete-confirm">${t(ctx.locale, 'account.delete_confirm')}</label></div>
${submitButton(t(ctx.locale, 'account.delete_submit'), 'secondary')}
</form>
</section>
<section class="fd-section" aria-labelledby="sign-out-title">
<h2 id="sign-out-title">${t(ctx.locale, 'account.sign_out_heading')}</h2>
<p class="fd-muted">${t(ctx.locale, 'account.sign_out_text')}</p>
<form method="post" action="${tenantPath(tenant.id, '/logout')}" class="fd-form fd-form--inline">
${csrfInput(ctx)}
${submitButton(t(ctx.locale, 'account.sign_out_submit'), 'secondary')}
</form>
</section>`;

  return renderDocument(ctx, { title: t(ctx.locale, 'account.title'), body, wide: true, passkeys: Boolean(model.passkeys) });
}
