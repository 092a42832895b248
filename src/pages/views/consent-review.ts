// After a sign-in, when a policy the customer agreed to has a new version the tenant asks again
// for: those purposes, unticked, with their new text.
import { html } from '../html.ts';
import { t } from '../i18n/index.ts';
import { renderDocument } from '../layout.ts';
import type { PageContext } from '../layout.ts';
import { consentChoices, type ConsentChoiceView } from './consent.ts';
import { csrfInput, requireTenant, submitButton } from './form.ts';

export function renderConsentReviewPage(ctx: PageContext, model: { action: string; next: string; choices: ConsentChoiceView[] }): string {
  requireTenant(ctx);
  const body = html`<h1>${t(ctx.locale, 'consent_review.title')}</h1>
<p class="fd-lead">${t(ctx.locale, 'consent_review.lead')}</p>
<form method="post" action="${model.action}" class="fd-form">
${csrfInput(ctx)}
<input type="hidden" name="next" value="${model.next}">
${consentChoices(ctx, model.choices, t(ctx.locale, 'consent.legend'))}
${submitButton(t(ctx.locale, 'consent_review.submit'))}
</form>`;
  return renderDocument(ctx, { title: t(ctx.locale, 'consent_review.title'), body });
}
