// Sensitive account actions (adding or removing a passkey or phone, setting up an authenticator
// app) need a recent proof of who is at the keyboard, not just a session cookie that may have been
// left open or stolen: a sign-in within the tenant's `recentAuthMinutes` (default 5), else the
// password or a passkey again. The proof refreshes the session's authentication time.
import { PASSWORD_AMR } from '../auth/acr.ts';
import type { RequestContext } from '../context.ts';
import { normalizePassword, verifyInputWithinLimits } from '../credentials/password-policy.ts';
import { FrontdoorError } from '../errors.ts';
import type { Session, Tenant, User } from '../ports.ts';
import type { Attempt } from '../risk/attempt-guard.ts';
import type { FlowDeps } from './deps.ts';

export const DEFAULT_RECENT_AUTH_MINUTES = 5;

export function isRecentlyAuthenticated(deps: Pick<FlowDeps, 'clock'>, tenant: Tenant, session: Session): boolean {
  const minutes = tenant.settings.recentAuthMinutes ?? DEFAULT_RECENT_AUTH_MINUTES;
  return deps.clock.now() - session.authenticatedAt <= minutes * 60_000;
}

/** Confirms the signed-in user's password again; counts against the sign-in limits of the account. */
export async function reauthenticateWithPassword(deps: FlowDeps, input: { tenant: Tenant; user: User; session: Session; password: unknown }, ctx: RequestContext): Promise<Session> {
  const { tenant, user } = input;
  const attempt: Attempt = { kind: 'login', tenantId: tenant.id, ip: ctx.ip, account: user.email };
  await deps.guard.check(attempt);
  const password = typeof input.password === 'string' ? input.password : '';
  const credential = await deps.store.passwords.get(tenant.id, user.id);
  const ok = password.length > 0 && verifyInputWithinLimits(password) && credential !== null && (await deps.hasher.verify(credential.hash, normalizePassword(password))).ok;
  if (!ok) {
    if (!credential) await deps.hasher.verifyDummy(normalizePassword(password || 'x'));
    await deps.guard.recordFailure(attempt);
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.reauthenticated', result: 'failure', reason: 'wrong_password', subject: user.id });
    throw new FrontdoorError('auth.invalid_credentials', { field: 'password' });
  }
  await deps.guard.recordSuccess(attempt);
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.reauthenticated', result: 'success', subject: user.id, details: { method: 'password' } });
  return deps.sessions.reauthenticate(input.session, PASSWORD_AMR);
}

/** Confirms with one of the user's passkeys, answering a challenge bound to this session. */
export async function reauthenticateWithPasskey(deps: FlowDeps, input: { tenant: Tenant; user: User; session: Session; response: unknown }, ctx: RequestContext): Promise<Session> {
  const { tenant, user } = input;
  const assertion = await deps.passkeys.verifyAssertion(tenant, { purpose: 'reauth', sessionId: input.session.id, userId: user.id }, input.response);
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.reauthenticated', result: 'success', subject: user.id, details: { method: 'passkey' } });
  return deps.sessions.reauthenticate(input.session, assertion.amr);
}
