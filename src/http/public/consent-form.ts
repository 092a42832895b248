// The consent checkboxes as the pages offer them and as a form posts them back.
import type { Services } from '../../app.ts';
import { consentOverview } from '../../core/consent/consent.ts';
import type { ConsentPurpose, TenantId } from '../../core/ports.ts';
import { consentField, type ConsentChoiceView } from '../../pages/views/consent.ts';
import { formField } from './page-support.ts';

const view = (purpose: ConsentPurpose, checked: boolean, askAgain = false): ConsentChoiceView => ({
  id: purpose.id,
  name: purpose.name,
  description: purpose.description,
  policyText: purpose.policyText,
  version: purpose.version,
  checked,
  ...(askAgain ? { askAgain } : {}),
});

/** The purposes a new customer is offered: every one not archived, unticked (or as the form posted them). */
export async function offeredConsents(services: Services, tenantId: TenantId, posted?: Record<string, boolean>): Promise<{ purposes: ConsentPurpose[]; views: ConsentChoiceView[] }> {
  const purposes = (await services.store.consent.listPurposes(tenantId)).filter((p) => !p.archived);
  return { purposes, views: purposes.map((p) => view(p, posted?.[p.id] === true)) };
}

/** The customer's current choices, for the account page. */
export async function accountConsents(services: Services, tenantId: TenantId, userId: string) {
  const { states, history } = await consentOverview(services.store, tenantId, userId);
  const names = new Map(states.map((s) => [s.purpose.id, s.purpose.name]));
  return {
    choices: states.filter((s) => !s.purpose.archived).map((s) => view(s.purpose, s.granted, s.askAgain)),
    history: history
      .map((r) => ({ purpose: names.get(r.purposeId) ?? r.purposeId, granted: r.granted, version: r.policyVersion, at: r.at, channel: r.channel }))
      .reverse(),
  };
}

/** Purpose id → ticked, for each of `purposes`; a box not posted is unticked. */
export function postedConsents(body: unknown, purposes: readonly Pick<ConsentPurpose, 'id'>[]): Record<string, boolean> {
  return Object.fromEntries(purposes.map((p) => [p.id, formField(body, consentField(p.id)) === '1']));
}
