// "This wasn't me": the owner says a sign-in was not theirs, from the account page or from the
// new-device mail's link. Everything that sign-in could hold ends — every session (this one too),
// every remembered browser, every app's grant and refresh token — and the password stops working
// until it is reset through the verified address (the intruder may know it), with a fresh reset
// link in the mail.
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import { hashToken } from '../secrets.ts';
import type { ClientSignals } from '../risk/risk-service.ts';
import type { FlowDeps } from './deps.ts';
import { issueActionToken } from './tokens.ts';

/** How long the new-device mail's "This wasn't me" link works. */
export const REPORT_LINK_SECONDS = 7 * 24 * 3600;

/** The token of a new-device mail's "This wasn't me" link (bound to the sign-in it is about). */
export function issueSignInReportToken(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, user: User, signInId: string): Promise<string> {
  return issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'report_sign_in', now: deps.clock.now(), ttlSeconds: REPORT_LINK_SECONDS, payload: signInId, keepOlder: true });
}

export async function reportSignIn(deps: FlowDeps, input: { tenant: Tenant; user: User; signInId: string | null; via: 'account' | 'mail' }, ctx: RequestContext): Promise<void> {
  const { tenant, user } = input;
  const now = deps.clock.now();
  const { sessions, hadPassword } = await deps.store.transaction(async (store) => {
    const hadPassword = await store.passwords.requireReset(tenant.id, user.id, now);
    await store.trustedDevices.deleteAllForUser(tenant.id, user.id);
    await store.oidcGrants.revokeForUser(tenant.id, user.id, null);
    return { sessions: await store.sessions.revokeAllForUser(tenant.id, user.id, now), hadPassword };
  });
  if (hadPassword) {
    const token = await issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'reset_password', now, ttlSeconds: deps.ttl.resetPasswordSeconds });
    await deps.mailer.queue({ tenant, to: user.email, template: 'reset_password', locale: ctx.locale, params: { link: deps.links.resetPassword(tenant.id, token) } });
  }
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.sign_in_reported', result: 'success', subject: user.id, details: { signInId: input.signInId, via: input.via, sessionsRevoked: sessions, resetRequired: hadPassword } });
  deps.events.publish({ type: 'sign_in.reported', tenantId: tenant.id, at: now, userId: user.id, details: { signInId: input.signInId, via: input.via, sessionsRevoked: sessions } });
}

/** The mail link: the token names the user and the sign-in; it works once. */
export async function reportSignInByLink(deps: FlowDeps, input: { tenant: Tenant; token: unknown }, ctx: RequestContext): Promise<void> {
  const { tenant } = input;
  if (typeof input.token !== 'string' || input.token.length === 0 || input.token.length > 128) throw new FrontdoorError('token.invalid');
  const tokenHash = hashToken(input.token);
  const now = deps.clock.now();
  const live = await deps.store.actionTokens.findLive(tenant.id, tokenHash, 'report_sign_in', now);
  if (!live || !(await deps.store.actionTokens.consume(tenant.id, tokenHash, 'report_sign_in', now))) throw new FrontdoorError('token.invalid');
  const user = await deps.store.users.get(tenant.id, live.userId);
  if (!user) throw new FrontdoorError('token.invalid');
  await reportSignIn(deps, { tenant, user, signInId: live.payload, via: 'mail' }, { ...ctx, actor: `user:${user.id}` });
}

/** Whether a "This wasn't me" link is still usable (the page shows the button, or says it expired). */
export async function isReportLinkLive(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, token: unknown): Promise<boolean> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
  return (await deps.store.actionTokens.findLive(tenant.id, hashToken(token), 'report_sign_in', deps.clock.now())) !== null;
}

/**
 * Every completed sign-in: joins the account's history; from a browser the account had not used,
 * a security event and (unless the tenant turned it off) a mail to the owner with a "This wasn't
 * me" link bound to this sign-in.
 */
export async function noteSignIn(
  deps: FlowDeps,
  input: { tenant: Tenant; user: User; session: { id: string; amr: readonly string[]; createdAt: number } },
  client: ClientSignals,
  ctx: RequestContext,
): Promise<void> {
  const { tenant, user, session } = input;
  const { id, newDevice, country } = await deps.risk.recordSignIn(tenant, user, { methods: session.amr, sessionId: session.id }, client, ctx);
  if (!newDevice) return;
  deps.events.publish({ type: 'sign_in.new_device', tenantId: tenant.id, at: session.createdAt, userId: user.id, details: { signInId: id, device: client.deviceName, country } });
  if (!deps.risk.policyOf(tenant).policy.notifyNewDevice) return;
  const token = await issueSignInReportToken(deps, tenant, user, id);
  const time = new Date(session.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  await deps.mailer.queue({ tenant, to: user.email, template: 'new_device_sign_in', locale: ctx.locale, params: { device: client.deviceName, country: country ?? '', time, reportLink: deps.links.reportSignIn(tenant.id, token) } });
}
