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
  const user = await deps.store.users.findByEmail(tenant.id, email);
  // A browser this account has signed in from is not slowed or held by failures on the account
  // (someone else's guessing must not lock the owner out). Looked up for unknown accounts too, so
  // the work does not tell them apart.
  const history = await deps.risk.history(tenant, user?.id ?? null);
  const familiar = await deps.risk.isFamiliarDevice(tenant, history, client, email);
  await deps.guard.check(attempt, { familiarDevice: familiar });
  try {
    await deps.risk.before(tenant, { kind: 'sign_in', account: email, familiarDevice: familiar }, client, ctx);
  } catch (error) {
    if (error instanceof FrontdoorError) await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: error.code, subject: null });
    throw error;
  }
  const password = typeof input.password === 'string' ? input.password : '';

  const fail = async (reason: string, subject: string | null): Promise<never> => {
    if (!familiar) await deps.guard.recordFailure(attempt);
    await deps.risk.recordFailure(tenant, email, ctx, client);
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason, subject });
    throw new FrontdoorError('auth.invalid_credentials');
  };

  if (password.length === 0 || !verifyInputWithinLimits(password)) return fail('invalid_input', null);
  const normalized = normalizePassword(password);
  const credential = user ? await deps.store.passwords.get(tenant.id, user.id) : null;
  // On hold after FAILURE_HOLD_THRESHOLD failures: from an unfamiliar device the password is not
  // even checked (no more guesses), and the answer is the usual one.
  const held = credential !== null && (credential.consecutiveFailures ?? 0) >= FAILURE_HOLD_THRESHOLD && !familiar;
  if (!user || !credential || held) {
    await deps.hasher.verifyDummy(normalized);
    return fail(held ? 'failure_hold' : user ? 'no_password' : 'unknown_account', user?.id ?? null);
  }
  const { ok, needsRehash } = await deps.hasher.verify(credential.hash, normalized);
  if (!ok) {
    const failures = await deps.store.passwords.recordFailure(tenant.id, user.id);
    if (failures === FAILURE_HOLD_THRESHOLD) await startFailureHold(deps, tenant, user, failures, ctx);
    return fail('wrong_password', user.id);
  }
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
    risk = await deps.risk.after(tenant, user, { kind: 'sign_in', passwordBreached, history }, client, ctx);
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
  // A success ends a run of failures — but not a hold: only the verified address or an admin does.
  const failures = credential.consecutiveFailures ?? 0;
  if (failures > 0 && failures < FAILURE_HOLD_THRESHOLD) await deps.store.passwords.clearFailures(tenant.id, user.id);
  const updated = (await deps.store.users.update(tenant.id, user.id, { lastLoginAt: now, locale: ctx.locale, ...(user.status === 'pending' ? { status: 'active' as const } : {}) }, now)) ?? user;
  await deps.audit.record(ctx, {
    tenantId: tenant.id,
    action: 'user.login',
    result: 'success',
    subject: user.id,
    details: { ...(needsRehash ? { rehashed: true } : {}), riskEventId: risk.eventId, riskAction: risk.action, ...(passwordBreached ? { breachedCredential: true } : {}) },
  });
  return { user: updated, risk, passwordBreached };
}

/**
 * NIST SP 800-63B: at most 100 consecutive failed attempts on one account. From then on its password
 * is accepted only from a device the account knows; a passkey, a code by email or a reset still work,
 * and proving the verified address (or an admin) ends the hold.
 */
export const FAILURE_HOLD_THRESHOLD = 100;

async function startFailureHold(deps: FlowDeps, tenant: Tenant, user: User, failures: number, ctx: RequestContext): Promise<void> {
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.failure_hold', result: 'success', subject: user.id, details: { failures } });
  deps.events.publish({ type: 'account.failure_hold', tenantId: tenant.id, at: deps.clock.now(), userId: user.id, details: { failures } });
  await deps.mailer.queue({ tenant, to: user.email, template: 'sign_in_hold', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id) } });
}

/** The owner proved the verified address (a reset, a code or link by email), or an admin acted: the hold ends. */
export async function endFailureHold(deps: Pick<FlowDeps, 'store' | 'audit'>, tenant: Tenant, userId: string, ctx: RequestContext): Promise<boolean> {
  const had = await deps.store.passwords.clearFailures(tenant.id, userId);
  if (had < FAILURE_HOLD_THRESHOLD) return false;
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.failure_hold_ended', result: 'success', subject: userId, details: { failures: had } });
  return true;
}
