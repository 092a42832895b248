// The household pages: the account's household (members, profiles with their restrictions,
// devices, the plan's bounds), "Who is using?" (switching profile, with a PIN where one is set),
// the page behind an invitation's link, and the choice offered when a sign-in finds the household
// at its plan's bound (sign out another device).
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, inputField, noticeBanner, requireTenant, submitButton } from './form.ts';
import type { FormErrors, Notice } from './types.ts';

export interface ProfileView {
  id: string;
  name: string;
  kind: 'adult' | 'child';
  maxAgeRating: number | null;
  purchases: 'allowed' | 'pin' | 'blocked';
  hasPin: boolean;
  /** The viewer's own profile. */
  own: boolean;
  /** No sign-in of its own. */
  managed: boolean;
}

export interface HouseholdPageModel {
  /** `none`: not in a household and the plan has none; `can_start`: the plan includes one. */
  state: 'none' | 'can_start' | 'member';
  isOwner: boolean;
  acting?: ProfileView | null;
  profiles: ProfileView[];
  members: { userId: string; email: string; role: 'owner' | 'adult'; self: boolean }[];
  devices: { id: string; name: string; who: string; lastSeenAt: number }[];
  limits?: { maxMembers: number; maxProfiles: number; maxDevices: number | null; maxConcurrentSessions: number | null };
  notice?: Notice;
  errors?: FormErrors;
}

const PURCHASES = ['allowed', 'pin', 'blocked'] as const;

function restrictionText(ctx: PageContext, p: ProfileView): string {
  const rating = p.maxAgeRating === null ? t(ctx.locale, 'household.rating_any') : t(ctx.locale, 'household.rating_up_to', { age: String(p.maxAgeRating) });
  return `${t(ctx.locale, `household.kind_${p.kind}`)} · ${rating} · ${t(ctx.locale, `household.purchases_${p.purchases}`)}${p.hasPin ? ` · ${t(ctx.locale, 'household.has_pin')}` : ''}`;
}

function restrictionFields(ctx: PageContext, prefix: string, p: ProfileView | null): SafeHtml {
  const kind = p?.kind ?? 'child';
  return html`<label class="fd-label" for="${prefix}-kind">${t(ctx.locale, 'household.kind')}</label>
<select class="fd-input" id="${prefix}-kind" name="kind">${(['child', 'adult'] as const).map((k) => html`<option value="${k}"${k === kind ? html` selected` : ''}>${t(ctx.locale, `household.kind_${k}`)}</option>`)}</select>
<label class="fd-label" for="${prefix}-rating">${t(ctx.locale, 'household.max_age_rating')}</label>
<input class="fd-input" id="${prefix}-rating" name="max_age_rating" type="number" min="0" max="21" inputmode="numeric" value="${p ? (p.maxAgeRating === null ? '' : String(p.maxAgeRating)) : '12'}" data-optional>
<label class="fd-label" for="${prefix}-purchases">${t(ctx.locale, 'household.purchases')}</label>
<select class="fd-input" id="${prefix}-purchases" name="purchases">${PURCHASES.map((v) => html`<option value="${v}"${v === (p?.purchases ?? 'blocked') ? html` selected` : ''}>${t(ctx.locale, `household.purchases_${v}`)}</option>`)}</select>`;
}

/** A PIN input: never offered to a password manager (the device may be shared); optional where it sets one. */
function pinField(ctx: PageContext, id: string, label: string, required = false): SafeHtml {
  return html`<label class="fd-label" for="${id}">${label}</label>
<input class="fd-input" id="${id}" name="pin" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{4,8}" maxlength="8"${required ? html` required` : html` data-optional`}>`;
}

export function renderHouseholdPage(ctx: PageContext, model: HouseholdPageModel): string {
  const tenant = requireTenant(ctx);
  const path = (p: string) => tenantPath(tenant.id, `/household${p}`);
  const title = t(ctx.locale, 'household.title');
  if (model.state !== 'member') {
    const body = html`<h1>${title}</h1>
${noticeBanner(ctx, model.notice)}
${errorSummary(ctx, model.errors, [])}
${model.state === 'can_start'
  ? html`<p class="fd-lead">${t(ctx.locale, 'household.start_lead')}</p>
<form method="post" action="${path('')}" class="fd-form">${csrfInput(ctx)}${submitButton(t(ctx.locale, 'household.start'))}</form>`
  : html`<p class="fd-lead">${t(ctx.locale, 'household.none')}</p>`}
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'account.title')}</a></p>`;
    return renderDocument(ctx, { title, body });
  }
  const profile = (p: ProfileView, index: number): SafeHtml => {
    const editable = model.isOwner || p.own;
    return html`<li class="fd-session" data-profile="${p.id}">
<div class="fd-session__head"><span class="fd-session__device">${p.name}</span>${model.acting?.id === p.id && html` <span class="fd-badge">${t(ctx.locale, 'household.acting')}</span>`}</div>
<div class="fd-session__body"><p class="fd-muted">${restrictionText(ctx, p)}</p>
${editable &&
  html`<details><summary>${t(ctx.locale, 'household.edit_profile', { name: p.name })}</summary>
<form method="post" action="${path(`/profiles/${encodeURIComponent(p.id)}`)}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'name', id: `profile-${index}-name`, label: t(ctx.locale, 'household.profile_name'), type: 'text', autocomplete: 'off', value: p.name })}
${model.isOwner && p.managed && restrictionFields(ctx, `profile-${index}`, p)}
${pinField(ctx, `profile-${index}-pin`, t(ctx.locale, 'household.new_pin'))}
${p.hasPin && html`<label class="fd-check" for="profile-${index}-remove-pin"><input type="checkbox" id="profile-${index}-remove-pin" name="remove_pin" value="1"> ${t(ctx.locale, 'household.remove_pin')}</label>`}
${submitButton(t(ctx.locale, 'household.save_profile'), 'secondary')}
</form>
${model.isOwner && p.managed &&
  html`<form method="post" action="${path(`/profiles/${encodeURIComponent(p.id)}/remove`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'household.remove_profile_label', { name: p.name })}">${t(ctx.locale, 'household.remove')}</button>
</form>`}
</details>`}</div>
</li>`;
  };
  const member = (m: HouseholdPageModel['members'][number]): SafeHtml =>
    html`<li class="fd-session"><div class="fd-session__head"><span class="fd-session__device">${m.email}</span> <span class="fd-muted">(${t(ctx.locale, `household.role_${m.role}`)})</span></div>
${model.isOwner && m.role !== 'owner' &&
  html`<form method="post" action="${path(`/members/${encodeURIComponent(m.userId)}/remove`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'household.remove_member_label', { email: m.email })}">${t(ctx.locale, 'household.remove')}</button>
</form>`}
</li>`;
  const device = (d: HouseholdPageModel['devices'][number]): SafeHtml =>
    html`<li class="fd-session"><div class="fd-session__head"><span class="fd-session__device">${d.name}</span> <span class="fd-muted">${d.who} · ${formatDateTime(ctx.locale, d.lastSeenAt)}</span></div>
${model.isOwner &&
  html`<form method="post" action="${path(`/devices/${encodeURIComponent(d.id)}/remove`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'household.remove_device_label', { name: d.name })}">${t(ctx.locale, 'household.remove')}</button>
</form>`}
</li>`;
  const limits = model.limits;
  const body = html`<h1>${title}</h1>
${noticeBanner(ctx, model.notice)}
${errorSummary(ctx, model.errors, [{ name: 'invitee', id: 'invitee' }, { name: 'new-name', id: 'new-name' }])}
<p class="fd-lead">${model.acting ? t(ctx.locale, 'household.acting_as', { name: model.acting.name }) : ''} <a href="${path('/switch')}">${t(ctx.locale, 'household.switch')}</a></p>
${limits &&
  html`<p class="fd-muted" id="household-limits">${t(ctx.locale, 'household.limits', {
    members: String(limits.maxMembers),
    profiles: String(limits.maxProfiles),
    devices: limits.maxDevices === null ? '∞' : String(limits.maxDevices),
    sessions: limits.maxConcurrentSessions === null ? '∞' : String(limits.maxConcurrentSessions),
  })}</p>`}
<section class="fd-section" aria-labelledby="profiles-title">
<h2 id="profiles-title">${t(ctx.locale, 'household.profiles')}</h2>
<ul class="fd-sessions" id="profiles">${model.profiles.map(profile)}</ul>
${model.isOwner &&
  html`<details><summary>${t(ctx.locale, 'household.add_profile')}</summary>
<form method="post" action="${path('/profiles')}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'name', id: 'new-name', label: t(ctx.locale, 'household.profile_name'), type: 'text', autocomplete: 'off', ...(model.errors?.fields?.name ? { error: model.errors.fields.name } : {}) })}
${restrictionFields(ctx, 'new', null)}
${pinField(ctx, 'new-pin', t(ctx.locale, 'household.pin_optional'))}
${submitButton(t(ctx.locale, 'household.add_profile'))}
</form></details>`}
</section>
<section class="fd-section" aria-labelledby="members-title">
<h2 id="members-title">${t(ctx.locale, 'household.members')}</h2>
<ul class="fd-sessions" id="members">${model.members.map(member)}</ul>
${model.isOwner &&
  html`<form method="post" action="${path('/invitations')}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'invitee', label: t(ctx.locale, 'household.invite_email'), type: 'email', autocomplete: 'off', ...(model.errors?.fields?.invitee ? { error: model.errors.fields.invitee } : {}) })}
${submitButton(t(ctx.locale, 'household.invite'))}
</form>`}
</section>
<section class="fd-section" aria-labelledby="devices-title">
<h2 id="devices-title">${t(ctx.locale, 'household.devices')}</h2>
${model.devices.length === 0 ? html`<p class="fd-muted">${t(ctx.locale, 'household.no_devices')}</p>` : html`<ul class="fd-sessions" id="devices">${model.devices.map(device)}</ul>`}
</section>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'account.title')}</a></p>`;
  return renderDocument(ctx, { title, body });
}

export interface ProfilePickerModel {
  /** The app being signed in to, if any. */
  appName?: string;
  action: string;
  profiles: ProfileView[];
  actingId: string | null;
  /** The profile whose PIN was wrong, with the error. */
  errors?: FormErrors;
  failedProfileId?: string;
}

/** "Who is using?": one button per profile; a profile with a PIN asks for it in its own form. */
export function renderProfilePickerPage(ctx: PageContext, model: ProfilePickerModel): string {
  const title = model.appName ? t(ctx.locale, 'household.picker_title_app', { app: model.appName }) : t(ctx.locale, 'household.picker_title');
  const choice = (p: ProfileView, index: number): SafeHtml =>
    html`<li class="fd-session">
<form method="post" action="${model.action}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="profile_id" value="${p.id}">
<p><strong>${p.name}</strong>${p.id === model.actingId && html` <span class="fd-badge">${t(ctx.locale, 'household.acting')}</span>`} <span class="fd-muted">${t(ctx.locale, `household.kind_${p.kind}`)}</span></p>
${p.hasPin && pinField(ctx, `pin-${index}`, t(ctx.locale, 'household.pin_for', { name: p.name }), true)}
${model.failedProfileId === p.id && model.errors?.fields?.pin && html`<p class="fd-error" role="alert">${t(ctx.locale, `error.${model.errors.fields.pin}`)}</p>`}
<button class="fd-button" type="submit" aria-label="${t(ctx.locale, 'household.use_label', { name: p.name })}">${t(ctx.locale, 'household.use')}</button>
</form>
</li>`;
  const body = html`<h1>${title}</h1>
${errorSummary(ctx, model.failedProfileId ? undefined : model.errors, [])}
<ul class="fd-sessions" id="profile-choices">${model.profiles.map(choice)}</ul>`;
  return renderDocument(ctx, { title, body });
}

export type HouseholdInvitationModel = { state: 'invalid' } | { state: 'accept' | 'sign_in' | 'other_account'; token: string; email: string };

export function renderHouseholdInvitationPage(ctx: PageContext, model: HouseholdInvitationModel): string {
  const tenant = requireTenant(ctx);
  if (model.state === 'invalid') {
    const body = html`<h1>${t(ctx.locale, 'invitation.invalid_title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'invitation.invalid')}</p>`;
    return renderDocument(ctx, { title: t(ctx.locale, 'invitation.invalid_title'), body });
  }
  const action =
    model.state === 'accept'
      ? html`<form method="post" action="${tenantPath(tenant.id, '/household/invitation')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'household.join'))}
</form>`
      : model.state === 'sign_in'
        ? html`<p>${t(ctx.locale, 'invitation.sign_in', { email: model.email })}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'invitation.sign_in_link')}</a></p>`
        : html`<div class="fd-banner" role="alert"><p>${t(ctx.locale, 'invitation.other_account', { email: model.email })}</p></div>`;
  const title = t(ctx.locale, 'household.invitation_title');
  const body = html`<h1>${title}</h1>
<p class="fd-lead">${t(ctx.locale, 'household.invitation_lead')}</p>
${action}`;
  return renderDocument(ctx, { title, body });
}

export interface HouseholdLimitModel {
  reason: 'household.session_limit' | 'household.device_limit';
  limit: number | null;
  next: string;
  sessions: { id: string; device: string; who: string; lastSeenAt: number }[];
  devices: { id: string; name: string; who: string; lastSeenAt: number }[];
}

/** The sign-in waits: the household is at its plan's bound. Sign out (or remove) another device to go on. */
export function renderHouseholdLimitPage(ctx: PageContext, model: HouseholdLimitModel): string {
  const tenant = requireTenant(ctx);
  const path = (p: string) => tenantPath(tenant.id, `/household/limit${p}`);
  const hidden = html`${csrfInput(ctx)}<input type="hidden" name="next" value="${model.next}">`;
  const bySessions = model.reason === 'household.session_limit';
  const title = t(ctx.locale, bySessions ? 'household.limit_sessions_title' : 'household.limit_devices_title');
  const rows = bySessions
    ? model.sessions.map(
        (s) => html`<li class="fd-session"><div class="fd-session__head"><span class="fd-session__device">${s.device}</span> <span class="fd-muted">${s.who} · ${formatDateTime(ctx.locale, s.lastSeenAt)}</span></div>
<form method="post" action="${path(`/sessions/${encodeURIComponent(s.id)}/end`)}" class="fd-session__action">${hidden}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'household.sign_out_label', { device: s.device, who: s.who })}">${t(ctx.locale, 'household.sign_out')}</button></form></li>`,
      )
    : model.devices.map(
        (d) => html`<li class="fd-session"><div class="fd-session__head"><span class="fd-session__device">${d.name}</span> <span class="fd-muted">${d.who} · ${formatDateTime(ctx.locale, d.lastSeenAt)}</span></div>
<form method="post" action="${path(`/devices/${encodeURIComponent(d.id)}/remove`)}" class="fd-session__action">${hidden}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'household.remove_device_label', { name: d.name })}">${t(ctx.locale, 'household.remove')}</button></form></li>`,
      );
  const body = html`<h1>${title}</h1>
<div class="fd-banner" role="alert"><p>${t(ctx.locale, bySessions ? 'household.limit_sessions' : 'household.limit_devices', { limit: String(model.limit ?? '') })}</p></div>
<ul class="fd-sessions" id="household-choices">${rows}</ul>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'household.limit_cancel')}</a></p>`;
  return renderDocument(ctx, { title, body });
}
