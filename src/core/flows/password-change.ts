// Change of password by a signed-in user: proves the current password, signs out the other sessions,
// kills outstanding reset links and tells the owner by mail.
import type { RequestContext } from '../context.ts';
import { checkNewPassword, effectiveMinLength, normalizePassword, passwordsEnabled, verifyInputWithinLimits } from '../credentials/password-policy.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import type { FlowDeps } from './deps.ts';

export async function changePassword(
  deps: FlowDeps,
  input: { tenant: Tenant; user: User; sessionId: string; currentPassword: unknown; newPassword: unknown },
  ctx: RequestContext,
): Promise<void> {
  const { tenant, user } = input;
  if (!passwordsEnabled(tenant)) throw new FrontdoorError('password.disabled');
  const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
  const credential = await deps.store.passwords.get(tenant.id, user.id);
  const ok = credential !== null && verifyInputWithinLimits(current) && (await deps.hasher.verify(credential.hash, normalizePassword(current))).ok;
  if (!ok) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_changed', result: 'failure', reason: 'wrong_password', subject: user.id });
    throw new FrontdoorError('auth.invalid_credentials', { field: 'current_password' });
  }
  if (typeof input.newPassword !== 'string') throw new FrontdoorError('request.invalid', { field: 'new_password' });
  let password: string;
  try {
    password = checkNewPassword(input.newPassword, { email: user.email, minLength: effectiveMinLength(tenant.settings, false), blocklist: deps.blocklist });
  } catch (error) {
    if (error instanceof FrontdoorError) throw new FrontdoorError(error.code, { field: 'new_password' });
    throw error;
  }
  const hash = await deps.hasher.hash(password);
  const now = deps.clock.now();
  const revoked = await deps.store.transaction(async (store) => {
    await store.passwords.set({ userId: user.id, tenantId: tenant.id, hash, updatedAt: now });
    await store.actionTokens.invalidateForUser(tenant.id, user.id, 'reset_password', now);
    await store.trustedDevices.deleteAllForUser(tenant.id, user.id);
    return store.sessions.revokeAllForUser(tenant.id, user.id, now, input.sessionId);
  });
  await deps.mailer.queue({ tenant, to: user.email, template: 'password_changed', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_changed', result: 'success', subject: user.id, details: { sessionsRevoked: revoked } });
}
