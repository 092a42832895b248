// Hosted pages of a tenant: sign-in, registration, verification, forgot/reset password, account,
// sign-out. Successful POSTs answer 303 (post/redirect/get); a POST with errors re-renders its form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { effectiveMinLength } from '../../core/credentials/password-policy.ts';
import { login } from '../../core/flows/login.ts';
import { authenticatorAppOffered, mfaPolicy } from '../../core/flows/second-factor.ts';
import { passkeysEnabled } from '../../core/credentials/passkeys.ts';
import { maskPhone } from '../../core/credentials/sms-otp.ts';
import { collectedAtRegistration, isEditable, isSensitive, profileFromForm, profileSchemaOf, registrationProfile, updateOwnProfile } from '../../core/users/profile-schema.ts';
import { t, type Locale } from '../../pages/i18n/index.ts';
import { changePassword } from '../../core/flows/password-change.ts';
import { isResetTokenLive, requestPasswordReset, resetPassword } from '../../core/flows/recovery.ts';
import { register, registrationMinLength } from '../../core/flows/registration.ts';
import { resendVerification, verificationKind, verifyEmail, verifyEmailWithoutPassword } from '../../core/flows/verification.ts';
import { passwordsEnabled } from '../../core/credentials/password-policy.ts';
import { EMAIL_SIGN_IN_AMR } from '../../core/flows/email-sign-in.ts';
import type { Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderAccountPage } from '../../pages/views/account.ts';
import { listConnectedApps, revokeAppAccess } from '../../core/apps/connected-apps.ts';
import { renderCheckEmailPage } from '../../pages/views/check-email.ts';
import { describeUserAgent } from '../../pages/views/device.ts';
import { renderForgotPage } from '../../pages/views/forgot.ts';
import { renderLoginPage } from '../../pages/views/login.ts';
import { renderRegisterPage } from '../../pages/views/register.ts';
import { renderResetInvalidPage, renderResetPage } from '../../pages/views/reset.ts';
import { parseNotice, type FormErrors } from '../../pages/views/types.ts';
import { renderVerifyPage } from '../../pages/views/verify.ts';
import { renderThemeCss } from '../../pages/layout.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import { recentEnough, signedInPost } from './signed-in.ts';
import { accountConsents, postedConsents, offeredConsents } from './consent-form.ts';
import { recordConsentChoices } from '../../core/consent/consent.ts';
import { deleteOwnAccount, keepAccount, pendingDeletion } from '../../core/users/account-deletion.ts';
import { renderKeepAccountPage } from '../../pages/views/account-deletion.ts';
import { confirmEmailChange, pendingEmailChange, requestEmailChange } from '../../core/users/email-change.ts';
import { renderEmailChangePage } from '../../pages/views/email-change.ts';
import { exportUserData } from '../../core/users/data-export.ts';
import { browserSignals, formRisk } from '../risk-signals.ts';
import { RECENT_SIGN_INS } from './sign-ins.ts';
import { recentSecurityActivity } from '../../core/users/security-activity.ts';
import { joinableOrganizations, joinByDomain } from '../../core/orgs/organizations.ts';
import {
  accountPasskeys,
  afterPasswordSignIn,
  afterSignInDestination,
  clearFlowStyleCookie,
  clearSessionCookie,
  currentSession,
  registrationCookieName,
  setFlowStyleCookie,
  formErrors,
  formField,
  isFormError,
  loadTenant,
  pageContext,
  sendPage,
  sessionCookieName,
  signInAlternatives,
  signInFailureResult,
  startUserSession,
  withRetryAfter,
  homeRealmRedirect,
} from './page-support.ts';
import { listFederatedIdentities } from '../../core/federation/federated-sign-in.ts';

/** Items in the account page's "Recent security activity". */
const RECENT_SECURITY_ACTIVITY = 10;

const page = { config: { page: true } };

const passwordField = (code: string) => (code.startsWith('password.') ? 'password' : undefined);

export function registerPageRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  const redirect = (reply: FastifyReply, tenant: Tenant, path: string) => reply.redirect(tenantPath(tenant.id, path), 303);

  const startSession = (request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User) => startUserSession(services, request, reply, tenant, user);

  app.get('/t/:tenant/theme.css', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderThemeCss(tenant.branding));
  });

  app.get('/t/:tenant', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    return redirect(reply, tenant, (await currentSession(services, request, tenant)) ? '/account' : '/login');
  });

  // ---- sign-in -------------------------------------------------------------------------------
  const alternatives = (tenant: Tenant) => signInAlternatives(services, tenant, tenantPath(tenant.id, '/login'));

  app.get('/t/:tenant/login', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const notice = parseNotice((request.query as Record<string, unknown>).notice);
    return sendPage(reply, renderLoginPage(pageContext(services, request, reply, tenant), { ...(notice ? { notice } : {}), ...(await alternatives(tenant)), risk: await formRisk(services, request, reply, tenant, 'sign_in', 'sign_in') }));
  });

  app.post('/t/:tenant/login', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const email = formField(request.body, 'email');
    try {
      // An address of a domain with its own provider goes there, not to the password.
      const realm = await homeRealmRedirect(services, request, reply, tenant, tenantPath(tenant.id, '/login'), null);
      if (realm) return realm;
      const signIn = await login(services.flows, { tenant, email, password: formField(request.body, 'password'), client: await browserSignals(services, request, reply, tenant, 'sign_in') }, requestContext(request));
      const { user } = signIn;
      metrics.signIns.inc({ result: 'success' });
      metrics.signInMethods.inc({ method: 'password', stage: 'completed' });
      const next = await afterPasswordSignIn(services, request, reply, tenant, signIn, tenantPath(tenant.id, '/account'));
      if ('redirect' in next) return reply.redirect(next.redirect, 303);
      if (!('secondFactorPath' in next)) return reply.redirect(await afterSignInDestination(services, request, tenant, user, tenantPath(tenant.id, '/account')), 303);
      metrics.secondFactors.inc({ method: 'any', result: 'started' });
      return reply.redirect(next.secondFactorPath, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signIns.inc({ result: signInFailureResult(error) });
      metrics.signInMethods.inc({ method: 'password', stage: 'failed' });
      const status = withRetryAfter(reply, error);
      const ctx = pageContext(services, request, reply, tenant);
      const risk = await formRisk(services, request, reply, tenant, 'sign_in', 'sign_in', error.riskScore);
      return sendPage(
        reply,
        renderLoginPage(ctx, { email: email ?? '', errors: formErrors(error), showResendVerification: error.code === 'auth.email_not_verified', ...(await alternatives(tenant)), risk }),
        status,
      );
    }
  });

  // ---- registration --------------------------------------------------------------------------
  app.get('/t/:tenant/register', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const { views: consents } = await offeredConsents(services, tenant.id);
    return sendPage(
      reply,
      renderRegisterPage(pageContext(services, request, reply, tenant), {
        minLength: registrationMinLength(tenant),
        passwordless: !passwordsEnabled(tenant),
        risk: await formRisk(services, request, reply, tenant, 'registration', 'registration'),
        consents,
        profileFields: registrationProfileFields(tenant, {}, undefined),
      }),
    );
  });

  app.post('/t/:tenant/register', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const email = formField(request.body, 'email');
    const { purposes } = await offeredConsents(services, tenant.id);
    const consents = postedConsents(request.body, purposes);
    const schema = profileSchemaOf(tenant);
    const postedProfile = profileFromForm(schema, {}, (name) => formField(request.body, name), (name) => collectedAtRegistration(schema, name)).profile;
    try {
      const profile = registrationProfile(schema, (name) => formField(request.body, name));
      const client = await browserSignals(services, request, reply, tenant, 'registration');
      const { browserToken } = await register(services.flows, { tenant, email, password: formField(request.body, 'password'), client, consents, profile }, requestContext(request));
      // Without passwords the link signs in only this browser: it holds the registration's token.
      if (browserToken) setFlowStyleCookie(reply, registrationCookieName(tenant.id), browserToken, services.config.verifyEmailTtlSeconds);
      return redirect(reply, tenant, '/check-email?kind=registration');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const status = withRetryAfter(reply, error);
      const ctx = pageContext(services, request, reply, tenant);
      const risk = await formRisk(services, request, reply, tenant, 'registration', 'registration', error.riskScore);
      const { views } = await offeredConsents(services, tenant.id, consents);
      return sendPage(
        reply,
        renderRegisterPage(ctx, {
          email: email ?? '',
          errors: formErrors(error, passwordField),
          minLength: registrationMinLength(tenant),
          passwordless: !passwordsEnabled(tenant),
          risk,
          consents: views,
          profileFields: registrationProfileFields(tenant, postedProfile, error),
        }),
        status,
      );
    }
  });

  app.get('/t/:tenant/check-email', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const kindParam = (request.query as Record<string, unknown>).kind;
    const kind = kindParam === 'reset_requested' || kindParam === 'verification_resent' || kindParam === 'password_breached' ? kindParam : 'registration';
    return sendPage(reply, renderCheckEmailPage(pageContext(services, request, reply, tenant), { kind }));
  });

  // ---- verification --------------------------------------------------------------------------
  app.get('/t/:tenant/verify', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) throw new FrontdoorError('token.invalid');
    const kind = await verificationKind(services.flows, tenant, token);
    return sendPage(reply, renderVerifyPage(pageContext(services, request, reply, tenant), { token, passkeys: passkeysEnabled(tenant), passwordless: kind === 'browser' }));
  });

  app.post('/t/:tenant/verify', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const token = formField(request.body, 'token') ?? '';
    if ((await verificationKind(services.flows, tenant, token)) === 'browser') {
      const done = await verifyEmailWithoutPassword(services.flows, { tenant, token, browserToken: request.cookies[registrationCookieName(tenant.id)] }, requestContext(request));
      clearFlowStyleCookie(reply, registrationCookieName(tenant.id));
      // Another browser: the address is confirmed, but nobody is signed in here.
      if (!done.signIn) return redirect(reply, tenant, '/login?notice=verified_elsewhere');
      await startUserSession(services, request, reply, tenant, done.user, EMAIL_SIGN_IN_AMR);
      return reply.redirect(await afterSignInDestination(services, request, tenant, done.user, tenantPath(tenant.id, '/account?notice=verified')), 303);
    }
    try {
      const user = await verifyEmail(services.flows, { tenant, token, password: formField(request.body, 'password') }, requestContext(request));
      await startSession(request, reply, tenant, user);
      // A new account on a device that can hold a passkey: offer one before the account page.
      return reply.redirect(await afterSignInDestination(services, request, tenant, user, tenantPath(tenant.id, '/account?notice=verified')), 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      if (error.code === 'token.invalid') throw error;
      const status = withRetryAfter(reply, error);
      return sendPage(reply, renderVerifyPage(pageContext(services, request, reply, tenant), { token, errors: formErrors(error), passkeys: passkeysEnabled(tenant) }), status);
    }
  });

  app.post('/t/:tenant/verify/resend', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    await resendVerification(services.flows, { tenant, email: formField(request.body, 'email') }, requestContext(request));
    return redirect(reply, tenant, '/check-email?kind=verification_resent');
  });

  // ---- forgot / reset password ---------------------------------------------------------------
  app.get('/t/:tenant/forgot', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    return sendPage(reply, renderForgotPage(pageContext(services, request, reply, tenant), { risk: await formRisk(services, request, reply, tenant, 'recovery', 'recovery') }));
  });

  app.post('/t/:tenant/forgot', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const email = formField(request.body, 'email');
    try {
      await requestPasswordReset(services.flows, { tenant, email, client: await browserSignals(services, request, reply, tenant, 'recovery') }, requestContext(request));
      return redirect(reply, tenant, '/check-email?kind=reset_requested');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const status = withRetryAfter(reply, error);
      const risk = await formRisk(services, request, reply, tenant, 'recovery', 'recovery', error.riskScore);
      return sendPage(reply, renderForgotPage(pageContext(services, request, reply, tenant), { email: email ?? '', errors: formErrors(error), risk }), status);
    }
  });

  app.get('/t/:tenant/reset', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    if (typeof token !== 'string' || !(await isResetTokenLive(services.flows, tenant, token))) return sendPage(reply, renderResetInvalidPage(ctx), 410);
    const notice = parseNotice((request.query as Record<string, unknown>).notice);
    return sendPage(reply, renderResetPage(ctx, { token, minLength: effectiveMinLength(tenant.settings, false), ...(notice ? { notice } : {}) }));
  });

  app.post('/t/:tenant/reset', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const token = formField(request.body, 'token') ?? '';
    try {
      await resetPassword(services.flows, { tenant, token, password: formField(request.body, 'password') }, requestContext(request));
      clearSessionCookie(reply, tenant.id);
      return redirect(reply, tenant, '/login?notice=password_reset');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const ctx = pageContext(services, request, reply, tenant);
      if (error.code === 'token.invalid') return sendPage(reply, renderResetInvalidPage(ctx), 410);
      const status = withRetryAfter(reply, error);
      return sendPage(reply, renderResetPage(ctx, { token, errors: formErrors(error, passwordField), minLength: effectiveMinLength(tenant.settings, false) }), status);
    }
  });

  // ---- account -------------------------------------------------------------------------------
  const accountPage = (request: FastifyRequest, reply: FastifyReply, tenant: Tenant, current: { session: { id: string }; user: User }, extra: { errors?: FormErrors; status?: number; profile?: Record<string, unknown> } = {}) =>
    sendAccountPage(services, request, reply, tenant, current, extra);

  app.get('/t/:tenant/account', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return redirect(reply, tenant, '/login');
    return accountPage(request, reply, tenant, current);
  });

  app.post('/t/:tenant/account/password', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await changePassword(
        services.flows,
        { tenant, user: current.user, sessionId: current.session.id, currentPassword: formField(request.body, 'current_password'), newPassword: formField(request.body, 'new_password') },
        requestContext(request, `user:${current.user.id}`),
      );
      return redirect(reply, tenant, '/account?notice=password_changed');
    } catch (error) {
      if (!isFormError(error)) throw error;
      return accountPage(request, reply, tenant, current, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/sessions/:sessionId/revoke', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { sessionId } = request.params as { sessionId: string };
    await services.sessions.revokeOwn(tenant.id, current.user.id, sessionId);
    await services.audit.record(requestContext(request, `user:${current.user.id}`), { tenantId: tenant.id, action: 'user.session_revoked', result: 'success', subject: current.user.id, details: { sessionId } });
    return redirect(reply, tenant, sessionId === current.session.id ? '/login?notice=signed_out' : '/account?notice=session_revoked');
  });

  app.post('/t/:tenant/account/apps/:clientId/revoke', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { clientId } = request.params as { clientId: string };
    await revokeAppAccess(services, tenant.id, current.user.id, clientId, requestContext(request, `user:${current.user.id}`));
    return redirect(reply, tenant, '/account?notice=app_revoked');
  });

  app.post('/t/:tenant/account/devices/:deviceId/forget', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { deviceId } = request.params as { deviceId: string };
    if (!(await services.store.trustedDevices.delete(tenant.id, current.user.id, deviceId))) throw new FrontdoorError('request.not_found');
    await services.audit.record(requestContext(request, `user:${current.user.id}`), { tenantId: tenant.id, action: 'user.device_forgotten', result: 'success', subject: current.user.id, details: { deviceId } });
    return redirect(reply, tenant, '/account?notice=device_forgotten');
  });

  // Joining an organization that admits the customer's verified address's domain.
  app.post('/t/:tenant/account/organizations/:orgId/join', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    await joinByDomain(services, tenant.id, current.user, (request.params as { orgId: string }).orgId, requestContext(request, `user:${current.user.id}`));
    return redirect(reply, tenant, '/account?notice=organization_joined');
  });

  // A new sign-in address: sensitive (a session thief would move the account to their own mailbox).
  app.post('/t/:tenant/account/email', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await requestEmailChange(services.flows, tenant, current.user, formField(request.body, 'new_email'), requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return accountPage(request, reply, tenant, current, { errors: { fields: { new_email: error.code === 'request.invalid' ? 'email.invalid' : error.code } }, status: 400 });
    }
    return redirect(reply, tenant, '/account?notice=email_change_sent');
  });

  app.get('/t/:tenant/account/email/confirm', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    const email = typeof token === 'string' && token.length <= 200 ? await pendingEmailChange(services.store, tenant.id, token, services.clock.now()) : null;
    if (!email) return sendPage(reply, renderEmailChangePage(ctx, { invalid: true }), 410);
    return sendPage(reply, renderEmailChangePage(ctx, { token: token as string, email }));
  });

  app.post('/t/:tenant/account/email/confirm', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      await confirmEmailChange(services.flows, tenant, formField(request.body, 'token') ?? '', requestContext(request));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || (error.code !== 'token.invalid' && error.code !== 'user.exists')) throw error;
      return sendPage(reply, renderEmailChangePage(pageContext(services, request, reply, tenant), { invalid: true }), 410);
    }
    return redirect(reply, tenant, '/account?notice=email_changed');
  });

  // Profile: attributes of the tenant's schema the customer may edit; changing a sensitive one needs a recent sign-in.
  app.post('/t/:tenant/account/profile', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const schema = profileSchemaOf(tenant);
    const next = profileFromForm(schema, current.user.profile, (name) => formField(request.body, name));
    if (next.changed.some((name) => isSensitive(schema.properties[name]!)) && !(await recentEnough(services, request, reply, tenant, current, tenantPath(tenant.id, '/account')))) return reply;
    try {
      await updateOwnProfile(services.flows, tenant, current.user, next, requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return accountPage(request, reply, tenant, current, { errors: formErrors(error), status: 400, profile: next.profile });
    }
    return redirect(reply, tenant, '/account?notice=profile_saved');
  });

  // Erasure: sensitive, so a fresh authentication first; the confirmation box must be ticked.
  app.post('/t/:tenant/account/delete', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    if (formField(request.body, 'confirm') !== '1') return accountPage(request, reply, tenant, current, { errors: { fields: { confirm: 'request.invalid' } }, status: 400 });
    const { eraseAfter } = await deleteOwnAccount(services.flows, tenant, current.user, requestContext(request, `user:${current.user.id}`));
    clearSessionCookie(reply, tenant.id);
    return redirect(reply, tenant, eraseAfter === null ? '/login?notice=account_deleted' : '/login?notice=deletion_scheduled');
  });

  app.get('/t/:tenant/account/keep', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    const user = typeof token === 'string' && token.length <= 200 ? await pendingDeletion(services.store, tenant.id, token, services.clock.now()) : null;
    if (!user?.eraseAfter) return sendPage(reply, renderKeepAccountPage(ctx, { invalid: true }), 410);
    return sendPage(reply, renderKeepAccountPage(ctx, { token: token as string, eraseAfter: user.eraseAfter }));
  });

  app.post('/t/:tenant/account/keep', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      await keepAccount(services, tenant.id, formField(request.body, 'token') ?? '', requestContext(request));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || error.code !== 'token.invalid') throw error;
      return sendPage(reply, renderKeepAccountPage(pageContext(services, request, reply, tenant), { invalid: true }), 410);
    }
    return redirect(reply, tenant, '/login?notice=deletion_cancelled');
  });

  app.post('/t/:tenant/account/consents', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { purposes } = await offeredConsents(services, tenant.id);
    await recordConsentChoices(services.flows, tenant, current.user.id, postedConsents(request.body, purposes), 'account', requestContext(request, `user:${current.user.id}`));
    return redirect(reply, tenant, '/account?notice=consents_saved');
  });

  // Data portability: the export is the customer's whole record, so it is served only to a session
  // that has just proven itself (the confirmation page sends the browser back here).
  app.get('/t/:tenant/account/export', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return redirect(reply, tenant, '/login');
    if (!(await recentEnough(services, request, reply, tenant, current, tenantPath(tenant.id, '/account/export')))) return reply;
    await services.audit.record(requestContext(request, `user:${current.user.id}`), { tenantId: tenant.id, action: 'user.data_exported', result: 'success', subject: current.user.id });
    // This node's buffered sign-ins and assessments first, so the export holds the latest.
    await services.flows.risk.flush();
    const document = await exportUserData(services, tenant.id, current.user);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${tenant.id}-account-data.json"`)
      .send(JSON.stringify(document, null, 2));
  });

  app.post('/t/:tenant/logout', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const ended = await services.sessions.end(tenant.id, request.cookies[sessionCookieName(tenant.id)]);
    clearSessionCookie(reply, tenant.id);
    if (ended) await services.audit.record(requestContext(request, `user:${ended.userId}`), { tenantId: tenant.id, action: 'user.logout', result: 'success', subject: ended.userId });
    return redirect(reply, tenant, '/login?notice=signed_out');
  });
}

/** The registration page's profile fields: the attributes the tenant asks for at registration. */
function registrationProfileFields(tenant: Tenant, values: Record<string, unknown>, error: FrontdoorError | undefined) {
  const schema = profileSchemaOf(tenant);
  return Object.entries(schema.properties)
    .filter(([name]) => collectedAtRegistration(schema, name))
    .map(([name, attribute]) => ({ name, attribute, value: values[name], required: (schema.required ?? []).includes(name), error: error?.field === `profile.${name}` ? error.code : undefined, hint: attribute.description }));
}

/** The profile section: a field per attribute the customer may edit, the others' values to read. */
function accountProfile(locale: Locale, tenant: Tenant, values: Record<string, unknown>, errors: FormErrors | undefined) {
  const schema = profileSchemaOf(tenant);
  const fields = [];
  const readOnly = [];
  for (const [name, attribute] of Object.entries(schema.properties)) {
    const value = values[name];
    if (isEditable(attribute)) {
      const hint = isSensitive(attribute) ? t(locale, 'account.profile_sensitive') : attribute.description;
      fields.push({ name, attribute, value, required: (schema.required ?? []).includes(name), error: errors?.fields?.[`profile.${name}`], hint });
    } else if (value !== undefined && value !== null) {
      readOnly.push({ label: attribute.title ?? name, value: String(value) });
    }
  }
  return { fields, readOnly };
}

/** The account page of the signed-in user, with an error to show when a form on it failed. */
export async function sendAccountPage(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  current: { session: { id: string }; user: User },
  extra: { errors?: FormErrors; status?: number; profile?: Record<string, unknown> } = {},
) {
  const ctx = pageContext(services, request, reply, tenant);
  const [sessions, connectedApps, totpEnrolled, recoveryCodesLeft, passkeys, phone, devices, signIns, consents, activity, memberships, joinable] = await Promise.all([
    services.sessions.listForUser(tenant.id, current.user.id),
    listConnectedApps(services, tenant.id, current.user.id),
    services.flows.totp.isEnrolled(tenant.id, current.user.id),
    services.flows.totp.recoveryCodesLeft(tenant.id, current.user.id),
    accountPasskeys(services, tenant, current.session, current.user),
    services.flows.sms.phoneOf(tenant.id, current.user.id),
    services.store.trustedDevices.listForUser(tenant.id, current.user.id, services.clock.now()),
    services.flows.risk.recentSignIns(tenant, current.user.id, RECENT_SIGN_INS),
    accountConsents(services, tenant.id, current.user.id),
    recentSecurityActivity(services.store, tenant.id, current.user.id, RECENT_SECURITY_ACTIVITY),
    services.store.organizations.ofUser(tenant.id, current.user.id),
    joinableOrganizations(services.store, tenant.id, current.user),
  ]);
  const identities = await listFederatedIdentities(services.store, tenant.id, current.user.id);
  const memberOf = await Promise.all(memberships.map(async (m) => ({ id: m.orgId, name: (await services.store.organizations.get(tenant.id, m.orgId))?.name ?? m.orgId, roles: m.roles })));
  const notice = parseNotice((request.query as Record<string, unknown>).notice);
  return sendPage(
    reply,
    renderAccountPage(ctx, {
      email: current.user.email,
      emailVerified: current.user.emailVerified,
      minLength: effectiveMinLength(tenant.settings, false),
      ...(notice ? { notice } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
      sessions: sessions.map((s) => ({
        id: s.id,
        current: s.id === current.session.id,
        device: describeUserAgent(s.userAgent, ctx.locale),
        ip: s.ip,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
      })),
      connectedApps,
      totpEnrolled,
      recoveryCodesLeft,
      mfaOffered: mfaPolicy(tenant) !== 'off',
      totpOffered: authenticatorAppOffered(tenant),
      passwords: passwordsEnabled(tenant),
      ...(passkeys ? { passkeys } : {}),
      ...(services.flows.sms.offered(tenant) ? { sms: { phone: phone?.confirmedAt ? maskPhone(phone.phone) : null } } : {}),
      identities: identities.map((i) => ({ id: i.id, connection: i.connectionName, createdAt: i.createdAt, lastUsedAt: i.lastUsedAt })),
      rememberedDevices: devices.map((d) => ({ id: d.id, name: d.name, lastUsedAt: d.lastUsedAt, expiresAt: d.expiresAt })),
      recentSignIns: signIns.map((s) => ({ id: s.id, device: s.deviceName, country: s.country, at: s.at, methods: s.methods, current: s.sessionId === current.session.id })),
      securityActivity: activity.map((a) => ({
        kind: a.kind,
        at: a.at,
        from: a.userAgent || a.ip ? [a.userAgent ? describeUserAgent(a.userAgent, ctx.locale) : null, a.ip].filter(Boolean).join(', ') : null,
        bySupport: a.bySupport,
      })),
      organizations: { memberships: memberOf, joinable: joinable.map((org) => ({ id: org.id, name: org.name })) },
      consents,
      deletionGraceDays: tenant.settings.accountDeletionGraceDays ?? 0,
      profile: accountProfile(ctx.locale, tenant, extra.profile ?? current.user.profile, extra.errors),
    }),
    extra.status ?? 200,
  );
}
