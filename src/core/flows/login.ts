// Password sign-in. Unknown accounts burn the same hashing work as known ones and every failure
// before the password is proven gives the same error, so neither answer nor timing tells whether an
// account exists. Account state (disabled, unverified) is only revealed to whoever knows the password.
import type { RequestContext } from '../context.ts';
import { normalizePassword, passwordsEnabled, verifyInputWithinLimits } from '../credentials/password-policy.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import type { Attempt } from '../risk/attempt-guard.ts';
import { NO_CLIENT_SIGNALS, type ClientSignals, type StoredAssessment } from '../risk/risk-service.ts';
import { requireEmail } from '../users/email.ts';
import type { FlowDeps } from './deps.ts';

export interface PasswordSignIn {
  user: User;
  /** The assessment after the password proved who it is: `challenge` asks the caller for a second proof. */
  risk: StoredAssessment;
  /** The password is right but on the breached/common list: the caller makes the user change it. */
  passwordBreached: boolean;
}

/**
 * Assessed twice by the risk engine: before the password is checked (the source: pace, failures,
 * bot signs; may ask for a bot challenge or refuse) and after (who: device, place, breached
 * password; may ask for a second factor or refuse).
 */
export async function login(deps: FlowDeps, input: { tenant: Tenant; email: unknown; password: unknown; client?: ClientSignals }, ctx: RequestContext): Promise<PasswordSignIn> {
  const { tenant } = input;
  if (!passwordsEnabled(tenant)) throw new FrontdoorError('password.disabled');
  const email = requireEmail(input.email);
  const client = input.client ?? NO_CLIENT_SIGNALS;
  const attempt: Attempt = { kind: 'login', tenantId: tenant.id, ip: ctx.ip, account: email };
  await deps.guard.check(attempt);
  try {
    await deps.risk.before(tenant, { kind: 'sign_in', account: email }, client, ctx);
  } catch (error) {
    if (error instanceof FrontdoorError) await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: error.code, subject: null });
    throw error;
  }
  const password = typeof input.password === 'string' ? input.password : '';

  const fail = async (reason: string, subject: string | null): Promise<never> => {
    await deps.guard.recordFailure(attempt);
    await deps.risk.recordFailure(tenant, email, ctx);
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason, subject });
    throw new FrontdoorError('auth.invalid_credentials');
  };

  if (password.length === 0 || !verifyInputWithinLimits(password)) return fail('invalid_input', null);
  const normalized = normalizePassword(password);
  const user = await deps.store.users.findByEmail(tenant.id, email);
  const credential = user ? await deps.store.passwords.get(tenant.id, user.id) : null;
  if (!user || !credential) {
    await deps.hasher.verifyDummy(normalized);
    return fail(user ? 'no_password' : 'unknown_account', user?.id ?? null);
  }
  const { ok, needsRehash } = await deps.hasher.verify(credential.hash, normalized);
  if (!ok) return fail('wrong_password', user.id);
  // Reported as stolen ("this wasn't me"): only a reset through the verified email brings it back.
  if (credential.resetRequired) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'password_reset_required', subject: user.id });
    throw new FrontdoorError('auth.password_reset_required');
  }

  if (user.status === 'disabled') {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'disabled', subject: user.id });
    throw new FrontdoorError('auth.account_disabled');
  }
  const requireVerified = tenant.settings.requireVerifiedEmail ?? true;
  if (requireVerified && !user.emailVerified) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'email_not_verified', subject: user.id });
    throw new FrontdoorError('auth.email_not_verified');
  }

  const passwordBreached = deps.blocklist.has(normalized);
  let risk: StoredAssessment;
  try {
    risk = await deps.risk.after(tenant, user, { kind: 'sign_in', passwordBreached }, client, ctx);
  } catch (error) {
    if (error instanceof FrontdoorError) await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: error.code, subject: user.id });
    throw error;
  }

  const now = deps.clock.now();
  if (needsRehash) {
    // Parameters were raised since this hash was made: upgrade it while we hold the password.
    await deps.store.passwords.set({ userId: user.id, tenantId: tenant.id, hash: await deps.hasher.hash(normalized), updatedAt: now });
  }
  await deps.guard.recordSuccess(attempt);
  const updated = (await deps.store.users.update(tenant.id, user.id, { lastLoginAt: now, ...(user.status === 'pending' ? { status: 'active' as const } : {}) }, now)) ?? user;
  await deps.audit.record(ctx, {
    tenantId: tenant.id,
    action: 'user.login',
    result: 'success',
    subject: user.id,
    details: { ...(needsRehash ? { rehashed: true } : {}), riskEventId: risk.eventId, riskAction: risk.action, ...(passwordBreached ? { breachedCredential: true } : {}) },
  });
  return { user: updated, risk, passwordBreached };
}
