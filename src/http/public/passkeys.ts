// Passkeys on the hosted pages: sign in with one (button or autofill), use one as the second
// factor, add, rename and remove them on the account page, and the offer of one after a password
// sign-in. The browser's WebAuthn answer arrives as the form field `response` (see
// pages/assets/passkeys.js); every form carries its CSRF token like any other.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { completeSecondFactorWithPasskey, removePasskey, signInWithPasskey } from '../../core/flows/passkey.ts';
import type { Tenant, User } from '../../core/ports.ts';
import { signedInPost } from './signed-in.ts';
import { tenantPath } from '../../pages/layout.ts';
import { describeUserAgent } from '../../pages/views/device.ts';
import { renderLoginPage } from '../../pages/views/login.ts';
import { renderPasskeyOfferDonePage, renderPasskeyOfferPage } from '../../pages/views/passkeys.ts';
import { renderSecondFactorPage } from '../../pages/views/second-factor.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext, requestLocale } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import {
  afterSignInSteps,
  ceremonyAnswer,
  clearFlowCookie,
  currentSession,
  flowCookieName,
  formErrors,
  formField,
  isFormError,
  loadTenant,
  pageContext,
  PASSKEY_OFFER_SNOOZE_SECONDS,
  rememberDeviceIfAsked,
  passkeyOfferCookieName,
  sameTenantPath,
  secondFactorMethods,
  sendPage,
  setFlowStyleCookie,
  signInAlternatives,
  startUserSession,
  unknownPasskeySignal,
  withRetryAfter,
} from './page-support.ts';
import { sendAccountPage } from './pages.ts';

const page = { config: { page: true } };

/** A passkey's default name: the browser and system it was made on, e.g. "Chrome on Android". */
export function defaultPasskeyName(request: FastifyRequest): string {
  return describeUserAgent(request.headers['user-agent'] ?? null, requestLocale(request));
}

export function registerPasskeyRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  const redirect = (reply: FastifyReply, tenant: Tenant, path: string) => reply.redirect(tenantPath(tenant.id, path), 303);

  // ---- sign-in with a passkey ------------------------------------------------------------------
  app.post('/t/:tenant/login/passkey', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    let response: unknown = null;
    try {
      response = ceremonyAnswer(request);
      const { user, amr } = await signInWithPasskey(services.flows, { tenant, response }, requestContext(request));
      metrics.signInMethods.inc({ method: 'passkey', stage: 'completed' });
      await startUserSession(services, request, reply, tenant, user, amr);
      return reply.redirect(await afterSignInSteps(services, tenant, user, tenantPath(tenant.id, '/account')), 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signInMethods.inc({ method: 'passkey', stage: 'failed' });
      const status = withRetryAfter(reply, error);
      const ctx = pageContext(services, request, reply, tenant);
      const signal = error.code === 'passkey.unknown_credential' ? unknownPasskeySignal(services, tenant, response) : undefined;
      const alternatives = await signInAlternatives(services, tenant, tenantPath(tenant.id, '/login'));
      return sendPage(reply, renderLoginPage(ctx, { errors: formErrors(error), ...alternatives, ...(signal ? { passkeySignal: signal } : {}) }), status);
    }
  });

  // ---- a passkey as the second factor ------------------------------------------------------------
  app.post('/t/:tenant/login/second-factor/passkey', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      const done = await completeSecondFactorWithPasskey(services.flows, { tenant, token: request.cookies[flowCookieName(tenant.id)], response: ceremonyAnswer(request) }, requestContext(request));
      metrics.secondFactors.inc({ method: 'passkey', result: 'success' });
      clearFlowCookie(reply, tenant.id);
      await rememberDeviceIfAsked(services, request, reply, tenant, done.user);
      await startUserSession(services, request, reply, tenant, done.user, done.amr);
      return reply.redirect(await afterSignInSteps(services, tenant, done.user, done.returnTo ?? tenantPath(tenant.id, '/account')), 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.secondFactors.inc({ method: 'passkey', result: 'failure' });
      if (error.code === 'mfa.flow_expired') clearFlowCookie(reply, tenant.id);
      const status = withRetryAfter(reply, error);
      const methods = error.code === 'mfa.flow_expired' ? { totp: false } : await secondFactorMethods(services, request, tenant, tenantPath(tenant.id, '/login/second-factor'));
      return sendPage(reply, renderSecondFactorPage(pageContext(services, request, reply, tenant), { errors: formErrors(error), ...methods }), status);
    }
  });

  // ---- the account page ------------------------------------------------------------------------
  app.post('/t/:tenant/account/passkeys', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await services.flows.passkeys.register(tenant, current.user, current.session.id, ceremonyAnswer(request), defaultPasskeyName(request), requestContext(request, `user:${current.user.id}`));
      metrics.passkeyRegistrations.inc({ source: 'account', result: 'success' });
      return redirect(reply, tenant, '/account?notice=passkey_added');
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.passkeyRegistrations.inc({ source: 'account', result: 'failure' });
      return sendAccountPage(services, request, reply, tenant, current, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/passkeys/:id/rename', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { id } = request.params as { id: string };
    try {
      await services.flows.passkeys.rename(tenant, current.user, id, formField(request.body, 'name'), requestContext(request, `user:${current.user.id}`));
      return redirect(reply, tenant, '/account?notice=passkey_renamed');
    } catch (error) {
      if (!isFormError(error)) throw error;
      const errors: FormErrors = { form: error.code };
      return sendAccountPage(services, request, reply, tenant, current, { errors, status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/passkeys/:id/delete', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    const { id } = request.params as { id: string };
    try {
      await removePasskey(services.flows, tenant, current.user, id, requestContext(request, `user:${current.user.id}`));
      return redirect(reply, tenant, '/account?notice=passkey_removed');
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendAccountPage(services, request, reply, tenant, current, { errors: { form: error.code }, status: withRetryAfter(reply, error) });
    }
  });

  // ---- the offer after a password sign-in --------------------------------------------------------
  async function offerPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, current: { session: { id: string }; user: User }, next: string, status = 200) {
    const options = await services.flows.passkeys.registrationOptions(tenant, current.user, current.session.id);
    const ctx = pageContext(services, request, reply, tenant);
    return sendPage(reply, renderPasskeyOfferPage(ctx, { register: { action: tenantPath(tenant.id, '/passkeys/offer'), options }, skipAction: tenantPath(tenant.id, '/passkeys/offer/skip'), next }), status);
  }

  app.get('/t/:tenant/passkeys/offer', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const next = sameTenantPath(tenant, (request.query as Record<string, unknown>).next) ?? tenantPath(tenant.id, '/account');
    const current = await currentSession(services, request, tenant);
    if (!current) return redirect(reply, tenant, '/login');
    if ((await services.store.passkeys.countForUser(tenant.id, current.user.id)) > 0) return reply.redirect(next, 303);
    metrics.passkeyRegistrations.inc({ source: 'offer', result: 'offered' });
    return offerPage(request, reply, tenant, current, next);
  });

  app.post('/t/:tenant/passkeys/offer', page, async (request, reply) => {
    const nextOf = (tenant: Tenant) => sameTenantPath(tenant, formField(request.body, 'next')) ?? tenantPath(tenant.id, '/account');
    const found = await signedInPost(services, request, reply, { sensitive: true, next: nextOf });
    if (!found) return reply;
    const { tenant, current } = found;
    const next = nextOf(tenant);
    try {
      await services.flows.passkeys.register(tenant, current.user, current.session.id, ceremonyAnswer(request), defaultPasskeyName(request), requestContext(request, `user:${current.user.id}`));
      metrics.passkeyRegistrations.inc({ source: 'offer', result: 'success' });
      return sendPage(reply, renderPasskeyOfferDonePage(pageContext(services, request, reply, tenant), { next, added: true }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.passkeyRegistrations.inc({ source: 'offer', result: 'failure' });
      // Not worth stopping a sign-in for: go on, the account page can add one later.
      return sendPage(reply, renderPasskeyOfferDonePage(pageContext(services, request, reply, tenant), { next, added: false }));
    }
  });

  app.post('/t/:tenant/passkeys/offer/skip', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const next = sameTenantPath(tenant, formField(request.body, 'next')) ?? tenantPath(tenant.id, '/account');
    setFlowStyleCookie(reply, passkeyOfferCookieName(tenant.id), '1', PASSKEY_OFFER_SNOOZE_SECONDS);
    metrics.passkeyRegistrations.inc({ source: 'offer', result: 'skipped' });
    return sendPage(reply, renderPasskeyOfferDonePage(pageContext(services, request, reply, tenant), { next, added: false }));
  });
}
