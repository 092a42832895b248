// "This wasn't me": from the account page's recent sign-ins, and from the new-device mail's link.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { isReportLinkLive, reportSignIn, reportSignInByLink } from '../../core/flows/sign-in-report.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderReportInvalidPage, renderReportSignInPage } from '../../pages/views/sign-ins.ts';
import { requestContext } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import { clearSessionCookie, formField, loadTenant, pageContext, sendPage } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };
/** How many of the account's sign-ins the account page lists. */
export const RECENT_SIGN_INS = 10;

export function registerSignInReportRoutes(app: FastifyInstance, services: Services): void {
  app.post('/t/:tenant/account/sign-ins/:id/report', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { id } = request.params as { id: string };
    const recent = await services.flows.risk.recentSignIns(tenant, current.user.id, RECENT_SIGN_INS);
    if (!recent.some((s) => s.id === id)) throw new FrontdoorError('request.not_found');
    await reportSignIn(services.flows, { tenant, user: current.user, signInId: id, via: 'account' }, requestContext(request, `user:${current.user.id}`));
    clearSessionCookie(reply, tenant.id);
    return reply.redirect(tenantPath(tenant.id, '/login?notice=sign_in_reported'), 303);
  });

  app.get('/t/:tenant/report-sign-in', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    if (typeof token !== 'string' || !(await isReportLinkLive(services.flows, tenant, token))) return sendPage(reply, renderReportInvalidPage(ctx), 410);
    return sendPage(reply, renderReportSignInPage(ctx, { token }));
  });

  app.post('/t/:tenant/report-sign-in', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    try {
      await reportSignInByLink(services.flows, { tenant, token: formField(request.body, 'token') }, requestContext(request));
    } catch (error) {
      if (error instanceof FrontdoorError && error.code === 'token.invalid') return sendPage(reply, renderReportInvalidPage(pageContext(services, request, reply, tenant)), 410);
      throw error;
    }
    clearSessionCookie(reply, tenant.id);
    return reply.redirect(tenantPath(tenant.id, '/login?notice=sign_in_reported'), 303);
  });
}
