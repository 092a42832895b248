// The consent checkboxes of the registration page and the account page: one per purpose, never
// ticked in advance (GDPR art. 7: consent is an act, not a default), each with its full policy
// text one click away.
import { html, type SafeHtml } from '../html.ts';
import { t } from '../i18n/index.ts';
import type { PageContext } from '../layout.ts';

export interface ConsentChoiceView {
  id: string;
  name: string;
  description: string;
  policyText: string;
  version: number;
  checked: boolean;
  /** The customer agreed to an earlier version that no longer counts. */
  askAgain?: boolean;
}

/** The form field of a purpose: `consent_<id>`, "1" when ticked. */
export const consentField = (purposeId: string) => `consent_${purposeId}`;

export function consentChoices(ctx: PageContext, choices: readonly ConsentChoiceView[], legend: string): SafeHtml | null {
  if (choices.length === 0) return null;
  return html`<fieldset class="fd-fieldset fd-consents">
<legend>${legend}</legend>
${choices.map(
  (choice) => html`<div class="fd-check">
<input type="checkbox" id="${consentField(choice.id)}" name="${consentField(choice.id)}" value="1"${choice.checked ? html` checked` : ''}>
<label for="${consentField(choice.id)}"><strong>${choice.name}</strong>: ${choice.description}</label>
</div>
${choice.askAgain ? html`<p class="fd-hint">${t(ctx.locale, 'consent.ask_again')}</p>` : null}
<details class="fd-policy"><summary>${t(ctx.locale, 'consent.policy_summary', { version: choice.version })}</summary>
${choice.policyText.split(/\n{2,}/).map((paragraph) => html`<p>${paragraph}</p>`)}
</details>`,
)}
</fieldset>`;
}
