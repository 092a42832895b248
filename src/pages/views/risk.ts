// What a form carries for the risk engine: a signed stamp of when it was served (a person needs a
// moment to fill it in), and — only when the engine asked for one — a bot challenge that
// /assets/bot-challenge.js solves in the background into `bot_solution`.
import { html, type SafeHtml } from '../html.ts';

export interface FormRisk {
  /** Signed time the form was served (hidden field `form_ts`). */
  formStamp: string;
  /** The challenge to solve (JSON-serializable, signed by the server), when the engine asks for one. */
  botChallenge?: unknown;
}

export function botChallengeAttribute(risk: FormRisk | undefined): SafeHtml | null {
  return risk?.botChallenge ? html` data-bot-challenge="${JSON.stringify(risk.botChallenge)}"` : null;
}

export function riskInputs(risk: FormRisk | undefined): SafeHtml | null {
  if (!risk) return null;
  return html`<input type="hidden" name="form_ts" value="${risk.formStamp}">${risk.botChallenge
    ? html`
<input type="hidden" name="bot_solution" value="">`
    : null}`;
}
