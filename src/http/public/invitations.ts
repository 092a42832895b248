// /t/{tenant}/invitation: the page behind an organization invitation's link, and joining from it.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { acceptOrganizationInvitation, invitationIsFor, openInvitation } from '../../core/orgs/invitations.ts';
import { maskEmail } from '../../core/users/email-change.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderInvitationPage } from '../../pages/views/invitation.ts';
import { requestContext } from '../request-context.ts';
import { currentSession, formField, loadTenant, pageContext, sendPage } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };

export function registerInvitationPages(app: FastifyInstance, services: Services): void {
  app.get('/t/:tenant/invitation', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    const open = await openInvitation(services.store, services.clock, tenant.id, token);
    if (!open) return sendPage(reply, renderInvitationPage(ctx, { state: 'invalid' }), 410);
    const current = await currentSession(services, request, tenant);
    const state = !current ? 'sign_in' : invitationIsFor(open.invitation, current.user) ? 'accept' : 'other_account';
    return sendPage(reply, renderInvitationPage(ctx, { state, organization: open.organization.name, token: token as string, email: maskEmail(open.invitation.email) }));
  });

  app.post('/t/:tenant/invitation', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await acceptOrganizationInvitation(services, tenant, current.user, formField(request.body, 'token'), requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || (error.code !== 'token.invalid' && error.code !== 'organization.invitation_other_address')) throw error;
      return sendPage(reply, renderInvitationPage(pageContext(services, request, reply, tenant), { state: 'invalid' }), error.code === 'token.invalid' ? 410 : 403);
    }
    return reply.redirect(tenantPath(tenant.id, '/account?notice=invitation_accepted'), 303);
  });
}
