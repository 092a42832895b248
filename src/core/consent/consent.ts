// Consent purposes and each customer's choices. A purpose's policy text is versioned; the tenant
// decides whether a new version asks everyone again (`askAgain`) or carries earlier grants over.
// Choices are appended, never changed: the current state of a purpose for a customer is their
// newest record, and it counts as granted only if that record grants a version the tenant still
// accepts. Every change is audited and published on the event bus (`consent.granted`,
// `consent.withdrawn`) for apps and webhooks.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { SecurityEventBus } from '../events/security-events.ts';
import type { Clock, ConsentChannel, ConsentPurpose, ConsentRecord, Store, Tenant, TenantId } from '../ports.ts';
import { newId } from '../secrets.ts';

export const CONSENT_PURPOSE_ID = /^[a-z][a-z0-9_]{0,39}$/;
export const CONSENT_TEXT_MAX = 20_000;

type Deps = { store: Store; clock: Clock; audit: AuditLog; events: SecurityEventBus };

export interface PurposeInput {
  id: string;
  name: string;
  description: string;
  policyText: string;
}

export async function createConsentPurpose(deps: Pick<Deps, 'store' | 'clock' | 'audit'>, tenantId: TenantId, input: PurposeInput, ctx: RequestContext): Promise<ConsentPurpose> {
  if (!CONSENT_PURPOSE_ID.test(input.id)) throw new FrontdoorError('request.invalid', { field: 'id' });
  const now = deps.clock.now();
  const purpose: ConsentPurpose = { tenantId, id: input.id, name: input.name, version: 1, askAgainFrom: 1, archived: false, description: input.description, policyText: input.policyText, createdAt: now, updatedAt: now };
  await deps.store.transaction((store) => store.consent.createPurpose(purpose));
  await deps.audit.record(ctx, { tenantId, action: 'admin.consent_purpose_created', result: 'success', details: { purpose: input.id } });
  return purpose;
}

export interface PurposeChange {
  name?: string;
  archived?: boolean;
  /** A new policy version: both texts, and whether grants of earlier versions stop counting. */
  policy?: { description: string; policyText: string; askAgain: boolean };
}

export async function changeConsentPurpose(deps: Pick<Deps, 'store' | 'clock' | 'audit'>, tenantId: TenantId, id: string, change: PurposeChange, ctx: RequestContext): Promise<ConsentPurpose> {
  const now = deps.clock.now();
  const changed = await deps.store.transaction(async (store) => {
    const current = await store.consent.getPurpose(tenantId, id);
    if (!current) throw new FrontdoorError('consent.purpose_not_found');
    if (change.name !== undefined || change.archived !== undefined) await store.consent.update(tenantId, id, { ...(change.name !== undefined ? { name: change.name } : {}), ...(change.archived !== undefined ? { archived: change.archived } : {}) }, now);
    if (change.policy && !(await store.consent.publishVersion(tenantId, id, current.version, change.policy, now))) throw new FrontdoorError('request.invalid', { field: 'policy', detail: 'the purpose changed meanwhile' });
    return (await store.consent.getPurpose(tenantId, id))!;
  });
  await deps.audit.record(ctx, {
    tenantId,
    action: 'admin.consent_purpose_changed',
    result: 'success',
    details: { purpose: id, version: changed.version, ...(change.policy ? { askAgain: change.policy.askAgain } : {}), ...(change.archived !== undefined ? { archived: change.archived } : {}) },
  });
  return changed;
}

export interface ConsentState {
  purpose: ConsentPurpose;
  granted: boolean;
  /** The customer had granted an earlier version, which the tenant no longer accepts. */
  askAgain: boolean;
  /** The newest record for this purpose, if any. */
  latest: ConsentRecord | null;
}

/** The customer's current choice for every purpose still offered (and for archived ones they had granted). */
export async function consentStates(store: Store, tenantId: TenantId, userId: string): Promise<ConsentState[]> {
  return (await consentOverview(store, tenantId, userId)).states;
}

/** Purposes the customer agreed to under a policy version that no longer counts: to ask again after sign-in. */
export async function consentsToReview(store: Store, tenantId: TenantId, userId: string): Promise<ConsentState[]> {
  // Every sign-in asks: a tenant without purposes (most) costs one read, not two.
  const purposes = await store.consent.listPurposes(tenantId);
  if (purposes.length === 0) return [];
  return statesOf(purposes, await store.consent.history(tenantId, userId)).filter((state) => state.askAgain && !state.purpose.archived);
}

/** The current choices and every record behind them (oldest first), from one read of each. */
export async function consentOverview(store: Store, tenantId: TenantId, userId: string): Promise<{ states: ConsentState[]; history: ConsentRecord[] }> {
  const [purposes, history] = await Promise.all([store.consent.listPurposes(tenantId), store.consent.history(tenantId, userId)]);
  return { states: statesOf(purposes, history), history };
}

function statesOf(purposes: readonly ConsentPurpose[], history: readonly ConsentRecord[]): ConsentState[] {
  const latest = new Map<string, ConsentRecord>();
  for (const record of history) latest.set(record.purposeId, record);
  return purposes
    .map((purpose) => {
      const record = latest.get(purpose.id) ?? null;
      const current = record?.granted === true && record.policyVersion >= purpose.askAgainFrom;
      return { purpose, granted: current, askAgain: record?.granted === true && !current, latest: record };
    })
    .filter((state) => !state.purpose.archived || state.granted);
}

/**
 * Records the customer's choices (purpose id → granted) through `channel`. Only a change of the
 * current state is recorded — or, for a grant, a grant of an older policy version than the current
 * one; unknown or archived purposes are refused. Returns the records written.
 */
export async function recordConsentChoices(
  deps: Deps,
  tenant: Tenant,
  userId: string,
  choices: Record<string, boolean>,
  channel: ConsentChannel,
  ctx: RequestContext,
): Promise<ConsentRecord[]> {
  const states = new Map((await consentStates(deps.store, tenant.id, userId)).map((s) => [s.purpose.id, s]));
  const now = deps.clock.now();
  // Every choice is checked before any is written: an unknown purpose records nothing.
  const written: ConsentRecord[] = [];
  for (const [purposeId, granted] of Object.entries(choices)) {
    const state = states.get(purposeId);
    if (!state || state.purpose.archived) throw new FrontdoorError('consent.purpose_not_found', { field: purposeId });
    const unchanged = granted ? state.granted && state.latest?.policyVersion === state.purpose.version : !state.granted && !state.askAgain;
    if (unchanged) continue;
    written.push({
      id: newId('cns'),
      tenantId: tenant.id,
      userId,
      purposeId,
      policyVersion: state.purpose.version,
      granted,
      at: now,
      channel,
      requestId: ctx.requestId,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  }
  for (const record of written) await deps.store.consent.append(record);
  for (const record of written) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: record.granted ? 'user.consent_granted' : 'user.consent_withdrawn', result: 'success', subject: userId, details: { purpose: record.purposeId, version: record.policyVersion, channel } });
    deps.events.publish({ type: record.granted ? 'consent.granted' : 'consent.withdrawn', tenantId: tenant.id, at: now, userId, details: { purpose: record.purposeId, version: record.policyVersion, channel } });
  }
  return written;
}
