// Erasure (GDPR art. 17, CCPA "right to delete"). Deleting an account takes it out of use at once:
// every session ends and every app's grant, refresh and access token is revoked. Then its personal
// data is erased: the user row and everything hanging off it (credentials, passkeys, sessions,
// devices, sign-in history) and the mail queued to its address. With the tenant's grace period the
// account is closed (disabled) first and erased when the period ends, unless the owner keeps it by
// the link mailed to them. What stays: audit rows and consent records, which name the account only
// by its random id; the risk assessments, likewise.
import type { AuditLog } from '../audit/audit-log.ts';
import { systemContext, type RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import { issueActionToken } from '../flows/tokens.ts';
import { runPeriodically } from '../periodic.ts';
import type { Clock, Mailer, Store, Tenant, TenantId, User } from '../ports.ts';
import { hashToken } from '../secrets.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };
type MailingDeps = Deps & { mailer: Mailer; links: Pick<LinkBuilder, 'cancelDeletion'> };

const DAY_MS = 86_400_000;
const ERASE_BATCH = 100;

/** Erases the account now; false when there is no such account (already erased). */
export async function eraseAccount(deps: Deps, tenantId: TenantId, userId: string, ctx: RequestContext, reason: 'user' | 'admin' | 'grace_period_ended' | 'retention_unverified' | 'retention_inactive'): Promise<boolean> {
  const erased = await deps.store.transaction(async (store) => {
    const user = await store.users.get(tenantId, userId);
    // The erasure job and a node's own request may meet: only a due account is erased by the job.
    if (!user || (reason === 'grace_period_ended' && (user.eraseAfter === null || user.eraseAfter === undefined || user.eraseAfter > deps.clock.now()))) return false;
    // Tokens apps hold for the user must not outlive the account.
    await store.oidcGrants.revokeForUser(tenantId, userId, null);
    await store.mailOutbox.deleteForRecipient(tenantId, user.email);
    return store.users.delete(tenantId, userId);
  });
  // One audit event per erasure: an admin's is the admin's action.
  if (erased) await deps.audit.record(ctx, reason === 'admin' ? { tenantId, action: 'admin.user_deleted', result: 'success', subject: userId } : { tenantId, action: 'user.erased', result: 'success', subject: userId, details: { reason } });
  return erased;
}

/**
 * The owner deletes their account (after confirming it is them). Without a grace period it is erased
 * now; with one it is closed now, erased when the period ends, and the owner is mailed a link that
 * keeps it. Returns when it will be erased (null: it already is).
 */
export async function deleteOwnAccount(deps: MailingDeps, tenant: Tenant, user: User, ctx: RequestContext): Promise<{ eraseAfter: number | null }> {
  const graceDays = tenant.settings.accountDeletionGraceDays ?? 0;
  if (graceDays <= 0) {
    if (!(await eraseAccount(deps, tenant.id, user.id, ctx, 'user'))) throw new FrontdoorError('user.not_found');
    return { eraseAfter: null };
  }
  const now = deps.clock.now();
  const eraseAfter = now + graceDays * DAY_MS;
  const token = await deps.store.transaction(async (store) => {
    if (!(await store.users.update(tenant.id, user.id, { status: 'disabled', eraseAfter }, now))) throw new FrontdoorError('user.not_found');
    await store.sessions.revokeAllForUser(tenant.id, user.id, now);
    await store.oidcGrants.revokeForUser(tenant.id, user.id, null);
    return issueActionToken(store, { tenantId: tenant.id, userId: user.id, purpose: 'cancel_deletion', now, ttlSeconds: graceDays * 86_400 });
  });
  await deps.mailer.queue({
    tenant,
    to: user.email,
    template: 'account_deletion_scheduled',
    locale: ctx.locale,
    params: { link: deps.links.cancelDeletion(tenant.id, token), date: new Date(eraseAfter).toISOString().slice(0, 10) },
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.deletion_requested', result: 'success', subject: user.id, details: { eraseAfter: new Date(eraseAfter).toISOString() } });
  return { eraseAfter };
}

/** The account a keep-my-account link is for, while the link works and the account is still waiting. */
export async function pendingDeletion(store: Store, tenantId: TenantId, token: string, now: number): Promise<User | null> {
  const live = await store.actionTokens.findLive(tenantId, hashToken(token), 'cancel_deletion', now);
  if (!live) return null;
  const user = await store.users.get(tenantId, live.userId);
  return user?.eraseAfter ? user : null;
}

/** Keeps an account whose deletion is waiting for its grace period: active again, as before. */
export async function keepAccount(deps: Deps, tenantId: TenantId, token: string, ctx: RequestContext): Promise<User> {
  const now = deps.clock.now();
  const kept = await deps.store.transaction(async (store) => {
    const used = await store.actionTokens.consume(tenantId, hashToken(token), 'cancel_deletion', now);
    if (!used) return null;
    const user = await store.users.get(tenantId, used.userId);
    if (!user?.eraseAfter) return null;
    return store.users.update(tenantId, user.id, { status: 'active', eraseAfter: null }, now);
  });
  if (!kept) throw new FrontdoorError('token.invalid');
  await deps.audit.record(ctx, { tenantId, action: 'user.deletion_cancelled', result: 'success', subject: kept.id });
  return kept;
}

/** Erases every account whose grace period has ended; several nodes may run it at once. Returns how many this run erased. */
export async function eraseDueAccounts(deps: Deps, ctx: RequestContext): Promise<number> {
  let erased = 0;
  for (;;) {
    const due = await deps.store.users.dueForErasure(deps.clock.now(), ERASE_BATCH);
    let thisBatch = 0;
    for (const { tenantId, id } of due) if (await eraseAccount(deps, tenantId, id, ctx, 'grace_period_ended')) thisBatch += 1;
    erased += thisBatch;
    // Another node took these (or nothing is due): stop rather than spin.
    if (due.length < ERASE_BATCH || thisBatch === 0) return erased;
  }
}

/** Runs the erasure of due accounts every `intervalMs` (on every node: each account is erased once). */
export function startAccountErasure(deps: Deps, intervalMs: number, onError: (error: unknown) => void): () => void {
  return runPeriodically(() => eraseDueAccounts(deps, systemContext), intervalMs, onError);
}
