// Sign-in by email on the hosted pages: "Email me a sign-in code" on the sign-in form, the page
// where the code is typed, and the page a magic link opens. The browser that asked holds the flow
// cookie; the code and the link only work with it (the link elsewhere shows a code for it).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { completeEmailCode, completeMagicLink, EMAIL_SIGN_IN_AMR, MAGIC_LINK_SECONDS, magicLinkIsLive, openEmailSignIn, requestEmailSignIn } from '../../core/flows/email-sign-in.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderContinuePage, renderEmailCodePage, renderMagicLinkInvalidPage, renderMagicLinkOtherDevicePage, renderMagicLinkPage } from '../../pages/views/email-sign-in.ts';
import { renderLoginPage } from '../../pages/views/login.ts';
import { parseNotice } from '../../pages/views/types.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import { afterPassword, afterSignInSteps, clearFlowStyleCookie, emailSignInCookieName, setFlowStyleCookie, formErrors, formField, isFormError, loadTenant, pageContext, sendPage, signInAlternatives, withRetryAfter } from './page-support.ts';

const page = { config: { page: true } };

export function setEmailSignInCookie(reply: FastifyReply, tenantId: string, token: string): void {
  setFlowStyleCookie(reply, emailSignInCookieName(tenantId), token, MAGIC_LINK_SECONDS);
}

export function clearEmailSignInCookie(reply: FastifyReply, tenantId: string): void {
  clearFlowStyleCookie(reply, emailSignInCookieName(tenantId));
}

/**
 * After a mailed code or link proved the address: the session, or the second factor the policy
 * asks for. Returns where the browser goes next.
 */
export async function afterEmailSignIn(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  user: User,
  next: string,
  metrics: Metrics,
  method: 'email_code' | 'magic_link',
): Promise<{ next: string; session?: Session }> {
  clearEmailSignInCookie(reply, tenant.id);
  metrics.signInMethods.inc({ method, stage: 'completed' });
  const result = await afterPassword(services, request, reply, tenant, user, next, EMAIL_SIGN_IN_AMR);
  // An app's sign-in (OIDC interaction) goes on inside the interaction: its second-factor page,
  // or its resume step, which finishes it with the new session.
  const interaction = INTERACTION_PATH.test(next);
  if ('secondFactorPath' in result) {
    metrics.secondFactors.inc({ method: 'any', result: 'started' });
    return { next: interaction && result.secondFactor === 'verify' ? `${next}/second-factor` : result.secondFactorPath };
  }
  return { next: await afterSignInSteps(services, tenant, user, interaction ? `${next}/resume` : next), session: result.session };
}

const INTERACTION_PATH = /^\/t\/[^/]+\/interaction\/[^/]+$/;

export function registerEmailSignInRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  const account = (tenant: Tenant) => tenantPath(tenant.id, '/account');

  app.post('/t/:tenant/login/email', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const email = formField(request.body, 'email');
    try {
      const { browserToken } = await requestEmailSignIn(services.flows, { tenant, email, returnTo: null }, requestContext(request));
      metrics.signInMethods.inc({ method: 'email_code', stage: 'started' });
      setEmailSignInCookie(reply, tenant.id, browserToken);
      return reply.redirect(tenantPath(tenant.id, '/login/email/code'), 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const status = withRetryAfter(reply, error);
      const alternatives = await signInAlternatives(services, tenant, tenantPath(tenant.id, '/login'));
      return sendPage(reply, renderLoginPage(pageContext(services, request, reply, tenant), { email: email ?? '', errors: formErrors(error), ...alternatives }), status);
    }
  });

  app.get('/t/:tenant/login/email/code', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    if (!(await openEmailSignIn(services.flows, tenant, request.cookies[emailSignInCookieName(tenant.id)]))) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    const notice = parseNotice((request.query as Record<string, unknown>).notice);
    return sendPage(reply, renderEmailCodePage(pageContext(services, request, reply, tenant), notice ? { notice } : {}));
  });

  app.post('/t/:tenant/login/email/code', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      const done = await completeEmailCode(services.flows, { tenant, browserToken: request.cookies[emailSignInCookieName(tenant.id)], code: formField(request.body, 'code') }, requestContext(request));
      const { next } = await afterEmailSignIn(services, request, reply, tenant, done.user, done.returnTo ?? account(tenant), metrics, 'email_code');
      return reply.redirect(next, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signInMethods.inc({ method: 'email_code', stage: 'failed' });
      if (error.code === 'email_code.expired') clearEmailSignInCookie(reply, tenant.id);
      return sendPage(reply, renderEmailCodePage(pageContext(services, request, reply, tenant), { errors: formErrors(error) }), withRetryAfter(reply, error));
    }
  });

  // A link in a mail opens a page; only its button acts (mail scanners fetch links).
  app.get('/t/:tenant/login/email/link', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    if (typeof token !== 'string' || !(await magicLinkIsLive(services.flows, tenant, token))) return sendPage(reply, renderMagicLinkInvalidPage(ctx), 410);
    return sendPage(reply, renderMagicLinkPage(ctx, { token }));
  });

  app.post('/t/:tenant/login/email/link', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      const result = await completeMagicLink(services.flows, { tenant, linkToken: formField(request.body, 'token'), browserToken: request.cookies[emailSignInCookieName(tenant.id)] }, requestContext(request));
      const ctx = pageContext(services, request, reply, tenant);
      if (result.kind === 'other_device') return sendPage(reply, renderMagicLinkOtherDevicePage(ctx, { code: result.code }));
      const { next } = await afterEmailSignIn(services, request, reply, tenant, result.user, result.returnTo ?? account(tenant), metrics, 'magic_link');
      // A page, not a redirect: `next` may lead on to an app, beyond this form's `form-action`.
      return sendPage(reply, renderContinuePage(ctx, { next }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signInMethods.inc({ method: 'magic_link', stage: 'failed' });
      const ctx = pageContext(services, request, reply, tenant);
      if (error.code === 'token.invalid') return sendPage(reply, renderMagicLinkInvalidPage(ctx), 410);
      throw error;
    }
  });
}
