// What every hosted-page route needs: the page context (tenant, locale, CSRF token), the session
// cookie, and the HTML rendering of an error.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import type { PageContext } from '../../pages/layout.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import { renderErrorPage } from '../../pages/views/error.ts';
import { LANG_COOKIE, requestContext, requestLocale } from '../request-context.ts';
import { isRememberedDevice, rememberDevice, rememberDeviceDays } from '../../core/flows/trusted-devices.ts';
import { takeMfaNudge } from '../../core/flows/mfa-nudge.ts';
import { duePrompt } from '../../core/users/profile-rules.ts';
import { consentsToReview } from '../../core/consent/consent.ts';
import { describeUserAgent } from '../../pages/views/device.ts';
import { csrfToken } from './csrf.ts';
import { authenticatorAppOffered, beginSecondFactor, completeSecondFactor, hasSecondFactor, openSecondFactor, SECOND_FACTOR_FLOW_SECONDS, secondFactorStep } from '../../core/flows/second-factor.ts';
import type { Metrics } from '../metrics.ts';
import { ACR, PASSWORD_AMR } from '../../core/auth/acr.ts';
import { parseCeremonyResponse, passkeysEnabled, relyingParty, userHandle } from '../../core/credentials/passkeys.ts';
import { emailSignInEnabled, MAGIC_LINK_SECONDS, requestEmailSignIn } from '../../core/flows/email-sign-in.ts';
import { breachedPasswordReset } from '../../core/flows/recovery.ts';
import { noteSignIn } from '../../core/flows/sign-in-report.ts';
import type { PasswordSignIn } from '../../core/flows/login.ts';
import { passwordsEnabled } from '../../core/credentials/password-policy.ts';
import type { PasskeyCeremony, PasskeySignal } from '../../pages/views/passkeys.ts';
import type { SmsOption } from '../../pages/views/second-factor.ts';
import { maskPhone } from '../../core/credentials/sms-otp.ts';
import { tenantPath } from '../../pages/layout.ts';
import { browserSignals } from '../risk-signals.ts';
import { hmac } from '../../core/secrets.ts';
import { householdAdmission } from '../../core/households/profile-sessions.ts';
import { HELD_SIGN_IN_SECONDS, holdSignIn } from '../../core/households/held-sign-ins.ts';
import { homeRealmOf, offeredFor } from '../../core/federation/connections.ts';
import { renderContinuePage } from '../../pages/views/email-sign-in.ts';

/** Errors of a sign-in held at the household's bound; the browser is sent to choose a device to sign out. */
export const HOUSEHOLD_LIMITS: ReadonlySet<string> = new Set(['household.session_limit', 'household.device_limit']);

/** The cookie of a sign-in held at the household's bound (core/households/held-sign-ins.ts). */
export function heldSignInCookieName(tenantId: string): string {
  return `__Host-fd-held-${tenantId}`;
}

export function sessionCookieName(tenantId: string): string {
  return `__Host-fd-session-${tenantId}`;
}

export function setSessionCookie(reply: FastifyReply, services: Services, tenantId: string, token: string): void {
  reply.setCookie(sessionCookieName(tenantId), token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: services.config.sessionAbsoluteSeconds,
  });
}

/** The cookie of a sign-in waiting for its second factor. */
export function flowCookieName(tenantId: string): string {
  return `__Host-fd-flow-${tenantId}`;
}

/** A short-lived cookie that binds a sign-in step to this browser (`__Host-`: this origin, every path, https only). */
export function setFlowStyleCookie(reply: FastifyReply, name: string, token: string, maxAgeSeconds: number): void {
  reply.setCookie(name, token, { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: maxAgeSeconds });
}

export function clearFlowStyleCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
}

export function setFlowCookie(reply: FastifyReply, tenantId: string, token: string): void {
  setFlowStyleCookie(reply, flowCookieName(tenantId), token, SECOND_FACTOR_FLOW_SECONDS);
}

export function clearFlowCookie(reply: FastifyReply, tenantId: string): void {
  clearFlowStyleCookie(reply, flowCookieName(tenantId));
}

export function clearSessionCookie(reply: FastifyReply, tenantId: string): void {
  reply.clearCookie(sessionCookieName(tenantId), { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
}

export async function loadTenant(services: Services, request: FastifyRequest): Promise<Tenant> {
  const params = request.params as { tenant?: string };
  return requireTenant(services.store, params.tenant ?? '');
}

/**
 * The signed-in session of this browser, re-assessed when it comes from another network than it
 * started on: a cookie that travelled impossibly or changed browsers is ended here (null).
 */
export async function currentSession(services: Services, request: FastifyRequest, tenant: Tenant): Promise<{ session: Session; user: User } | null> {
  const current = await services.sessions.resolve(tenant.id, request.cookies[sessionCookieName(tenant.id)]);
  if (!current) return null;
  const ctx = requestContext(request, `user:${current.user.id}`);
  const startedOn = describeUserAgent(current.session.userAgent, 'en');
  const client = { deviceId: null, deviceName: describeUserAgent(request.headers['user-agent'] ?? null, 'en'), clientHints: {}, formMillis: null, botChallenge: null };
  if ((await services.flows.risk.reassessSession(tenant, current.session, startedOn, client, ctx)) === 'keep') return current;
  await services.sessions.revokeOwn(tenant.id, current.user.id, current.session.id);
  await services.audit.record(ctx, { tenantId: tenant.id, action: 'user.session_ended', result: 'success', reason: 'risk', subject: current.user.id, details: { sessionId: current.session.id } });
  return null;
}

export function pageContext(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant | null): PageContext {
  const locale = requestLocale(request);
  const query = request.query as Record<string, unknown> | undefined;
  // ?lang= switches the language and remembers the choice.
  if (typeof query?.lang === 'string' && query.lang === locale) {
    reply.setCookie(LANG_COOKIE, locale, { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
  }
  return {
    locale,
    tenant: tenant ? { id: tenant.id, name: tenant.name, branding: tenant.branding } : null,
    csrfToken: csrfToken(request, reply, services.csrfKey, tenant?.id ?? '-'),
    // An upstream's callback carries its code and state: not repeated in the page's links.
    currentUrl: /^\/t\/[^/]+\/connections\/[^/]+\/callback/.test(request.url) ? request.url.split('?')[0]! : request.url,
  };
}

export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

export async function renderPageError(services: Services, request: FastifyRequest, reply: FastifyReply, error: FrontdoorError): Promise<FastifyReply> {
  if (HOUSEHOLD_LIMITS.has(error.code)) {
    // A sign-in held at the household's bound: on to the choice, then back into the app's
    // authorization (an interaction) or to the account page.
    const tenantId = (request.params as { tenant?: string }).tenant ?? '';
    const interaction = /^\/t\/[^/]+\/interaction\/([^/?]+)/.exec(request.url);
    const next = interaction ? `/t/${encodeURIComponent(tenantId)}/interaction/${interaction[1]}` : tenantPath(tenantId, '/account');
    return reply.redirect(`${tenantPath(tenantId, '/household/limit')}?next=${encodeURIComponent(next)}`, 303);
  }
  let tenant: Tenant | null = null;
  try {
    tenant = error.code === 'tenant.not_found' ? null : await loadTenant(services, request);
  } catch {
    tenant = null;
  }
  const ctx = pageContext(services, request, reply, tenant);
  return sendPage(reply, renderErrorPage(ctx, { status: error.status, code: error.code }), error.status);
}

/** Reads a form field as a string; arrays (repeated fields) and non-strings count as missing. */
export function formField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Field-level errors go next to the field; the rest to the top of the form. */
export function formErrors(error: FrontdoorError, fieldFor?: (code: string) => string | undefined): FormErrors {
  const field = error.field ?? fieldFor?.(error.code);
  return field ? { fields: { [field]: error.code } } : { form: error.code };
}

/** Errors a form shows in place; anything else (CSRF, server errors, a sign-in held at the household's bound) goes to the error handler. */
export function isFormError(error: unknown): error is FrontdoorError {
  return error instanceof FrontdoorError && error.status < 500 && error.code !== 'request.csrf' && error.code !== 'tenant.not_found' && !HOUSEHOLD_LIMITS.has(error.code);
}

/** The `signIns` metric's result for a failed attempt. */
export function signInFailureResult(error: FrontdoorError): 'throttled' | 'challenged' | 'denied' | 'failure' {
  if (error.code === 'rate_limited') return 'throttled';
  if (error.code === 'risk.challenge') return 'challenged';
  return error.code === 'risk.denied' ? 'denied' : 'failure';
}

export function withRetryAfter(reply: FastifyReply, error: FrontdoorError): number {
  if (error.retryAfterSeconds) reply.header('retry-after', String(error.retryAfterSeconds));
  return error.status;
}

/** Signs the user in on this browser. Rotates: whatever session it had ends; the new one gets a fresh id. */
export async function startUserSession(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, amr?: readonly string[]): Promise<Session> {
  const ctx = requestContext(request, `user:${user.id}`);
  const client = await browserSignals(services, request, reply, tenant, null);
  // A password was assessed once it proved right (login()); a passkey, or a code or link from the
  // verified address, is assessed here, before it becomes a session: the tenant's lists refuse it,
  // and the event explains it. The method is itself the step-up a challenge would ask for.
  if (amr && !amr.includes('pwd')) await services.flows.risk.after(tenant, user, { kind: 'sign_in', passwordBreached: false, provenByMethod: true }, client, ctx);
  await services.sessions.end(tenant.id, request.cookies[sessionCookieName(tenant.id)]);
  const device = { hash: client.deviceId ? hmac(services.riskKeys.device, `household\u0000${tenant.id}\u0000${client.deviceId}`) : null, name: describeUserAgent(request.headers['user-agent'] ?? null, 'en') };
  let started: { token: string; session: Session };
  try {
    started = await services.sessions.start(tenant.id, user.id, ctx, amr, { deviceHash: device.hash, admit: householdAdmission(services, tenant, user.id, device) });
  } catch (error) {
    // The household is at its plan's bound: the sign-in waits while the person chooses a device
    // to sign out (the page error handler sends the browser to that choice).
    if (error instanceof FrontdoorError && HOUSEHOLD_LIMITS.has(error.code)) {
      const held = await holdSignIn(services, tenant, user.id, amr ?? PASSWORD_AMR);
      setFlowStyleCookie(reply, heldSignInCookieName(tenant.id), held, HELD_SIGN_IN_SECONDS);
      await services.audit.record(ctx, { tenantId: tenant.id, action: 'household.sign_in_held', result: 'failure', reason: error.code, subject: user.id });
    }
    throw error;
  }
  const { token, session } = started;
  setSessionCookie(reply, services, tenant.id, token);
  // Every way in ends here: the sign-in joins the account's history (familiar devices and places).
  await noteSignIn(services.flows, { tenant, user, session }, client, ctx);
  return session;
}

/**
 * After the first factor (the password, or a code or link sent by email): a session at once, or — when the tenant's policy asks for a second factor
 * (a code, or setting an app up first) — a sign-in flow (cookie) that goes on at the second-factor
 * page and then to `next`.
 */
export async function afterPassword(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  user: User,
  next: string,
  /** How the first step was done (RFC 8176); a password by default, `otp` for a mailed code or link. */
  amr: readonly string[] = PASSWORD_AMR,
): Promise<{ session: Session } | { secondFactor: 'verify' | 'enroll'; secondFactorPath: string }> {
  const step = await secondFactorStep(services.flows, tenant, user);
  if (step === 'none') return { session: await startUserSession(services, request, reply, tenant, user, amr) };
  // A remembered browser skips the code; the session says only what was given (no `mfa`).
  if (step === 'verify' && (await isRememberedDevice(services.flows, tenant, user, request.cookies[deviceCookieName(tenant.id)]))) {
    await services.audit.record(requestContext(request, `user:${user.id}`), { tenantId: tenant.id, action: 'user.second_factor', result: 'success', reason: 'remembered_device', subject: user.id, details: { method: 'remembered_device' } });
    return { session: await startUserSession(services, request, reply, tenant, user, amr) };
  }
  const { token } = await beginSecondFactor(services.flows, { tenant, user, returnTo: next, amr });
  setFlowCookie(reply, tenant.id, token);
  return { secondFactor: step, secondFactorPath: `/t/${encodeURIComponent(tenant.id)}/login/second-factor` };
}

/**
 * Where a password sign-in goes once the password proved right, by what the risk engine said: a
 * breached password is changed first (at once, or through a mailed link when the engine had
 * doubts); a `challenge` asks for the user's second factor even where the policy would not (or,
 * without one, a code mailed to the verified address); otherwise the policy's own steps.
 */
export async function afterPasswordSignIn(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  signIn: PasswordSignIn,
  next: string,
): Promise<{ session: Session } | { secondFactor: 'verify' | 'enroll'; secondFactorPath: string } | { redirect: string }> {
  const { user } = signIn;
  const ctx = requestContext(request, `user:${user.id}`);
  const doubtful = signIn.risk.action === 'challenge';
  if (signIn.passwordBreached) {
    const { token } = await breachedPasswordReset(services.flows, { tenant, user, sendByMail: doubtful }, ctx);
    return { redirect: token ? `${tenantPath(tenant.id, '/reset')}?token=${encodeURIComponent(token)}&notice=password_breached` : tenantPath(tenant.id, '/check-email?kind=password_breached') };
  }
  if (!doubtful) return afterPassword(services, request, reply, tenant, user, next);
  if (await hasSecondFactor(services.flows, tenant, user)) {
    const { token } = await beginSecondFactor(services.flows, { tenant, user, returnTo: next, amr: PASSWORD_AMR });
    setFlowCookie(reply, tenant.id, token);
    return { secondFactor: 'verify', secondFactorPath: tenantPath(tenant.id, '/login/second-factor') };
  }
  const { browserToken } = await requestEmailSignIn(services.flows, { tenant, email: user.email, returnTo: next, stepUp: true }, ctx);
  setFlowStyleCookie(reply, emailSignInCookieName(tenant.id), browserToken, MAGIC_LINK_SECONDS);
  return { redirect: `${tenantPath(tenant.id, '/login/email/code')}?notice=confirm_sign_in` };
}

/**
 * The second step of the browser's sign-in flow, for the hosted page and the OIDC interaction
 * alike: checks the code, ends the flow and starts the session it earns. A wrong code throws (a
 * form error); a dead flow also loses its cookie.
 */
export async function completeSignInWithCode(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  metrics: Pick<Metrics, 'secondFactors'>,
): Promise<{ session: Session; user: User; returnTo: string | null }> {
  try {
    const done = await completeSecondFactor(services.flows, { tenant, token: request.cookies[flowCookieName(tenant.id)], code: formField(request.body, 'code') }, requestContext(request));
    metrics.secondFactors.inc({ method: done.method, result: 'success' });
    clearFlowCookie(reply, tenant.id);
    await rememberDeviceIfAsked(services, request, reply, tenant, done.user);
    return { session: await startUserSession(services, request, reply, tenant, done.user, done.amr), user: done.user, returnTo: done.returnTo };
  } catch (error) {
    if (isFormError(error)) {
      metrics.secondFactors.inc({ method: 'code', result: 'failure' });
      if (error.code === 'mfa.flow_expired') clearFlowCookie(reply, tenant.id);
    }
    throw error;
  }
}

// ---- passkeys ---------------------------------------------------------------------------------

/**
 * The other ways in a sign-in page offers next to the password, by what the tenant allows: a
 * passkey (button and autofill) posting to `{loginPath}/passkey`, and a code by email posting to
 * `{loginPath}/email`.
 */
export async function signInAlternatives(
  services: Services,
  tenant: Tenant,
  loginPath: string,
  /** The app signing in (its interaction's client), null on the hosted pages: which upstream providers to offer. */
  clientId: string | null = null,
): Promise<{ passkey?: PasskeyCeremony; emailSignInAction?: string; passwords: boolean; connections: { name: string; iconUrl?: string; href: string }[]; singleSignOn: boolean }> {
  const passkey = passkeysEnabled(tenant) ? { action: `${loginPath}/passkey`, options: await services.flows.passkeys.authenticationOptions(tenant, { purpose: 'sign_in' }) } : undefined;
  const offered = (await services.store.connections.list(tenant.id)).filter((c) => offeredFor(c, clientId));
  return {
    ...(passkey ? { passkey } : {}),
    ...(emailSignInEnabled(tenant) ? { emailSignInAction: `${loginPath}/email` } : {}),
    passwords: passwordsEnabled(tenant),
    connections: offered.map((c) => ({ name: c.name, ...(c.settings.iconUrl ? { iconUrl: c.settings.iconUrl } : {}), href: connectionStartPath(loginPath, c.id) })),
    singleSignOn: offered.some((c) => (c.settings.domains ?? []).length > 0),
  };
}

/** Where a sign-in page's "Continue with …" goes: the start under the app's interaction, or the hosted one. */
export function connectionStartPath(loginPath: string, connectionId: string): string {
  return `${loginPath.replace(/\/login$/, '')}/connections/${encodeURIComponent(connectionId)}/start`;
}

/**
 * Home-realm discovery on a sign-in form post: an address whose domain belongs to an upstream
 * provider goes there instead of to the password. The answer is a page that moves on by itself,
 * not a redirect: the form's `form-action` would not allow the provider's origin at the end of
 * the redirects. With `sso=1` (the single sign-on button) and no provider, `federation.no_connection`.
 */
export async function homeRealmRedirect(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, loginPath: string, clientId: string | null): Promise<FastifyReply | null> {
  const realm = await homeRealmOf(services.store, tenant, formField(request.body, 'email'), clientId);
  if (!realm) {
    if (formField(request.body, 'sso') === '1') throw new FrontdoorError('federation.no_connection', { field: 'email' });
    return null;
  }
  return sendPage(reply, renderContinuePage(pageContext(services, request, reply, tenant), { next: connectionStartPath(loginPath, realm.id) }));
}

/** The browser's WebAuthn answer (form field `response`), parsed; a malformed one is a form error like a failed check. */
export function ceremonyAnswer(request: FastifyRequest): unknown {
  return parseCeremonyResponse(formField(request.body, 'response'));
}

/** After an unknown passkey was offered: the Signal API data that lets the device drop it. */
export function unknownPasskeySignal(services: Services, tenant: Tenant, response: unknown): PasskeySignal | undefined {
  const id = (response as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,1366}$/.test(id)) return undefined;
  return { rpId: relyingParty(tenant, services.config.baseUrl).id, unknownCredentialId: id };
}

/**
 * What the second-factor page at `pagePath` offers this flow's user: their passkeys (answered at
 * `{pagePath}/passkey`), a texted code (sent by `{pagePath}/sms`), their app's codes.
 */
export async function secondFactorMethods(
  services: Services,
  request: FastifyRequest,
  tenant: Tenant,
  pagePath: string,
  extra: { smsSent?: boolean } = {},
): Promise<{ passkey?: PasskeyCeremony; totp: boolean; sms?: SmsOption; rememberDays?: number }> {
  const flow = await openSecondFactor(services.flows, tenant, request.cookies[flowCookieName(tenant.id)]);
  if (!flow) return { totp: true };
  const days = rememberDeviceDays(tenant);
  const [totp, passkeys, phone] = await Promise.all([
    authenticatorAppOffered(tenant) ? services.flows.totp.isEnrolled(tenant.id, flow.userId) : false,
    passkeysEnabled(tenant) ? services.store.passkeys.countForUser(tenant.id, flow.userId) : 0,
    services.flows.sms.offered(tenant) ? services.flows.sms.phoneOf(tenant.id, flow.userId) : null,
  ]);
  const sms = phone?.confirmedAt ? { sendAction: `${pagePath}/sms`, phone: maskPhone(phone.phone), ...(extra.smsSent ? { sent: true } : {}) } : undefined;
  const passkey = passkeys > 0 ? { action: `${pagePath}/passkey`, options: await services.flows.passkeys.authenticationOptions(tenant, { purpose: 'second_factor', flowId: flow.id, userId: flow.userId }) } : undefined;
  // An app's step-up asked for a phishing-resistant sign-in: only the passkey can give it.
  if (flow.requiredAcr === ACR.phishingResistant && passkey) return { totp: false, passkey, ...(days > 0 ? { rememberDays: days } : {}) };
  // Nothing else set up: the app's code form (the flow may be a `required` set-up's).
  const onlyApp = !passkey && !sms;
  return { totp: totp || onlyApp, ...(passkey ? { passkey } : {}), ...(sms ? { sms } : {}), ...(days > 0 ? { rememberDays: days } : {}) };
}

/** The account page's passkey section: the list, a registration bound to this session, and the signals. */
export async function accountPasskeys(services: Services, tenant: Tenant, session: { id: string }, user: User) {
  if (!passkeysEnabled(tenant)) return undefined;
  const [items, options] = await Promise.all([services.flows.passkeys.list(tenant, user.id), services.flows.passkeys.registrationOptions(tenant, user, session.id)]);
  return {
    items: items.map((p) => ({ id: p.id, name: p.name, synced: p.backupEligible, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt })),
    register: { action: tenantPath(tenant.id, '/account/passkeys'), options },
    signal: { rpId: relyingParty(tenant, services.config.baseUrl).id, userHandle: userHandle(user), acceptedCredentialIds: items.map((p) => p.credentialId), name: user.email } satisfies PasskeySignal,
  };
}

/** A path back into our own pages of this tenant; anything else (another origin, `//x`) is refused. */
export function sameTenantPath(tenant: Tenant, value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  const prefix = `/t/${encodeURIComponent(tenant.id)}/`;
  if (!value.startsWith(prefix) || value.includes('\\') || /[\u0000-\u001f]/.test(value)) return null;
  return value;
}

export function passkeyOfferCookieName(tenantId: string): string {
  return `__Host-fd-passkey-offer-${tenantId}`;
}

/** "Not now" is remembered on this browser for this long. */
export const PASSKEY_OFFER_SNOOZE_SECONDS = 30 * 24 * 3600;

/**
 * Where a password sign-in goes on: the passkey offer when this device can hold a passkey (the
 * page's script said so), the tenant offers passkeys, the user has none and has not said "not now"
 * on this browser; else the one-time offer of a second factor after a few sign-ins without one;
 * else straight to `next`.
 */
export async function afterSignInDestination(services: Services, request: FastifyRequest, tenant: Tenant, user: User, next: string): Promise<string> {
  const passkeyOffer =
    passkeysEnabled(tenant) &&
    formField(request.body, 'passkey_capable') === '1' &&
    !request.cookies[passkeyOfferCookieName(tenant.id)] &&
    (await services.store.passkeys.countForUser(tenant.id, user.id)) === 0;
  if (passkeyOffer) return `${tenantPath(tenant.id, '/passkeys/offer')}?next=${encodeURIComponent(next)}`;
  // After a few sign-ins without any second factor: offer one, once.
  if (await takeMfaNudge(services.flows, tenant, user, requestContext(request, `user:${user.id}`))) return `${tenantPath(tenant.id, '/security')}?next=${encodeURIComponent(next)}`;
  return afterSignInSteps(services, tenant, user, next);
}

/**
 * What every sign-in passes through before `next`, whatever the method: a policy the customer
 * agreed to that changed so much the tenant asks again, then a progressive-profiling rule about
 * sign-ins alone that is due now.
 */
export async function afterSignInSteps(services: Services, tenant: Tenant, user: User, next: string): Promise<string> {
  if ((await consentsToReview(services.store, tenant.id, user.id)).length > 0) return `${tenantPath(tenant.id, '/consents/review')}?next=${encodeURIComponent(next)}`;
  if (await duePrompt(services.flows, tenant, user, { clientId: null, scopes: [] })) return `${tenantPath(tenant.id, '/profile/complete')}?next=${encodeURIComponent(next)}`;
  return next;
}

/** The cookie of a sign-in by email: binds the mailed code and link to the browser that asked. */
export function emailSignInCookieName(tenantId: string): string {
  return `__Host-fd-email-${tenantId}`;
}

/** Texts a code for the browser's open sign-in flow; a dead flow is `mfa.flow_expired`. */
export async function sendSecondFactorSms(services: Services, request: FastifyRequest, tenant: Tenant): Promise<void> {
  const flow = await openSecondFactor(services.flows, tenant, request.cookies[flowCookieName(tenant.id)]);
  if (!flow) throw new FrontdoorError('mfa.flow_expired');
  await services.flows.sms.sendSignInCode(tenant, flow.userId, flow.id, requestContext(request, `user:${flow.userId}`));
}

/** The cookie of a remembered browser ("Remember this device"). */
export function deviceCookieName(tenantId: string): string {
  return `__Host-fd-device-${tenantId}`;
}

/** After a second factor: remembers this browser when the person ticked "Remember this device". */
export async function rememberDeviceIfAsked(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User): Promise<void> {
  if (formField(request.body, 'remember_device') !== '1') return;
  const remembered = await rememberDevice(services.flows, tenant, user, describeUserAgent(request.headers['user-agent'] ?? null, requestLocale(request)), requestContext(request, `user:${user.id}`));
  if (remembered) setFlowStyleCookie(reply, deviceCookieName(tenant.id), remembered.token, remembered.maxAgeSeconds);
}

/** The cookie of a password-free registration: its link signs in only the browser that registered. */
export function registrationCookieName(tenantId: string): string {
  return `__Host-fd-reg-${tenantId}`;
}
