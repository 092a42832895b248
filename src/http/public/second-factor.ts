// The authenticator app on the hosted pages: the second step of a sign-in, setting the app up
// from the account page (QR code, first code), and turning it off (a current code).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Services } from '../../app.ts';
import type { TotpEnrollment } from '../../core/credentials/totp.ts';
import { authenticatorAppOffered, completeSecondFactorEnrollment, hasOtherSecondFactor, mfaPolicy, openSecondFactor, secondFactorEnrollment } from '../../core/flows/second-factor.ts';
import { maskPhone } from '../../core/credentials/sms-otp.ts';
import { passkeysEnabled } from '../../core/credentials/passkeys.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderMfaNudgePage, renderPhoneConfirmPage, renderRecoveryCodesPage, renderSecondFactorPage, renderTotpSetupPage } from '../../pages/views/second-factor.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import { recentEnough, signedInPost } from './signed-in.ts';
import { afterSignInSteps, clearFlowCookie, completeSignInWithCode, currentSession, sameTenantPath, secondFactorMethods, sendSecondFactorSms, flowCookieName, formErrors, formField, isFormError, loadTenant, pageContext, sendPage, startUserSession, withRetryAfter } from './page-support.ts';
import { sendAccountPage } from './pages.ts';

const page = { config: { page: true } };
const SECOND_FACTOR_PAGE = (tenant: Tenant) => tenantPath(tenant.id, '/login/second-factor');

/** The otpauth:// URI as a QR code: an SVG data URL (the pages' CSP allows data: images only). */
async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function registerSecondFactorRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  const redirect = (reply: FastifyReply, tenant: Tenant, path: string) => reply.redirect(tenantPath(tenant.id, path), 303);

  // ---- second step of a sign-in ----------------------------------------------------------------
  /** The set-up page of a sign-in that must set an app up first (policy `required`). */
  async function signInSetupPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, enrollment: TotpEnrollment, extra: { errors?: FormErrors; status?: number } = {}) {
    return sendPage(
      reply,
      renderTotpSetupPage(pageContext(services, request, reply, tenant), {
        qrDataUrl: await qrDataUrl(enrollment.uri),
        secret: enrollment.secret,
        action: tenantPath(tenant.id, '/login/second-factor/setup'),
        duringSignIn: true,
        ...(extra.errors ? { errors: extra.errors } : {}),
      }),
      extra.status ?? 200,
    );
  }

  app.get('/t/:tenant/login/second-factor', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = request.cookies[flowCookieName(tenant.id)];
    if (!(await openSecondFactor(services.flows, tenant, token))) return redirect(reply, tenant, '/login');
    const enrollment = await secondFactorEnrollment(services.flows, { tenant, token }, requestContext(request));
    if (enrollment) return signInSetupPage(request, reply, tenant, enrollment);
    const methods = await secondFactorMethods(services, request, tenant, SECOND_FACTOR_PAGE(tenant));
    return sendPage(reply, renderSecondFactorPage(pageContext(services, request, reply, tenant), methods));
  });

  app.post('/t/:tenant/login/second-factor/setup', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const token = request.cookies[flowCookieName(tenant.id)];
    try {
      const done = await completeSecondFactorEnrollment(services.flows, { tenant, token, code: formField(request.body, 'code') }, requestContext(request));
      metrics.mfaEnrollments.inc({ method: 'totp', stage: 'completed' });
      metrics.secondFactors.inc({ method: 'totp', result: 'success' });
      clearFlowCookie(reply, tenant.id);
      await startUserSession(services, request, reply, tenant, done.user, done.amr);
      return sendPage(reply, renderRecoveryCodesPage(pageContext(services, request, reply, tenant), { codes: done.recoveryCodes, next: done.returnTo ?? tenantPath(tenant.id, '/account') }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.secondFactors.inc({ method: 'totp', result: 'failure' });
      const status = withRetryAfter(reply, error);
      if (error.code === 'mfa.flow_expired') {
        clearFlowCookie(reply, tenant.id);
        return sendPage(reply, renderSecondFactorPage(pageContext(services, request, reply, tenant), { errors: formErrors(error) }), status);
      }
      const enrollment = await secondFactorEnrollment(services.flows, { tenant, token }, requestContext(request));
      if (!enrollment) return redirect(reply, tenant, '/login/second-factor');
      return signInSetupPage(request, reply, tenant, enrollment, { errors: formErrors(error), status });
    }
  });

  app.post('/t/:tenant/login/second-factor', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      const { user, returnTo } = await completeSignInWithCode(services, request, reply, tenant, metrics);
      // returnTo was set by our own code when the flow began (the account page or an OIDC interaction).
      return reply.redirect(await afterSignInSteps(services, tenant, user, returnTo ?? tenantPath(tenant.id, '/account')), 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const status = withRetryAfter(reply, error);
      const methods = await secondFactorMethods(services, request, tenant, SECOND_FACTOR_PAGE(tenant));
      return sendPage(reply, renderSecondFactorPage(pageContext(services, request, reply, tenant), { errors: formErrors(error), ...methods }), status);
    }
  });

  app.post('/t/:tenant/login/second-factor/sms', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const ctx = () => pageContext(services, request, reply, tenant);
    try {
      await sendSecondFactorSms(services, request, tenant);
      metrics.secondFactors.inc({ method: 'sms', result: 'started' });
      return sendPage(reply, renderSecondFactorPage(ctx(), await secondFactorMethods(services, request, tenant, SECOND_FACTOR_PAGE(tenant), { smsSent: true })));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || (error.status >= 500 && error.code !== 'sms.unavailable')) throw error;
      if (error.code === 'mfa.flow_expired') return redirect(reply, tenant, '/login');
      const methods = await secondFactorMethods(services, request, tenant, SECOND_FACTOR_PAGE(tenant));
      return sendPage(reply, renderSecondFactorPage(ctx(), { errors: { form: error.code }, ...methods }), withRetryAfter(reply, error));
    }
  });

  // ---- the one-time offer of a second factor ----------------------------------------------------
  app.get('/t/:tenant/security', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return redirect(reply, tenant, '/login');
    const next = sameTenantPath(tenant, (request.query as Record<string, unknown>).next) ?? tenantPath(tenant.id, '/account');
    return sendPage(
      reply,
      renderMfaNudgePage(pageContext(services, request, reply, tenant), { next, passkeys: passkeysEnabled(tenant), totp: authenticatorAppOffered(tenant), sms: services.flows.sms.offered(tenant) }),
    );
  });

  // ---- text-message codes on the account page ---------------------------------------------------
  app.post('/t/:tenant/account/phone', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.sms.beginEnrollment(tenant, current.user, formField(request.body, 'phone'), requestContext(request, `user:${current.user.id}`));
      metrics.mfaEnrollments.inc({ method: 'sms', stage: 'started' });
      const phone = await services.flows.sms.phoneOf(tenant.id, current.user.id);
      return sendPage(reply, renderPhoneConfirmPage(pageContext(services, request, reply, tenant), { phone: maskPhone(phone!.phone) }));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || (error.status >= 500 && error.code !== 'sms.unavailable')) throw error;
      if (error.code === 'mfa.already_enrolled') return redirect(reply, tenant, '/account');
      const errors: FormErrors = error.code === 'phone.invalid' ? { fields: { phone: error.code } } : { form: error.code };
      return sendAccountPage(services, request, reply, tenant, current, { errors, status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/phone/confirm', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.sms.confirmEnrollment(tenant, current.user, formField(request.body, 'code'), requestContext(request, `user:${current.user.id}`));
      metrics.mfaEnrollments.inc({ method: 'sms', stage: 'completed' });
      return redirect(reply, tenant, '/account?notice=phone_added');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const phone = await services.flows.sms.phoneOf(tenant.id, current.user.id);
      if (!phone || phone.confirmedAt !== null) return redirect(reply, tenant, '/account');
      return sendPage(reply, renderPhoneConfirmPage(pageContext(services, request, reply, tenant), { phone: maskPhone(phone.phone), errors: formErrors(error) }), withRetryAfter(reply, error));
    }
  });

  // A new number in one step: the code goes to the new number, the old one works until it is typed back.
  app.post('/t/:tenant/account/phone/change', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.sms.beginChange(tenant, current.user, formField(request.body, 'phone'), requestContext(request, `user:${current.user.id}`));
      const phone = await services.flows.sms.phoneOf(tenant.id, current.user.id);
      return sendPage(reply, renderPhoneConfirmPage(pageContext(services, request, reply, tenant), { phone: maskPhone(phone!.pendingPhone!), change: true }));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || (error.status >= 500 && error.code !== 'sms.unavailable')) throw error;
      if (error.code === 'mfa.no_pending_enrollment') return redirect(reply, tenant, '/account');
      const errors: FormErrors = error.code === 'phone.invalid' || error.code === 'phone.unchanged' ? { fields: { phone: error.code } } : { form: error.code };
      return sendAccountPage(services, request, reply, tenant, current, { errors, status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/phone/change/confirm', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.sms.confirmChange(tenant, current.user, formField(request.body, 'code'), requestContext(request, `user:${current.user.id}`));
      return redirect(reply, tenant, '/account?notice=phone_changed');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const phone = await services.flows.sms.phoneOf(tenant.id, current.user.id);
      if (!phone?.pendingPhone) return redirect(reply, tenant, '/account');
      return sendPage(reply, renderPhoneConfirmPage(pageContext(services, request, reply, tenant), { phone: maskPhone(phone.pendingPhone), change: true, errors: formErrors(error) }), withRetryAfter(reply, error));
    }
  });

  app.post('/t/:tenant/account/phone/remove', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    if (mfaPolicy(tenant) === 'required' && !(await hasOtherSecondFactor(services.flows, tenant, current.user.id, { sms: true }))) {
      return sendAccountPage(services, request, reply, tenant, current, { errors: { form: 'mfa.required_by_policy' }, status: 400 });
    }
    await services.flows.sms.remove(tenant, current.user, requestContext(request, `user:${current.user.id}`));
    return redirect(reply, tenant, '/account?notice=phone_removed');
  });

  // ---- setting the app up ----------------------------------------------------------------------
  async function setupPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, extra: { errors?: FormErrors; status?: number } = {}) {
    const ctx = requestContext(request, `user:${user.id}`);
    let enrollment = await services.flows.totp.pendingEnrollment(tenant, user);
    if (!enrollment) {
      enrollment = await services.flows.totp.beginEnrollment(tenant, user, ctx);
      metrics.mfaEnrollments.inc({ method: 'totp', stage: 'started' });
    }
    return sendPage(
      reply,
      renderTotpSetupPage(pageContext(services, request, reply, tenant), { qrDataUrl: await qrDataUrl(enrollment.uri), secret: enrollment.secret, ...(extra.errors ? { errors: extra.errors } : {}) }),
      extra.status ?? 200,
    );
  }

  app.get('/t/:tenant/account/totp', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return redirect(reply, tenant, '/login');
    if (!authenticatorAppOffered(tenant) || (await services.flows.totp.isEnrolled(tenant.id, current.user.id))) return redirect(reply, tenant, '/account');
    if (!(await recentEnough(services, request, reply, tenant, current, tenantPath(tenant.id, '/account/totp')))) return reply;
    return setupPage(request, reply, tenant, current.user);
  });

  app.post('/t/:tenant/account/totp', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      const { recoveryCodes } = await services.flows.totp.confirmEnrollment(tenant, current.user, formField(request.body, 'code'), requestContext(request, `user:${current.user.id}`));
      metrics.mfaEnrollments.inc({ method: 'totp', stage: 'completed' });
      return sendPage(reply, renderRecoveryCodesPage(pageContext(services, request, reply, tenant), { codes: recoveryCodes }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      if (error.code === 'mfa.already_enrolled') return redirect(reply, tenant, '/account');
      return setupPage(request, reply, tenant, current.user, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/recovery-codes', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      const codes = await services.flows.totp.regenerateRecoveryCodes(tenant, current.user, formField(request.body, 'recovery_totp_code'), requestContext(request, `user:${current.user.id}`));
      return sendPage(reply, renderRecoveryCodesPage(pageContext(services, request, reply, tenant), { codes }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      const errors: FormErrors = error.code === 'mfa.invalid_code' ? { fields: { recovery_totp_code: error.code } } : formErrors(error);
      return sendAccountPage(services, request, reply, tenant, current, { errors, status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/totp/remove', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.totp.remove(tenant, current.user, formField(request.body, 'totp_code'), requestContext(request, `user:${current.user.id}`));
      return redirect(reply, tenant, '/account?notice=totp_disabled');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const errors: FormErrors = error.code === 'mfa.invalid_code' || error.code === 'mfa.required_by_policy' ? { fields: { totp_code: error.code } } : formErrors(error);
      return sendAccountPage(services, request, reply, tenant, current, { errors, status: withRetryAfter(reply, error) });
    }
  });
}
