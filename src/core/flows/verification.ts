// Email verification. The link leads to a page that asks for the password chosen at registration
// (see registration.ts for why); on success the account is active and the user is signed in.
import type { RequestContext } from '../context.ts';
import { normalizePassword, verifyInputWithinLimits } from '../credentials/password-policy.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import { hashToken, safeEqual } from '../secrets.ts';
import { BROWSER_BOUND } from './registration.ts';
import { normalizeEmail } from '../users/email.ts';
import type { FlowDeps } from './deps.ts';
import { NO_CLIENT_SIGNALS } from '../risk/risk-service.ts';
import { issueActionToken } from './tokens.ts';

/** Whether a live verification link asks for the registration's password, or is bound to the registering browser. */
export async function verificationKind(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, token: unknown): Promise<'password' | 'browser' | null> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) return null;
  const pending = await deps.store.actionTokens.findLive(tenant.id, hashToken(token), 'verify_email', deps.clock.now());
  if (!pending) return null;
  return pending.payload?.startsWith(BROWSER_BOUND) ? 'browser' : 'password';
}

/**
 * A password-free registration's link, clicked: the address is confirmed and the account active.
 * `signIn` is true only in the browser that registered (its cookie token matches); anywhere else
 * nobody is signed in, so a forwarded link cannot hand the account to its reader.
 */
export async function verifyEmailWithoutPassword(deps: FlowDeps, input: { tenant: Tenant; token: unknown; browserToken: unknown }, ctx: RequestContext): Promise<{ user: User; signIn: boolean }> {
  const { tenant } = input;
  if (typeof input.token !== 'string' || input.token.length > 128) throw new FrontdoorError('token.invalid');
  const tokenHash = hashToken(input.token);
  const now = deps.clock.now();
  await deps.guard.check({ kind: 'verification', tenantId: tenant.id, ip: ctx.ip, account: tokenHash });
  const user = await deps.store.transaction(async (store) => {
    const used = await store.actionTokens.consume(tenant.id, tokenHash, 'verify_email', now);
    if (!used || !used.payload?.startsWith(BROWSER_BOUND)) throw new FrontdoorError('token.invalid');
    const signIn = typeof input.browserToken === 'string' && input.browserToken.length > 0 && safeEqual(`${BROWSER_BOUND}${hashToken(input.browserToken)}`, used.payload);
    await store.actionTokens.invalidateForUser(tenant.id, used.userId, 'verify_email', now);
    const current = await store.users.get(tenant.id, used.userId);
    if (!current) throw new FrontdoorError('token.invalid');
    const status = current.status === 'pending' ? 'active' : current.status;
    const updated = await store.users.update(tenant.id, used.userId, { emailVerified: true, status, ...(signIn ? { lastLoginAt: now, locale: ctx.locale } : {}) }, now);
    if (!updated) throw new FrontdoorError('token.invalid');
    return { user: updated, signIn };
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_verified', result: 'success', subject: user.user.id, details: { sameBrowser: user.signIn } });
  if (user.user.status !== 'active') throw new FrontdoorError('auth.account_disabled');
  return user;
}

export async function verifyEmail(deps: FlowDeps, input: { tenant: Tenant; token: unknown; password: unknown }, ctx: RequestContext): Promise<User> {
  const { tenant } = input;
  if (typeof input.token !== 'string' || input.token.length > 128) throw new FrontdoorError('token.invalid');
  const tokenHash = hashToken(input.token);
  const now = deps.clock.now();
  const pending = await deps.store.actionTokens.findLive(tenant.id, tokenHash, 'verify_email', now);
  if (!pending) throw new FrontdoorError('token.invalid');
  await deps.guard.check({ kind: 'verification', tenantId: tenant.id, ip: ctx.ip, account: tokenHash });

  const password = typeof input.password === 'string' ? input.password : '';
  // A browser-bound (password-free) link has no password to check here.
  const bound = pending.payload?.startsWith(BROWSER_BOUND) ?? false;
  const expectedHash = bound ? null : (pending.payload ?? (await deps.store.passwords.get(tenant.id, pending.userId))?.hash ?? null);
  const ok =
    expectedHash !== null && verifyInputWithinLimits(password) && (await deps.hasher.verify(expectedHash, normalizePassword(password))).ok;
  if (!ok) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_verified', result: 'failure', reason: 'wrong_password', subject: pending.userId });
    throw new FrontdoorError('auth.invalid_credentials', { field: 'password' });
  }

  const user = await deps.store.transaction(async (store) => {
    const used = await store.actionTokens.consume(tenant.id, tokenHash, 'verify_email', now);
    if (!used) throw new FrontdoorError('token.invalid');
    if (used.payload) await store.passwords.set({ userId: used.userId, tenantId: tenant.id, hash: used.payload, updatedAt: now });
    await store.actionTokens.invalidateForUser(tenant.id, used.userId, 'verify_email', now);
    const current = await store.users.get(tenant.id, used.userId);
    if (!current) throw new FrontdoorError('token.invalid');
    const status = current.status === 'pending' ? 'active' : current.status;
    const updated = await store.users.update(tenant.id, used.userId, { emailVerified: true, status, lastLoginAt: now, locale: ctx.locale }, now);
    if (!updated) throw new FrontdoorError('token.invalid');
    return updated;
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_verified', result: 'success', subject: user.id });
  if (user.status !== 'active') throw new FrontdoorError('auth.account_disabled');
  return user;
}

/** Sends a fresh link to an unverified account that has a password; answers alike for every address. */
export async function resendVerification(deps: FlowDeps, input: { tenant: Tenant; email: unknown }, ctx: RequestContext): Promise<void> {
  const { tenant } = input;
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : null;
  if (!email) throw new FrontdoorError('email.invalid', { field: 'email' });
  await deps.guard.check({ kind: 'verification_resend', tenantId: tenant.id, ip: ctx.ip, account: email });
  // This form has no bot challenge of its own: a doubtful resend is answered as usual and sends
  // nothing (the risk event says why), so it cannot be used to flood someone's mailbox.
  try {
    await deps.risk.before(tenant, { kind: 'verification_resend', account: email }, NO_CLIENT_SIGNALS, ctx);
  } catch (error) {
    if (error instanceof FrontdoorError && (error.code === 'risk.challenge' || error.code === 'risk.denied')) return;
    throw error;
  }
  const user = await deps.store.users.findByEmail(tenant.id, email);
  if (!user || user.emailVerified || user.status === 'disabled') return;
  if (!(await deps.store.passwords.get(tenant.id, user.id))) return;
  const token = await issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'verify_email', now: deps.clock.now(), ttlSeconds: deps.ttl.verifyEmailSeconds });
  await deps.mailer.queue({ tenant, to: user.email, template: 'verify_email', locale: ctx.locale, params: { link: deps.links.verifyEmail(tenant.id, token) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.verification_sent', result: 'success', subject: user.id });
}
