// Signing in with a passkey: alone (a discoverable credential with the person verified, which is
// two factors in one), or as the second factor of a password sign-in. Either way the browser's
// answer is checked by the passkey service; this module applies the account rules a password
// sign-in applies (disabled, unverified email), the attempt limits and the audit.
import { withSecondFactor } from '../auth/acr.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import type { Attempt } from '../risk/attempt-guard.ts';
import type { FlowDeps } from './deps.ts';
import { flowUser, hasOtherSecondFactor, mfaPolicy, recordSecondFactorFailure } from './second-factor.ts';

/** A passkey sign-in: the user it proves and the methods (amr) the session gets. */
export async function signInWithPasskey(deps: FlowDeps, input: { tenant: Tenant; response: unknown }, ctx: RequestContext): Promise<{ user: User; amr: string[] }> {
  const { tenant } = input;
  const attempt: Attempt = { kind: 'passkey', tenantId: tenant.id, ip: ctx.ip, account: null };
  await deps.guard.check(attempt);
  let assertion;
  try {
    assertion = await deps.passkeys.verifyAssertion(tenant, { purpose: 'sign_in' }, input.response);
  } catch (error) {
    if (error instanceof FrontdoorError) {
      await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: error.code === 'passkey.unknown_credential' ? 'passkey_unknown' : 'passkey_invalid', subject: null, details: { method: 'passkey' } });
    }
    throw error;
  }
  const user = await deps.store.users.get(tenant.id, assertion.passkey.userId);
  if (!user) throw new FrontdoorError('passkey.unknown_credential');
  if (user.status === 'disabled') {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'disabled', subject: user.id, details: { method: 'passkey' } });
    throw new FrontdoorError('auth.account_disabled');
  }
  if ((tenant.settings.requireVerifiedEmail ?? true) && !user.emailVerified) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'email_not_verified', subject: user.id, details: { method: 'passkey' } });
    throw new FrontdoorError('auth.email_not_verified');
  }
  const now = deps.clock.now();
  const updated = (await deps.store.users.update(tenant.id, user.id, { lastLoginAt: now, locale: ctx.locale, ...(user.status === 'pending' ? { status: 'active' as const } : {}) }, now)) ?? user;
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'success', subject: user.id, details: { method: 'passkey', passkeyId: assertion.passkey.id, amr: assertion.amr } });
  return { user: updated, amr: assertion.amr };
}

/**
 * Ends a password sign-in's second step with a passkey of the flow's user. A failed assertion
 * counts against the flow's five tries like a wrong code.
 */
export async function completeSecondFactorWithPasskey(
  deps: FlowDeps,
  input: { tenant: Tenant; token: unknown; response: unknown },
  ctx: RequestContext,
): Promise<{ user: User; amr: string[]; returnTo: string | null }> {
  const { tenant } = input;
  const { flow, user } = await flowUser(deps, tenant, input.token);
  const attempt: Attempt = { kind: 'second_factor', tenantId: tenant.id, ip: ctx.ip, account: user.id };
  await deps.guard.check(attempt);
  let assertion;
  try {
    assertion = await deps.passkeys.verifyAssertion(tenant, { purpose: 'second_factor', flowId: flow.id, userId: user.id }, input.response);
  } catch (error) {
    if (!(error instanceof FrontdoorError)) throw error;
    await recordSecondFactorFailure(deps, { tenant, user, flow, attempt, method: 'passkey', reason: 'passkey_invalid' }, ctx);
    throw error;
  }
  if (!(await deps.store.signInFlows.delete(flow.id))) throw new FrontdoorError('mfa.flow_expired');
  await deps.guard.recordSuccess(attempt);
  const amr = withSecondFactor(flow.amr, assertion.amr[0] ?? 'hwk');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.second_factor', result: 'success', subject: user.id, details: { method: 'passkey', passkeyId: assertion.passkey.id, amr } });
  return { user, amr, returnTo: flow.returnTo };
}

/** Deletes one of the user's passkeys, unless a `required` policy would be left without a second factor. */
export async function removePasskey(deps: FlowDeps, tenant: Tenant, user: User, id: string, ctx: RequestContext): Promise<void> {
  if (mfaPolicy(tenant) === 'required' && !(await hasOtherSecondFactor(deps, tenant, user.id, { passkeyId: id }))) throw new FrontdoorError('mfa.required_by_policy');
  await deps.passkeys.remove(tenant, user, id, ctx);
}
