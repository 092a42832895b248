// Enrollment nudge: a user who has signed in `mfaNudgeAfterSignIns` times without any second
// factor is offered to set one up — once, skippable. Off unless the tenant sets a number: it adds a
// page to a sign-in, which a tenant should choose knowingly. The offer and the sign-ins are read
// from the audit trail (`user.login` successes, one `user.mfa_nudged`), so nothing new is stored.
import type { RequestContext } from '../context.ts';
import type { Tenant, User } from '../ports.ts';
import type { FlowDeps } from './deps.ts';
import { hasSecondFactor, mfaPolicy } from './second-factor.ts';

export const DEFAULT_MFA_NUDGE_AFTER_SIGN_INS = 0;

/** Whether to offer this user a second factor now; records the offer, so it happens once. */
export async function takeMfaNudge(deps: FlowDeps, tenant: Tenant, user: User, ctx: RequestContext): Promise<boolean> {
  const after = tenant.settings.mfaNudgeAfterSignIns ?? DEFAULT_MFA_NUDGE_AFTER_SIGN_INS;
  if (after <= 0 || mfaPolicy(tenant) === 'off') return false;
  if (await hasSecondFactor(deps, tenant, user)) return false;
  const nudged = await deps.store.audit.query({ tenantId: tenant.id, subject: user.id, action: 'user.mfa_nudged', limit: 1 });
  if (nudged.items.length > 0) return false;
  const logins = await deps.store.audit.query({ tenantId: tenant.id, subject: user.id, action: 'user.login', limit: Math.min(after * 3, 100) });
  if (logins.items.filter((e) => e.result === 'success').length < after) return false;
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_nudged', result: 'success', subject: user.id });
  return true;
}
