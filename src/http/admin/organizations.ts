// /tenants/:tenantId/organizations: organizations inside a tenant (B2B2C) and their members with
// their roles there; /users/:userId/organizations: the organizations a user belongs to.
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { createOrganization, deleteOrganization, putMember, removeMember, requireOrganization, updateOrganization } from '../../core/orgs/organizations.ts';
import { inviteToOrganization } from '../../core/orgs/invitations.ts';
import type { Organization, OrganizationInvitation, OrganizationMember, OrganizationSettings } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import { closed, errorResponses, NoContent, opaqueId, TenantParams, text, timestamp, UserParams, type AdminApp } from './schemas.ts';
import { iso } from './wire.ts';

const tags = ['organizations'];
const DEFAULT_PAGE = 50;

const roleName = Type.String({ maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.:-]{0,63}$' });
const Settings = Type.Object(
  {
    require_mfa: Type.Optional(Type.Boolean({ description: 'Members sign in to its apps with a second factor.' })),
    join_domains: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 20, description: 'Verified addresses at these domains may join as `member`.' })),
  },
  closed,
);
const OrganizationWire = Type.Object({ id: Type.String({ description: 'Organization id (`org_…`).' }), name: Type.String(), settings: Settings, created_at: timestamp('When it was created.'), updated_at: timestamp('When it was last changed.') }, closed);
const MemberWire = Type.Object({ user_id: Type.String(), roles: Type.Array(Type.String()), joined_at: timestamp('When the user joined.') }, closed);
const OrgParams = Type.Object({ tenantId: TenantParams.properties.tenantId, orgId: opaqueId('Organization id (`org_…`).') }, closed);
const MemberParams = Type.Object({ ...OrgParams.properties, userId: UserParams.properties.userId }, closed);
const CreateBody = Type.Object({ name: text(100, { minLength: 1 }), owner: Type.String({ maxLength: 100, description: 'The user id of its first owner.' }), settings: Type.Optional(Settings) }, closed);
const UpdateBody = Type.Object({ name: Type.Optional(text(100, { minLength: 1 })), settings: Type.Optional(Settings) }, { ...closed, minProperties: 1 });
const MemberBody = Type.Object({ roles: Type.Array(roleName, { minItems: 1, maxItems: 20, description: '`owner`, `admin`, `member`, or names of the tenant’s roles.' }) }, closed);
const InvitationWire = Type.Object(
  { id: Type.String({ description: 'Invitation id (`inv_…`).' }), email: Type.String(), roles: Type.Array(Type.String()), created_at: timestamp('When it was sent.'), expires_at: timestamp('Until when its link works.') },
  closed,
);
const InviteBody = Type.Object({ email: text(320, { minLength: 3 }), roles: Type.Optional(Type.Array(roleName, { minItems: 1, maxItems: 20, description: 'Default `member`.' })) }, closed);
const InvitationParams = Type.Object({ ...OrgParams.properties, invitationId: opaqueId('Invitation id (`inv_…`).') }, closed);
const invitationToWire = (i: OrganizationInvitation) => ({ id: i.id, email: i.email, roles: i.roles, created_at: iso(i.createdAt), expires_at: iso(i.expiresAt) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]*$' })) }, closed);

function settingsFromWire(settings: { require_mfa?: boolean; join_domains?: string[] } | undefined): OrganizationSettings | undefined {
  if (!settings) return undefined;
  return { ...(settings.require_mfa !== undefined ? { requireMfa: settings.require_mfa } : {}), ...(settings.join_domains !== undefined ? { joinDomains: settings.join_domains } : {}) };
}

function orgToWire(org: Organization) {
  return {
    id: org.id,
    name: org.name,
    settings: { ...(org.settings.requireMfa !== undefined ? { require_mfa: org.settings.requireMfa } : {}), ...(org.settings.joinDomains ? { join_domains: org.settings.joinDomains } : {}) },
    created_at: iso(org.createdAt),
    updated_at: iso(org.updatedAt),
  };
}

const memberToWire = (m: OrganizationMember) => ({ user_id: m.userId, roles: m.roles, joined_at: iso(m.createdAt) });

export function registerOrganizationRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  app.get(
    '/tenants/:tenantId/organizations',
    { schema: { tags, summary: 'List organizations', params: TenantParams, querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(OrganizationWire), next_cursor: Type.Union([Type.String(), Type.Null()]) }, closed), ...errorResponses(400, 404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const page = await store.organizations.list(tenant.id, request.query.limit ?? DEFAULT_PAGE, request.query.cursor ?? null);
      return { items: page.items.map(orgToWire), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/tenants/:tenantId/organizations',
    { schema: { tags, summary: 'Create an organization', description: 'The `owner` becomes its first member, with the `owner` role.', params: TenantParams, body: CreateBody, response: { 201: OrganizationWire, ...errorResponses(400, 404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const settings = settingsFromWire(request.body.settings);
      const org = await createOrganization(services, tenant.id, { name: request.body.name, owner: request.body.owner, ...(settings ? { settings } : {}) }, adminContext(request));
      return reply.status(201).send(orgToWire(org));
    },
  );

  app.get('/tenants/:tenantId/organizations/:orgId', { schema: { tags, summary: 'Get an organization', params: OrgParams, response: { 200: OrganizationWire, ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return orgToWire(await requireOrganization(store, tenant.id, request.params.orgId));
  });

  app.patch('/tenants/:tenantId/organizations/:orgId', { schema: { tags, summary: 'Change an organization', params: OrgParams, body: UpdateBody, response: { 200: OrganizationWire, ...errorResponses(400, 404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const settings = settingsFromWire(request.body.settings);
    return orgToWire(await updateOrganization(services, tenant.id, request.params.orgId, { ...(request.body.name !== undefined ? { name: request.body.name } : {}), ...(settings ? { settings } : {}) }, adminContext(request)));
  });

  app.delete('/tenants/:tenantId/organizations/:orgId', { schema: { tags, summary: 'Delete an organization', description: 'Its memberships go with it; the users stay.', params: OrgParams, response: { 204: NoContent, ...errorResponses(404) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    await deleteOrganization(services, tenant.id, request.params.orgId, adminContext(request));
    return reply.status(204).send(null);
  });

  app.get(
    '/tenants/:tenantId/organizations/:orgId/members',
    { schema: { tags, summary: "An organization's members", description: 'The first 1,000, by user id.', params: OrgParams, response: { 200: Type.Object({ items: Type.Array(MemberWire) }, closed), ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await requireOrganization(store, tenant.id, request.params.orgId);
      return { items: (await store.organizations.members(tenant.id, request.params.orgId, 1000)).map(memberToWire) };
    },
  );

  app.put(
    '/tenants/:tenantId/organizations/:orgId/members/:userId',
    { schema: { tags, summary: 'Add a member, or set their roles', params: MemberParams, body: MemberBody, response: { 200: MemberWire, ...errorResponses(400, 404, 409) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return memberToWire(await putMember(services, tenant.id, request.params.orgId, request.params.userId, request.body.roles, adminContext(request)));
    },
  );

  app.delete(
    '/tenants/:tenantId/organizations/:orgId/members/:userId',
    { schema: { tags, summary: 'Remove a member', description: 'Refused for the last owner (409).', params: MemberParams, response: { 204: NoContent, ...errorResponses(404, 409) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await removeMember(services, tenant.id, request.params.orgId, request.params.userId, adminContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/organizations/:orgId/invitations',
    {
      schema: {
        tags,
        summary: 'Invite an address to join',
        description: 'Mails a link that works once, for 7 days, for an account signed in with that address (verified). The link is never returned here.',
        params: OrgParams,
        body: InviteBody,
        response: { 201: InvitationWire, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const invitation = await inviteToOrganization({ ...services, mailer: services.flows.mailer }, tenant, request.params.orgId, request.body, adminContext(request));
      return reply.status(201).send(invitationToWire(invitation));
    },
  );

  app.get(
    '/tenants/:tenantId/organizations/:orgId/invitations',
    { schema: { tags, summary: 'Invitations not accepted yet', params: OrgParams, response: { 200: Type.Object({ items: Type.Array(InvitationWire) }, closed), ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await requireOrganization(store, tenant.id, request.params.orgId);
      return { items: (await store.organizations.pendingInvitations(tenant.id, request.params.orgId)).map(invitationToWire) };
    },
  );

  app.delete(
    '/tenants/:tenantId/organizations/:orgId/invitations/:invitationId',
    { schema: { tags, summary: 'Withdraw an invitation', params: InvitationParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      if (!(await store.organizations.deleteInvitation(tenant.id, request.params.orgId, request.params.invitationId))) throw new FrontdoorError('request.not_found');
      await services.audit.record(adminContext(request), { tenantId: tenant.id, action: 'admin.organization_invitation_withdrawn', result: 'success', subject: request.params.orgId, details: { invitation: request.params.invitationId } });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/tenants/:tenantId/users/:userId/organizations',
    { schema: { tags, summary: 'The organizations a user belongs to', params: UserParams, response: { 200: Type.Object({ items: Type.Array(Type.Object({ organization: OrganizationWire, roles: Type.Array(Type.String()) }, closed)) }, closed), ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      if (!(await store.users.get(tenant.id, request.params.userId))) throw new FrontdoorError('user.not_found');
      const memberships = await store.organizations.ofUser(tenant.id, request.params.userId);
      const items = [];
      for (const m of memberships) {
        const org = await store.organizations.get(tenant.id, m.orgId);
        if (org) items.push({ organization: orgToWire(org), roles: m.roles });
      }
      return { items };
    },
  );
}
