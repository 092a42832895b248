// /t/{tenant}/account/organizations/{orgId}: an organization's members, for its owners and admins.
// Every route checks that the signed-in customer manages that organization; for any other id the
// answer is not found, so one organization's admins learn nothing of another's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { inviteToOrganization } from '../../core/orgs/invitations.ts';
import { mayAssign, OWNER, putMember, removeMember, requireOrganizationManager } from '../../core/orgs/organizations.ts';
import type { Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderOrganizationAdminPage } from '../../pages/views/organization-admin.ts';
import { parseNotice, type FormErrors } from '../../pages/views/types.ts';
import { requestContext } from '../request-context.ts';
import { currentSession, formField, isFormError, loadTenant, pageContext, sendPage } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };
const ROLES = new Set(['member', 'admin', OWNER]);

export function registerOrganizationAdminPages(app: FastifyInstance, services: Services): void {
  const orgIdOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;
  const back = (reply: FastifyReply, tenant: Tenant, orgId: string, notice: string) => reply.redirect(tenantPath(tenant.id, `/account/organizations/${encodeURIComponent(orgId)}?notice=${notice}`), 303);

  async function showPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, extra: { errors?: FormErrors; status?: number } = {}) {
    const { org, roles } = await requireOrganizationManager(services.store, tenant.id, orgIdOf(request), user);
    const members = await services.store.organizations.members(tenant.id, org.id, 1000);
    const rows = await Promise.all(members.map(async (m) => ({ userId: m.userId, email: (await services.store.users.get(tenant.id, m.userId))?.email ?? m.userId, roles: m.roles, self: m.userId === user.id })));
    const notice = parseNotice((request.query as Record<string, unknown>).notice);
    return sendPage(
      reply,
      renderOrganizationAdminPage(pageContext(services, request, reply, tenant), { org: { id: org.id, name: org.name }, members: rows, managerIsOwner: roles.includes(OWNER), ...(notice ? { notice } : {}), ...(extra.errors ? { errors: extra.errors } : {}) }),
      extra.status ?? 200,
    );
  }

  app.get('/t/:tenant/account/organizations/:orgId', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    return showPage(request, reply, tenant, current.user);
  });

  app.post('/t/:tenant/account/organizations/:orgId/members/:userId/role', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { roles: managerRoles, org } = await requireOrganizationManager(services.store, tenant.id, orgIdOf(request), current.user);
    const userId = (request.params as { userId: string }).userId;
    const target = await services.store.organizations.member(tenant.id, org.id, userId);
    const role = formField(request.body, 'role') ?? '';
    if (!target || !ROLES.has(role)) throw new FrontdoorError('organization.member_not_found');
    if (!mayAssign(managerRoles, target.roles, [role])) throw new FrontdoorError('auth.forbidden');
    try {
      await putMember(services, tenant.id, org.id, userId, [role], requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return showPage(request, reply, tenant, current.user, { errors: { form: error.code }, status: error.status });
    }
    return back(reply, tenant, org.id, 'member_updated');
  });

  app.post('/t/:tenant/account/organizations/:orgId/members/:userId/remove', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { roles: managerRoles, org } = await requireOrganizationManager(services.store, tenant.id, orgIdOf(request), current.user);
    const userId = (request.params as { userId: string }).userId;
    const target = await services.store.organizations.member(tenant.id, org.id, userId);
    if (!target) throw new FrontdoorError('organization.member_not_found');
    if (!mayAssign(managerRoles, target.roles, [])) throw new FrontdoorError('auth.forbidden');
    try {
      await removeMember(services, tenant.id, org.id, userId, requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return showPage(request, reply, tenant, current.user, { errors: { form: error.code }, status: error.status });
    }
    return back(reply, tenant, org.id, 'member_removed');
  });

  app.post('/t/:tenant/account/organizations/:orgId/invitations', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const { roles: managerRoles, org } = await requireOrganizationManager(services.store, tenant.id, orgIdOf(request), current.user);
    const role = formField(request.body, 'role') ?? 'member';
    if (!ROLES.has(role) || !mayAssign(managerRoles, [], [role])) throw new FrontdoorError('auth.forbidden');
    try {
      await inviteToOrganization({ ...services, mailer: services.flows.mailer }, tenant, org.id, { email: formField(request.body, 'invitee'), roles: [role] }, requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return showPage(request, reply, tenant, current.user, { errors: error.field === 'email' ? { fields: { invitee: 'email.invalid' } } : { form: error.code }, status: 400 });
    }
    return back(reply, tenant, org.id, 'invitation_sent');
  });
}
