// The page behind an organization invitation's link: join (signed in with the invited address),
// sign in first (not signed in), the wrong account (signed in with another address), or no longer valid.
import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument, tenantPath } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export type InvitationPageModel =
  | { state: 'invalid' }
  | { state: 'accept' | 'sign_in' | 'other_account'; organization: string; token: string; /** Masked, e.g. a***@example.com. */ email: string };

export function renderInvitationPage(ctx: PageContext, model: InvitationPageModel): string {
  const tenant = requireTenant(ctx);
  if (model.state === 'invalid') {
    const body = html`<h1>${t(ctx.locale, 'invitation.invalid_title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'invitation.invalid')}</p>`;
    return renderDocument(ctx, { title: t(ctx.locale, 'invitation.invalid_title'), body });
  }
  const { organization } = model;
  const action =
    model.state === 'accept'
      ? html`<form method="post" action="${tenantPath(tenant.id, '/invitation')}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="token" value="${model.token}">
${submitButton(t(ctx.locale, 'invitation.accept', { organization }))}
</form>`
      : model.state === 'sign_in'
        ? html`<p>${t(ctx.locale, 'invitation.sign_in', { email: model.email })}</p>
<p><a class="fd-button" href="${tenantPath(tenant.id, '/login')}">${t(ctx.locale, 'invitation.sign_in_link')}</a></p>`
        : html`<div class="fd-banner" role="alert"><p>${t(ctx.locale, 'invitation.other_account', { email: model.email })}</p></div>`;
  const body = html`<h1>${t(ctx.locale, 'invitation.title', { organization })}</h1>
<p class="fd-lead">${t(ctx.locale, 'invitation.lead', { organization })}</p>
${action}`;
  return renderDocument(ctx, { title: t(ctx.locale, 'invitation.title', { organization }), body });
}
