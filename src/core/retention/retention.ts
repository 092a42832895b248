// Retention (GDPR art. 5(1)(e), storage limitation): what is kept about customers is kept only as
// long as each tenant says. Per tenant, with these defaults:
//   accounts never confirmed        deleted after 30 days (sign-ups, and accounts an admin created
//   nor signed in to                without a verified address)
//   accounts unused                 never deleted by default; with `inactiveAccountDays` the owner
//                                   is mailed `inactiveWarningDays` (14) before, and a sign-in keeps it
//   risk assessments                90 days      sign-in history (devices, places)   180 days
//   audit rows                      kept unless `auditEventDays` is set: the oldest part of the
//                                   chain goes, from a signed starting point (audit-retention.ts)
// A background job runs it on every node; each deletion and each warning happens once (conditional
// deletes, a claimed warning, the audit chain's head lock), so nodes may overlap.
import { systemContext, type RequestContext } from '../context.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditCheckpointDeps } from '../audit/audit-checkpoint.ts';
import { removeAuditEventsBefore } from '../audit/audit-retention.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import { runPeriodically } from '../periodic.ts';
import type { Clock, Mailer, RetentionSettings, Store, Tenant } from '../ports.ts';
import { eraseAccount } from '../users/account-deletion.ts';

export const DEFAULT_RETENTION: Required<RetentionSettings> = {
  unverifiedAccountDays: 30,
  inactiveAccountDays: 0,
  inactiveWarningDays: 14,
  riskEventDays: 90,
  signInHistoryDays: 180,
  auditEventDays: 0,
};

const DAY = 86_400_000;
const BATCH = 200;

type Deps = { store: Store; clock: Clock; audit: AuditLog; mailer: Mailer; links: Pick<LinkBuilder, 'login'>; auditChain: AuditCheckpointDeps };

export interface RetentionResult {
  unverifiedDeleted: number;
  inactiveWarned: number;
  inactiveDeleted: number;
  riskEventsDeleted: number;
  signInEventsDeleted: number;
  auditEventsDeleted: number;
}

export function retentionOf(tenant: Tenant): Required<RetentionSettings> {
  return { ...DEFAULT_RETENTION, ...Object.fromEntries(Object.entries(tenant.settings.retention ?? {}).filter(([, v]) => v !== undefined)) };
}

/** Applies one tenant's rules once. */
export async function applyRetention(deps: Deps, tenant: Tenant, ctx: RequestContext): Promise<RetentionResult> {
  const rules = retentionOf(tenant);
  const now = deps.clock.now();
  const result: RetentionResult = { unverifiedDeleted: 0, inactiveWarned: 0, inactiveDeleted: 0, riskEventsDeleted: 0, signInEventsDeleted: 0, auditEventsDeleted: 0 };

  if (rules.unverifiedAccountDays > 0) {
    for (const user of await deps.store.users.staleUnverified(tenant.id, now - rules.unverifiedAccountDays * DAY, BATCH)) {
      if (await eraseAccount(deps, tenant.id, user.id, ctx, 'retention_unverified')) result.unverifiedDeleted += 1;
    }
  }

  if (rules.inactiveAccountDays > 0) {
    const warningDays = Math.min(rules.inactiveWarningDays, rules.inactiveAccountDays);
    // Unused for (limit − warning) days: tell the owner when it goes.
    for (const user of await deps.store.users.inactiveUnwarned(tenant.id, now - (rules.inactiveAccountDays - warningDays) * DAY, BATCH)) {
      if (!(await deps.store.users.claimInactivityWarning(tenant.id, user.id, now))) continue;
      const lastUsed = user.lastLoginAt ?? user.createdAt;
      const deleteOn = Math.max(lastUsed + rules.inactiveAccountDays * DAY, now + warningDays * DAY);
      await deps.mailer.queue({ tenant, to: user.email, template: 'inactive_account_warning', locale: user.locale ?? 'en', params: { loginLink: deps.links.login(tenant.id), date: new Date(deleteOn).toISOString().slice(0, 10) } });
      await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.inactivity_warned', result: 'success', subject: user.id, details: { deleteOn: new Date(deleteOn).toISOString() } });
      result.inactiveWarned += 1;
    }
    // Warned at least `warningDays` ago and still unused for the whole limit: gone.
    for (const user of await deps.store.users.inactiveWarned(tenant.id, now - rules.inactiveAccountDays * DAY, now - warningDays * DAY, BATCH)) {
      if (await eraseAccount(deps, tenant.id, user.id, ctx, 'retention_inactive')) result.inactiveDeleted += 1;
    }
  }

  if (rules.riskEventDays > 0) result.riskEventsDeleted = await deps.store.riskEvents.deleteOlderThan(now - rules.riskEventDays * DAY, tenant.id);
  if (rules.signInHistoryDays > 0) result.signInEventsDeleted = await deps.store.signInEvents.deleteOlderThan(now - rules.signInHistoryDays * DAY, tenant.id);
  if (rules.auditEventDays > 0) {
    const before = now - rules.auditEventDays * DAY;
    const { removed, start } = await removeAuditEventsBefore(deps.auditChain, tenant.id, before);
    // The removal is itself on the record, in the chain it shortened.
    if (removed > 0 && start) await deps.audit.record(ctx, { tenantId: tenant.id, action: 'audit.events_removed', result: 'success', subject: null, details: { rows: removed, through: start.seq, before: new Date(before).toISOString() } });
    result.auditEventsDeleted = removed;
  }
  return result;
}

/** Applies every tenant's rules every `intervalMs`. */
export function startRetention(deps: Deps, intervalMs: number, onError: (error: unknown) => void): () => void {
  return runPeriodically(
    async () => {
      for (const tenant of await deps.store.tenants.list()) await applyRetention(deps, tenant, systemContext);
    },
    intervalMs,
    onError,
  );
}
