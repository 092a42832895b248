// The second step of a sign-in. After the password, a user with an authenticator app gets a
// sign-in flow instead of a session: a random token for the browser (only its hash stored), ten
// minutes, five tries. The right code — from the app, or one of the user's recovery codes —
// ends the flow and says how the user signed in (amr).
import { ACR, PASSWORD_AMR, withSecondFactor } from '../auth/acr.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { MfaPolicy, SignInFlow, Tenant, User } from '../ports.ts';
import type { Attempt } from '../risk/attempt-guard.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';
import { passkeysEnabled } from '../credentials/passkeys.ts';
import type { FlowDeps } from './deps.ts';

export const SECOND_FACTOR_FLOW_SECONDS = 600;
export const SECOND_FACTOR_MAX_ATTEMPTS = 5;

export function mfaPolicy(tenant: Tenant): MfaPolicy {
  return tenant.settings.mfa ?? 'optional';
}

/** Whether the tenant offers the authenticator app (TOTP) as a second factor; default true. */
export function authenticatorAppOffered(tenant: Tenant): boolean {
  return mfaPolicy(tenant) !== 'off' && (tenant.settings.authenticatorApp ?? true);
}

/** Whether this user has a second factor the tenant accepts (an app, a passkey, a phone). */
export async function hasSecondFactor(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, user: User): Promise<boolean> {
  if (mfaPolicy(tenant) === 'off') return false;
  if (authenticatorAppOffered(tenant) && (await deps.totp.isEnrolled(tenant.id, user.id))) return true;
  if (passkeysEnabled(tenant) && (await deps.store.passkeys.countForUser(tenant.id, user.id)) > 0) return true;
  return deps.sms.offered(tenant) && (await deps.sms.isEnrolled(tenant.id, user.id));
}

/**
 * What the tenant's policy asks of this user after the first factor: nothing, a second factor
 * (`verify`), or — under `required`, for a user without one — setting one up now (`enroll`).
 * `adaptive` asks nothing at sign-in: the second factor comes when an app asks for more
 * (acr_values, step-up) or before a sensitive action — until the risk engine decides per attempt.
 */
export async function secondFactorStep(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, user: User): Promise<'none' | 'verify' | 'enroll'> {
  const policy = mfaPolicy(tenant);
  if (policy === 'off' || policy === 'adaptive') return 'none';
  if (await hasSecondFactor(deps, tenant, user)) return 'verify';
  return policy === 'required' ? 'enroll' : 'none';
}

/** Whether an app's step-up can ask this user for a second factor. */
export async function needsSecondFactor(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, user: User): Promise<boolean> {
  return hasSecondFactor(deps, tenant, user);
}

/** Starts the wait for the second factor; the token goes into the browser's flow cookie. */
export async function beginSecondFactor(
  deps: Pick<FlowDeps, 'store' | 'clock'>,
  input: { tenant: Tenant; user: User; returnTo: string | null; amr?: readonly string[]; requiredAcr?: string | null; token?: string },
): Promise<{ token: string }> {
  const now = deps.clock.now();
  // The JSON API passes its own flow token: one token for every step of an API sign-in.
  const token = input.token ?? randomToken();
  await deps.store.signInFlows.create({
    id: newId('flw'),
    tenantId: input.tenant.id,
    userId: input.user.id,
    tokenHash: hashToken(token),
    amr: [...(input.amr ?? PASSWORD_AMR)],
    returnTo: input.returnTo,
    requiredAcr: input.requiredAcr ?? null,
    attempts: 0,
    createdAt: now,
    expiresAt: now + SECOND_FACTOR_FLOW_SECONDS * 1000,
  });
  return { token };
}

/** The flow a browser's token names, if it is still open. */
export async function openSecondFactor(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, token: unknown) {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) return null;
  return deps.store.signInFlows.findByTokenHash(tenant.id, hashToken(token), deps.clock.now());
}

/**
 * A wrong answer in a flow's second step: counted against the account and the flow's five tries,
 * audited; the fifth ends the flow (`mfa.flow_expired` thrown).
 */
export async function recordSecondFactorFailure(
  deps: Pick<FlowDeps, 'guard' | 'store' | 'audit'>,
  input: { tenant: Tenant; user: User; flow: SignInFlow; attempt: Attempt; method: string; reason: string },
  ctx: RequestContext,
): Promise<void> {
  await deps.guard.recordFailure(input.attempt);
  const attempts = await deps.store.signInFlows.recordAttempt(input.flow.id);
  await deps.audit.record(ctx, { tenantId: input.tenant.id, action: 'user.second_factor', result: 'failure', reason: input.reason, subject: input.user.id, details: { method: input.method, attempts } });
  if (attempts >= SECOND_FACTOR_MAX_ATTEMPTS) {
    await deps.store.signInFlows.delete(input.flow.id);
    throw new FrontdoorError('mfa.flow_expired');
  }
}

/** The flow and its user, when the flow is open and the user may still sign in. */
export async function flowUser(deps: FlowDeps, tenant: Tenant, token: unknown) {
  const flow = await openSecondFactor(deps, tenant, token);
  if (!flow) throw new FrontdoorError('mfa.flow_expired');
  const user = await deps.store.users.get(tenant.id, flow.userId);
  if (!user || user.status === 'disabled') {
    await deps.store.signInFlows.delete(flow.id);
    throw new FrontdoorError('mfa.flow_expired');
  }
  return { flow, user };
}

/**
 * Whether this flow's user sets the authenticator app up now: a `required` policy and no second
 * factor yet, or a flow that must reach `mfa` (an organization that requires it) for a user who has
 * none to give. An app's `acr_values` never asks for this: its step-up is capped at what the user has.
 */
export async function enrollmentDue(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, user: User, flow: Pick<SignInFlow, 'requiredAcr'>): Promise<boolean> {
  if ((await secondFactorStep(deps, tenant, user)) === 'enroll') return true;
  return flow.requiredAcr === ACR.mfa && authenticatorAppOffered(tenant) && !(await hasSecondFactor(deps, tenant, user));
}

/** The authenticator-app set-up a `required` policy (or an organization's `require_mfa`) asks for in the middle of a sign-in. */
export async function secondFactorEnrollment(deps: FlowDeps, input: { tenant: Tenant; token: unknown }, ctx: RequestContext) {
  const { flow, user } = await flowUser(deps, input.tenant, input.token);
  // Only a user with no second factor at all (no app, no passkey) sets one up here.
  if (!(await enrollmentDue(deps, input.tenant, user, flow))) return null;
  return (await deps.totp.pendingEnrollment(input.tenant, user)) ?? (await deps.totp.beginEnrollment(input.tenant, user, ctx));
}

/**
 * Completes a sign-in by setting the app up (policy `required`): the first code confirms the app
 * and counts as the second factor. Wrong codes count against the flow's five tries.
 */
export async function completeSecondFactorEnrollment(
  deps: FlowDeps,
  input: { tenant: Tenant; token: unknown; code: unknown },
  ctx: RequestContext,
): Promise<{ user: User; amr: string[]; returnTo: string | null; recoveryCodes: string[] }> {
  const { tenant } = input;
  const { flow, user } = await flowUser(deps, tenant, input.token);
  const attempt: Attempt = { kind: 'second_factor', tenantId: tenant.id, ip: ctx.ip, account: user.id };
  await deps.guard.check(attempt);
  let recoveryCodes: string[];
  try {
    ({ recoveryCodes } = await deps.totp.confirmEnrollment(tenant, user, input.code, ctx));
  } catch (error) {
    await deps.guard.recordFailure(attempt);
    if ((await deps.store.signInFlows.recordAttempt(flow.id)) >= SECOND_FACTOR_MAX_ATTEMPTS) {
      await deps.store.signInFlows.delete(flow.id);
      throw new FrontdoorError('mfa.flow_expired');
    }
    throw error;
  }
  if (!(await deps.store.signInFlows.delete(flow.id))) throw new FrontdoorError('mfa.flow_expired');
  await deps.guard.recordSuccess(attempt);
  const amr = withSecondFactor(flow.amr, 'otp');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.second_factor', result: 'success', subject: user.id, details: { method: 'totp', amr, enrolled: true } });
  return { user, amr, returnTo: flow.returnTo, recoveryCodes };
}

/**
 * Checks the code. Right: the flow ends and the caller starts a session with the returned `amr`.
 * Wrong: `mfa.invalid_code`; after the fifth wrong code the flow is gone (`mfa.flow_expired`).
 */
export async function completeSecondFactor(
  deps: FlowDeps,
  input: { tenant: Tenant; token: unknown; code: unknown },
  ctx: RequestContext,
): Promise<{ user: User; amr: string[]; returnTo: string | null; method: 'totp' | 'sms' | 'recovery_code' }> {
  const { tenant } = input;
  const { flow, user } = await flowUser(deps, tenant, input.token);
  // An app asked for a phishing-resistant sign-in: a typed code cannot give it.
  if (flow.requiredAcr === ACR.phishingResistant) throw new FrontdoorError('mfa.passkey_required');
  const attempt: Attempt = { kind: 'second_factor', tenantId: tenant.id, ip: ctx.ip, account: user.id };
  await deps.guard.check(attempt);
  const viaApp = authenticatorAppOffered(tenant) && (await deps.totp.verify(tenant.id, user.id, input.code));
  const viaSms = !viaApp && (await deps.sms.verifySignInCode(tenant, user.id, flow.id, input.code));
  const viaRecoveryCode = !viaApp && !viaSms && (await deps.totp.useRecoveryCode(tenant.id, user.id, input.code));
  if (!viaApp && !viaSms && !viaRecoveryCode) {
    await recordSecondFactorFailure(deps, { tenant, user, flow, attempt, method: 'code', reason: 'invalid_code' }, ctx);
    throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
  }
  // Only one request can end the flow: a second one with the same token finds nothing.
  if (!(await deps.store.signInFlows.delete(flow.id))) throw new FrontdoorError('mfa.flow_expired');
  await deps.guard.recordSuccess(attempt);
  // A recovery code is a one-time password too (RFC 8176 `otp`); a texted code is `sms`.
  const method = viaApp ? 'totp' : viaSms ? 'sms' : 'recovery_code';
  const amr = withSecondFactor(flow.amr, viaSms ? 'sms' : 'otp');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.second_factor', result: 'success', subject: user.id, details: { method, amr } });
  if (viaRecoveryCode) {
    // The user hears of it, so a stolen sheet of codes does not go unnoticed.
    const left = await deps.totp.recoveryCodesLeft(tenant.id, user.id);
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.recovery_code_used', result: 'success', subject: user.id, details: { left } });
    await deps.mailer.queue({ tenant, to: user.email, template: 'recovery_code_used', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id) } });
  }
  return { user, amr, returnTo: flow.returnTo, method };
}

/**
 * Whether the user keeps a second factor other than `except` — what a `required` policy needs
 * before one may be removed.
 */
export async function hasOtherSecondFactor(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, userId: string, except: { totp?: boolean; passkeyId?: string; sms?: boolean }): Promise<boolean> {
  if (!except.totp && authenticatorAppOffered(tenant) && (await deps.totp.isEnrolled(tenant.id, userId))) return true;
  if (!except.sms && (await deps.sms.isEnrolled(tenant.id, userId))) return true;
  const passkeys = await deps.store.passkeys.listForUser(tenant.id, userId);
  return passkeys.some((p) => p.id !== except.passkeyId);
}

/** The strongest class this user can reach with what they have set up. */
export async function strongestReachableAcr(deps: Pick<FlowDeps, 'totp' | 'store' | 'sms'>, tenant: Tenant, user: User): Promise<string> {
  if (passkeysEnabled(tenant) && (await deps.store.passkeys.countForUser(tenant.id, user.id)) > 0) return ACR.phishingResistant;
  return (await needsSecondFactor(deps, tenant, user)) ? ACR.mfa : ACR.password;
}
