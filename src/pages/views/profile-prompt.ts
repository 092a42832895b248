// The short form of progressive profiling: the few attributes a rule asks for, after a sign-in and
// before the customer goes on (to the account page, or into the app that needs them).
import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { csrfInput, errorSummary, requireTenant, submitButton } from './form.ts';
import { profileField, type ProfileFieldView } from './profile-form.ts';
import type { FormErrors } from './types.ts';

export interface ProfilePromptModel {
  action: string;
  fields: ProfileFieldView[];
  /** "Not now" is offered. */
  skippable: boolean;
  /** The app the answers are for, when an app asked. */
  appName?: string | null;
  /** Carried through the form (the hosted flow's destination). */
  next?: string;
  errors?: FormErrors;
}

export function renderProfilePromptPage(ctx: PageContext, model: ProfilePromptModel): string {
  requireTenant(ctx);
  const lead = model.appName ? t(ctx.locale, 'profile_prompt.lead_app', { app: model.appName }) : t(ctx.locale, 'profile_prompt.lead');
  const body = html`<h1>${t(ctx.locale, 'profile_prompt.title')}</h1>
<p class="fd-lead">${lead}</p>
<form method="post" action="${model.action}" class="fd-form">
${errorSummary(ctx, model.errors, model.fields.map((field) => ({ name: `profile.${field.name}`, id: `profile-${field.name}` })))}
${csrfInput(ctx)}
${model.next && html`<input type="hidden" name="next" value="${model.next}">`}
${model.fields.map((field) => profileField(ctx, field))}
${submitButton(t(ctx.locale, 'profile_prompt.submit'))}
${model.skippable && html`<button class="fd-button fd-button--secondary" type="submit" name="skip" value="1" formnovalidate>${t(ctx.locale, 'profile_prompt.skip')}</button>`}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'profile_prompt.title'), body });
}
