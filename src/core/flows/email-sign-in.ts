// Sign-in without a password, by email: one mail carries a six-digit code (10 minutes, five tries)
// and a magic link (15 minutes, single use). Both are bound to the browser that asked (a flow
// cookie, only its hash stored): the code is typed there; the link opened there signs that browser
// in, while opened anywhere else it signs nobody in — it shows a fresh code to type on the asking
// browser, so a forwarded or intercepted link cannot silently sign in a stranger.
//
// Unknown, disabled and unverified addresses get the same answer and the same stored row, and no
// mail: nobody learns which addresses have accounts. Unverified accounts are excluded because their
// password was chosen by whoever registered the address (see registration.ts).
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../context.ts';
import { normalizeCode } from '../credentials/totp.ts';
import { FrontdoorError } from '../errors.ts';
import type { EmailSignIn, Tenant, User } from '../ports.ts';
import type { Attempt } from '../risk/attempt-guard.ts';
import { hashToken, hmac, newId, randomToken, safeEqual } from '../secrets.ts';
import { requireEmail } from '../users/email.ts';
import type { FlowDeps } from './deps.ts';
import { endFailureHold } from './login.ts';

export const EMAIL_CODE_SECONDS = 600;
export const MAGIC_LINK_SECONDS = 900;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;
/** An email code is one-time and mailed: RFC 8176 `otp`. */
export const EMAIL_SIGN_IN_AMR: readonly string[] = ['otp'];

export function emailSignInEnabled(tenant: Tenant): boolean {
  return tenant.settings.emailSignIn ?? true;
}

function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function codeMac(deps: Pick<FlowDeps, 'codeKey'>, requestId: string, code: string): string {
  return hmac(deps.codeKey, `email:${requestId}:${code}`);
}

/** Starts a sign-in by email for this browser; the returned token goes into its flow cookie. */
export async function requestEmailSignIn(
  deps: FlowDeps,
  /** `stepUp`: the risk engine asks a password sign-in to confirm the address too; allowed even where sign-in by email is not offered. */
  input: { tenant: Tenant; email: unknown; returnTo: string | null; browserToken?: string; stepUp?: boolean },
  ctx: RequestContext,
): Promise<{ browserToken: string }> {
  const { tenant } = input;
  if (!emailSignInEnabled(tenant) && !input.stepUp) throw new FrontdoorError('email_sign_in.disabled');
  const email = requireEmail(input.email);
  await deps.guard.check({ kind: 'email_sign_in', tenantId: tenant.id, ip: ctx.ip, account: email });
  const found = await deps.store.users.findByEmail(tenant.id, email);
  const user = found && found.status === 'active' && found.emailVerified ? found : null;
  const now = deps.clock.now();
  const id = newId('esi');
  // The JSON API binds the request to its flow token instead of a cookie.
  const browserToken = input.browserToken ?? randomToken();
  if (input.browserToken) await deps.store.emailSignIns.supersede(tenant.id, hashToken(browserToken), now);
  const linkToken = randomToken();
  const code = newCode();
  await deps.store.emailSignIns.create({
    id,
    tenantId: tenant.id,
    userId: user?.id ?? null,
    browserHash: hashToken(browserToken),
    linkHash: user ? hashToken(linkToken) : null,
    codeMac: codeMac(deps, id, code),
    attempts: 0,
    returnTo: input.returnTo,
    createdAt: now,
    codeExpiresAt: now + EMAIL_CODE_SECONDS * 1000,
    linkExpiresAt: now + MAGIC_LINK_SECONDS * 1000,
    consumedAt: null,
  });
  if (user) {
    await deps.mailer.queue({
      tenant,
      to: user.email,
      template: 'sign_in_code',
      locale: ctx.locale,
      params: { code, link: deps.links.magicLink(tenant.id, linkToken), codeMinutes: String(EMAIL_CODE_SECONDS / 60), linkMinutes: String(MAGIC_LINK_SECONDS / 60) },
    });
  }
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_sign_in_requested', result: user ? 'success' : 'failure', ...(user ? {} : { reason: found ? 'not_eligible' : 'unknown_account' }), subject: found?.id ?? null });
  return { browserToken };
}

/** The open request of this browser, if any (for showing the code page). */
export async function openEmailSignIn(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, browserToken: unknown): Promise<EmailSignIn | null> {
  if (typeof browserToken !== 'string' || browserToken.length === 0 || browserToken.length > 128) return null;
  return deps.store.emailSignIns.findByBrowser(tenant.id, hashToken(browserToken), deps.clock.now());
}

/** The account a finished request signs in to, under the same rules as any sign-in. */
async function signedInUser(deps: FlowDeps, tenant: Tenant, request: EmailSignIn, method: 'email_code' | 'magic_link', ctx: RequestContext): Promise<User> {
  const user = request.userId ? await deps.store.users.get(tenant.id, request.userId) : null;
  if (!user || user.status !== 'active') throw new FrontdoorError('email_code.expired');
  const now = deps.clock.now();
  const updated = (await deps.store.users.update(tenant.id, user.id, { lastLoginAt: now, locale: ctx.locale }, now)) ?? user;
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'success', subject: user.id, details: { method } });
  // The verified address is proven: a hold after many failed passwords ends.
  await endFailureHold(deps, tenant, user.id, ctx);
  return updated;
}

/**
 * Checks a code typed in the asking browser. Wrong: `email_code.invalid`; the fifth wrong code, an
 * expired one, or a browser without an open request: `email_code.expired` (ask for a new one).
 */
export async function completeEmailCode(deps: FlowDeps, input: { tenant: Tenant; browserToken: unknown; code: unknown }, ctx: RequestContext): Promise<{ user: User; amr: string[]; returnTo: string | null }> {
  const { tenant } = input;
  const request = await openEmailSignIn(deps, tenant, input.browserToken);
  const now = deps.clock.now();
  if (!request || request.codeExpiresAt <= now) throw new FrontdoorError('email_code.expired');
  // Keyed by the account when there is one, so guessing across many requests is capped too.
  const attempt: Attempt = { kind: 'email_code', tenantId: tenant.id, ip: ctx.ip, account: request.userId ?? request.id };
  await deps.guard.check(attempt);
  const digits = normalizeCode(input.code);
  const right = request.userId !== null && digits !== null && safeEqual(codeMac(deps, request.id, digits), request.codeMac);
  if (!right) {
    await deps.guard.recordFailure(attempt);
    const attempts = await deps.store.emailSignIns.recordAttempt(request.id);
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason: 'invalid_code', subject: request.userId, details: { method: 'email_code', attempts } });
    if (attempts >= EMAIL_CODE_MAX_ATTEMPTS) {
      await deps.store.emailSignIns.consume(request.id, now);
      throw new FrontdoorError('email_code.expired');
    }
    throw new FrontdoorError('email_code.invalid', { field: 'code' });
  }
  // Of two requests with the right code only one ends the request.
  if (!(await deps.store.emailSignIns.consume(request.id, now))) throw new FrontdoorError('email_code.expired');
  await deps.guard.recordSuccess(attempt);
  return { user: await signedInUser(deps, tenant, request, 'email_code', ctx), amr: [...EMAIL_SIGN_IN_AMR], returnTo: request.returnTo };
}

/** Whether a magic link is live (the page that opens it asks for a click before anything happens). */
export async function magicLinkIsLive(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, linkToken: unknown): Promise<boolean> {
  if (typeof linkToken !== 'string' || linkToken.length === 0 || linkToken.length > 128) return false;
  return (await deps.store.emailSignIns.findByLink(tenant.id, hashToken(linkToken), deps.clock.now())) !== null;
}

/**
 * A magic link, confirmed by a click. In the browser that asked: signed in. Anywhere else: nobody
 * is signed in; the link stops working and a fresh code is returned, to be typed on the asking
 * browser. A used or expired link: `token.invalid`.
 */
export async function completeMagicLink(
  deps: FlowDeps,
  input: { tenant: Tenant; linkToken: unknown; browserToken: unknown },
  ctx: RequestContext,
): Promise<{ kind: 'signed_in'; user: User; amr: string[]; returnTo: string | null } | { kind: 'other_device'; code: string }> {
  const { tenant } = input;
  if (typeof input.linkToken !== 'string' || input.linkToken.length === 0 || input.linkToken.length > 128) throw new FrontdoorError('token.invalid');
  const linkHash = hashToken(input.linkToken);
  const now = deps.clock.now();
  const request = await deps.store.emailSignIns.findByLink(tenant.id, linkHash, now);
  if (!request) throw new FrontdoorError('token.invalid');
  const sameBrowser = typeof input.browserToken === 'string' && input.browserToken.length > 0 && safeEqual(hashToken(input.browserToken), request.browserHash);
  if (sameBrowser) {
    if (!(await deps.store.emailSignIns.consume(request.id, now))) throw new FrontdoorError('token.invalid');
    return { kind: 'signed_in', user: await signedInUser(deps, tenant, request, 'magic_link', ctx), amr: [...EMAIL_SIGN_IN_AMR], returnTo: request.returnTo };
  }
  const code = newCode();
  if (!(await deps.store.emailSignIns.swapLinkForCode(request.id, linkHash, codeMac(deps, request.id, code), now + EMAIL_CODE_SECONDS * 1000))) throw new FrontdoorError('token.invalid');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.magic_link_other_device', result: 'success', subject: request.userId });
  return { kind: 'other_device', code };
}
