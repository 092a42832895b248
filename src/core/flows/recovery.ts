// Forgot / reset password. The request answers alike for every address; the link is single use,
// expires, dies when a newer link is sent or the password changes, and a reset signs out every session.
import type { RequestContext } from '../context.ts';
import { passwordsEnabled } from '../credentials/password-policy.ts';
import { checkNewPassword, effectiveMinLength } from '../credentials/password-policy.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import { hashToken } from '../secrets.ts';
import { requireEmail } from '../users/email.ts';
import type { FlowDeps } from './deps.ts';
import { NO_CLIENT_SIGNALS, type ClientSignals } from '../risk/risk-service.ts';
import { issueActionToken } from './tokens.ts';

export async function requestPasswordReset(deps: FlowDeps, input: { tenant: Tenant; email: unknown; client?: ClientSignals }, ctx: RequestContext): Promise<void> {
  const { tenant } = input;
  if (!passwordsEnabled(tenant)) throw new FrontdoorError('password.disabled');
  const email = requireEmail(input.email);
  await deps.guard.check({ kind: 'reset', tenantId: tenant.id, ip: ctx.ip, account: email });
  // A script mailing reset links to a list of addresses meets the bot challenge.
  await deps.risk.before(tenant, { kind: 'recovery', account: email }, input.client ?? NO_CLIENT_SIGNALS, ctx);
  const user = await deps.store.users.findByEmail(tenant.id, email);
  if (!user || user.status === 'disabled') {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_reset_requested', result: 'failure', reason: user ? 'disabled' : 'unknown_account', subject: user?.id ?? null });
    return;
  }
  const token = await issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'reset_password', now: deps.clock.now(), ttlSeconds: deps.ttl.resetPasswordSeconds });
  await deps.mailer.queue({ tenant, to: user.email, template: 'reset_password', locale: ctx.locale, params: { link: deps.links.resetPassword(tenant.id, token) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_reset_requested', result: 'success', subject: user.id });
}

/**
 * A password that proved right but is on the breached/common list must be changed before the
 * sign-in goes on. Where the risk engine had no doubt about the person, they choose the new one at
 * once (the returned token opens the reset page); otherwise the link goes to their verified
 * address, so a stranger holding a leaked password gets nothing from it.
 */
export async function breachedPasswordReset(deps: FlowDeps, input: { tenant: Tenant; user: User; sendByMail: boolean }, ctx: RequestContext): Promise<{ token: string | null }> {
  const { tenant, user } = input;
  const token = await issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'reset_password', now: deps.clock.now(), ttlSeconds: deps.ttl.resetPasswordSeconds });
  if (input.sendByMail) await deps.mailer.queue({ tenant, to: user.email, template: 'reset_password', locale: ctx.locale, params: { link: deps.links.resetPassword(tenant.id, token) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_reset_requested', result: 'success', reason: 'breached_password', subject: user.id, details: { byMail: input.sendByMail } });
  return { token: input.sendByMail ? null : token };
}

/** True when the reset link can still be used (the page shows the form, or says it expired). */
export async function isResetTokenLive(deps: FlowDeps, tenant: Tenant, token: unknown): Promise<boolean> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
  return (await deps.store.actionTokens.findLive(tenant.id, hashToken(token), 'reset_password', deps.clock.now())) !== null;
}

export async function resetPassword(deps: FlowDeps, input: { tenant: Tenant; token: unknown; password: unknown }, ctx: RequestContext): Promise<void> {
  const { tenant } = input;
  if (typeof input.token !== 'string' || input.token.length > 128) throw new FrontdoorError('token.invalid');
  const tokenHash = hashToken(input.token);
  const live = await deps.store.actionTokens.findLive(tenant.id, tokenHash, 'reset_password', deps.clock.now());
  if (!live) throw new FrontdoorError('token.invalid');
  const user = await deps.store.users.get(tenant.id, live.userId);
  if (!user || user.status === 'disabled') throw new FrontdoorError('token.invalid');
  if (typeof input.password !== 'string') throw new FrontdoorError('request.invalid', { field: 'password' });
  // A policy error leaves the link usable: the user just picks another password.
  const password = checkNewPassword(input.password, { email: user.email, minLength: effectiveMinLength(tenant.settings, false), blocklist: deps.blocklist });
  const hash = await deps.hasher.hash(password);
  const now = deps.clock.now();
  const revoked = await deps.store.transaction(async (store) => {
    const used = await store.actionTokens.consume(tenant.id, tokenHash, 'reset_password', now);
    if (!used) throw new FrontdoorError('token.invalid');
    await store.passwords.set({ userId: user.id, tenantId: tenant.id, hash, updatedAt: now });
    await store.actionTokens.invalidateForUser(tenant.id, user.id, 'reset_password', now);
    // The link proved control of the mailbox, so the address counts as verified.
    if (!user.emailVerified || user.status === 'pending') await store.users.update(tenant.id, user.id, { emailVerified: true, status: 'active' }, now);
    // Whoever had the account before the reset may hold app tokens too: they go with the sessions.
    await store.oidcGrants.revokeForUser(tenant.id, user.id, null);
    // A remembered browser must give the second factor again: the reset may follow a takeover.
    await store.trustedDevices.deleteAllForUser(tenant.id, user.id);
    return store.sessions.revokeAllForUser(tenant.id, user.id, now);
  });
  await deps.mailer.queue({ tenant, to: user.email, template: 'password_changed', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.password_reset', result: 'success', subject: user.id, details: { sessionsRevoked: revoked } });
}
