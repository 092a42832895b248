// An organization's members, for its owners and admins on the account page: each member's roles
// (changed one role at a time), removal, and an invitation by email.
import { html, type SafeHtml } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, inputField, noticeBanner, requireTenant, submitButton } from './form.ts';
import type { FormErrors, Notice } from './types.ts';

export interface OrganizationAdminModel {
  org: { id: string; name: string };
  members: { userId: string; email: string; roles: string[]; self: boolean }[];
  /** Owners may give and take `owner`; admins `member` and `admin`. */
  managerIsOwner: boolean;
  notice?: Notice;
  errors?: FormErrors;
}

const ROLES = ['member', 'admin', 'owner'] as const;

export function renderOrganizationAdminPage(ctx: PageContext, model: OrganizationAdminModel): string {
  const tenant = requireTenant(ctx);
  const base = `/account/organizations/${encodeURIComponent(model.org.id)}`;
  const choices = ROLES.filter((role) => role !== 'owner' || model.managerIsOwner);
  const roleSelect = (id: string, current: readonly string[]): SafeHtml =>
    html`<label class="fd-label" for="${id}">${t(ctx.locale, 'orgadmin.role')}</label>
<select class="fd-input" id="${id}" name="role">${choices.map((role) => html`<option value="${role}"${current.includes(role) ? html` selected` : ''}>${t(ctx.locale, `orgadmin.role_${role}`)}</option>`)}</select>`;
  const member = (m: OrganizationAdminModel['members'][number], index: number): SafeHtml => {
    const editable = model.managerIsOwner || !m.roles.includes('owner');
    return html`<li class="fd-session">
<div class="fd-session__head"><span class="fd-session__device">${m.email}</span> <span class="fd-muted">(${m.roles.join(', ')})</span></div>
${editable &&
  html`<form method="post" action="${tenantPath(tenant.id, `${base}/members/${encodeURIComponent(m.userId)}/role`)}" class="fd-form">
${csrfInput(ctx)}
${roleSelect(`role-${index}`, m.roles)}
${submitButton(t(ctx.locale, 'orgadmin.change'), 'secondary')}
</form>
<form method="post" action="${tenantPath(tenant.id, `${base}/members/${encodeURIComponent(m.userId)}/remove`)}" class="fd-session__action">
${csrfInput(ctx)}
<button class="fd-button fd-button--secondary fd-button--small" type="submit" aria-label="${t(ctx.locale, 'orgadmin.remove_label', { email: m.email })}">${t(ctx.locale, 'orgadmin.remove')}</button>
</form>`}
</li>`;
  };
  const title = t(ctx.locale, 'orgadmin.title', { organization: model.org.name });
  const body = html`<h1>${title}</h1>
${noticeBanner(ctx, model.notice)}
${errorSummary(ctx, model.errors, [{ name: 'invitee', id: 'invitee' }])}
<section class="fd-section" aria-labelledby="members-title">
<h2 id="members-title">${t(ctx.locale, 'orgadmin.members')}</h2>
<ul class="fd-sessions" id="members">${model.members.map(member)}</ul>
</section>
<section class="fd-section" aria-labelledby="invite-title">
<h2 id="invite-title">${t(ctx.locale, 'orgadmin.invite_heading')}</h2>
<form method="post" action="${tenantPath(tenant.id, `${base}/invitations`)}" class="fd-form">
${csrfInput(ctx)}
${inputField(ctx, { name: 'invitee', label: t(ctx.locale, 'orgadmin.invite_email'), type: 'email', autocomplete: 'off', ...(model.errors?.fields?.invitee ? { error: model.errors.fields.invitee } : {}) })}
${roleSelect('invite-role', ['member'])}
${submitButton(t(ctx.locale, 'orgadmin.invite_submit'))}
</form>
</section>
<p class="fd-alt"><a href="${tenantPath(tenant.id, '/account')}">${t(ctx.locale, 'account.title')}</a></p>`;
  return renderDocument(ctx, { title, body });
}
