// /tenants/:tenantId/roles, /groups, /users/:userId/roles and /plan: roles bundling permissions of
// the tenant's API resources (each optionally under a condition), groups, and who holds what.
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { createGroup, createRole, deleteGroup, deleteRole, setGroupMember, setGroupRole, setUserPlan, setUserRole, updateRole } from '../../core/authz/roles.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Group, Role } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import { closed, errorResponses, NoContent, nullable, opaqueId, TenantParams, text, timestamp, UserParams, type AdminApp } from './schemas.ts';
import { iso } from './wire.ts';

const tags = ['authorization'];

const roleName = Type.String({ maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.:-]{0,63}$', description: 'Unique in the tenant: lower-case letters, digits and _ . : - (e.g. `customer`, `premium`).' });
const condition = Type.Unknown({
  description:
    'A JSON rule (see ARCHITECTURE.md, "Roles and permissions"): `true`, `{"all": [...]}`, `{"any": [...]}`, `{"not": rule}`, `{"exists": path}` or `{"eq"|"ne"|"lt"|"lte"|"gt"|"gte"|"in"|"contains": [operand, operand]}`, an operand being `{"var": "user.x" | "profile.x" | "resource.x" | "context.x"}` or a value. At most 100 parts, 8 deep.',
});
const permission = Type.Object(
  {
    api: Type.String({ maxLength: 500, description: "An API resource's identifier." }),
    permission: Type.String({ maxLength: 100, description: 'One of its scopes, e.g. `read:orders`.' }),
    condition: Type.Optional(nullable(condition)),
  },
  closed,
);
const RoleWire = Type.Object(
  {
    id: Type.String({ description: 'Role id (`rol_…`).' }),
    name: Type.String(),
    description: Type.String(),
    permissions: Type.Array(permission),
    created_at: timestamp('When the role was created.'),
    updated_at: timestamp('When the role was last changed.'),
  },
  closed,
);
const GroupWire = Type.Object(
  {
    id: Type.String({ description: 'Group id (`grp_…`).' }),
    name: Type.String(),
    description: Type.String(),
    role_ids: Type.Array(Type.String(), { description: 'Roles every member holds.' }),
    created_at: timestamp('When the group was created.'),
  },
  closed,
);
const permissions = Type.Array(permission, { maxItems: 200 });
const CreateRoleBody = Type.Object({ name: roleName, description: Type.Optional(text(500)), permissions: Type.Optional(permissions) }, closed);
const UpdateRoleBody = Type.Object({ name: Type.Optional(roleName), description: Type.Optional(text(500)), permissions: Type.Optional(permissions) }, { ...closed, minProperties: 1 });
const CreateGroupBody = Type.Object({ name: roleName, description: Type.Optional(text(500)) }, closed);
const RoleParams = Type.Object({ tenantId: TenantParams.properties.tenantId, roleId: opaqueId('Role id (`rol_…`).') }, closed);
const GroupParams = Type.Object({ tenantId: TenantParams.properties.tenantId, groupId: opaqueId('Group id (`grp_…`).') }, closed);
const GroupMemberParams = Type.Object({ ...GroupParams.properties, userId: UserParams.properties.userId }, closed);
const GroupRoleParams = Type.Object({ ...GroupParams.properties, roleId: RoleParams.properties.roleId }, closed);
const UserRoleParams = Type.Object({ ...UserParams.properties, roleId: RoleParams.properties.roleId }, closed);
const UserAccess = Type.Object(
  {
    roles: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          via: Type.Array(Type.String(), { description: '`admin` (given directly), `default` (given at sign-up), `group:<id>`, `plan:<key>`.' }),
        },
        closed,
      ),
    ),
    permissions: Type.Array(Type.Object({ api: Type.String(), permission: Type.String(), role: Type.String(), conditional: Type.Boolean() }, closed)),
    plan: nullable(Type.String()),
  },
  closed,
);
const PlanBody = Type.Object({ plan: nullable(Type.String({ maxLength: 64, description: "A key of the tenant's `settings.plans`; null: no plan." })) }, closed);
const Changed = Type.Object({ changed: Type.Boolean({ description: 'False when it was so already.' }) }, closed);

function roleToWire(role: Role) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions.map((p) => ({ api: p.api, permission: p.permission, ...(p.condition !== undefined && p.condition !== null ? { condition: p.condition } : {}) })),
    created_at: iso(role.createdAt),
    updated_at: iso(role.updatedAt),
  };
}

function groupToWire(group: Group, roleIds: string[]) {
  return { id: group.id, name: group.name, description: group.description, role_ids: roleIds, created_at: iso(group.createdAt) };
}

export function registerAuthorizationRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  app.get('/tenants/:tenantId/roles', { schema: { tags, summary: 'List roles', params: TenantParams, response: { 200: Type.Object({ items: Type.Array(RoleWire) }, closed), ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return { items: (await store.authorization.listRoles(tenant.id)).map(roleToWire) };
  });

  app.post(
    '/tenants/:tenantId/roles',
    { schema: { tags, summary: 'Create a role', description: "Permissions are scopes of the tenant's API resources.", params: TenantParams, body: CreateRoleBody, response: { 201: RoleWire, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return reply.status(201).send(roleToWire(await createRole(services, tenant.id, request.body, adminContext(request))));
    },
  );

  app.get('/tenants/:tenantId/roles/:roleId', { schema: { tags, summary: 'Get a role', params: RoleParams, response: { 200: RoleWire, ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const role = await store.authorization.getRole(tenant.id, request.params.roleId);
    if (!role) throw new FrontdoorError('role.not_found');
    return roleToWire(role);
  });

  app.patch(
    '/tenants/:tenantId/roles/:roleId',
    { schema: { tags, summary: 'Change a role', description: 'Given fields replace the current ones; tokens issued or refreshed from now on follow.', params: RoleParams, body: UpdateRoleBody, response: { 200: RoleWire, ...errorResponses(400, 404, 409) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return roleToWire(await updateRole(services, tenant.id, request.params.roleId, request.body, adminContext(request)));
    },
  );

  app.delete('/tenants/:tenantId/roles/:roleId', { schema: { tags, summary: 'Delete a role', description: 'Whoever held it no longer does.', params: RoleParams, response: { 204: NoContent, ...errorResponses(404) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    await deleteRole(services, tenant.id, request.params.roleId, adminContext(request));
    return reply.status(204).send(null);
  });

  app.get('/tenants/:tenantId/groups', { schema: { tags, summary: 'List groups', params: TenantParams, response: { 200: Type.Object({ items: Type.Array(GroupWire) }, closed), ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const groups = await store.authorization.listGroups(tenant.id);
    return { items: await Promise.all(groups.map(async (g) => groupToWire(g, await store.authorization.listGroupRoles(tenant.id, g.id)))) };
  });

  app.post('/tenants/:tenantId/groups', { schema: { tags, summary: 'Create a group', params: TenantParams, body: CreateGroupBody, response: { 201: GroupWire, ...errorResponses(400, 404, 409) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return reply.status(201).send(groupToWire(await createGroup(services, tenant.id, request.body, adminContext(request)), []));
  });

  app.delete('/tenants/:tenantId/groups/:groupId', { schema: { tags, summary: 'Delete a group', params: GroupParams, response: { 204: NoContent, ...errorResponses(404) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    await deleteGroup(services, tenant.id, request.params.groupId, adminContext(request));
    return reply.status(204).send(null);
  });

  app.get(
    '/tenants/:tenantId/groups/:groupId/members',
    { schema: { tags, summary: "List a group's members", description: 'The first 1,000 user ids.', params: GroupParams, response: { 200: Type.Object({ items: Type.Array(Type.String()) }, closed), ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      if (!(await store.authorization.getGroup(tenant.id, request.params.groupId))) throw new FrontdoorError('group.not_found');
      return { items: await store.authorization.listGroupMembers(tenant.id, request.params.groupId, 1000) };
    },
  );

  for (const on of [true, false]) {
    const method = on ? 'put' : 'delete';
    app[method](
      '/tenants/:tenantId/groups/:groupId/members/:userId',
      { schema: { tags, summary: on ? 'Add a user to a group' : 'Remove a user from a group', params: GroupMemberParams, response: { 200: Changed, ...errorResponses(404) } } },
      async (request) => {
        const tenant = await requireTenant(store, request.params.tenantId);
        return { changed: await setGroupMember(services, tenant.id, request.params.groupId, request.params.userId, on, adminContext(request)) };
      },
    );
    app[method](
      '/tenants/:tenantId/groups/:groupId/roles/:roleId',
      { schema: { tags, summary: on ? 'Give a group a role' : 'Take a role from a group', params: GroupRoleParams, response: { 200: Changed, ...errorResponses(404) } } },
      async (request) => {
        const tenant = await requireTenant(store, request.params.tenantId);
        return { changed: await setGroupRole(services, tenant.id, request.params.groupId, request.params.roleId, on, adminContext(request)) };
      },
    );
    app[method](
      '/tenants/:tenantId/users/:userId/roles/:roleId',
      { schema: { tags, summary: on ? 'Give a user a role' : "Take a user's role", params: UserRoleParams, response: { 200: Changed, ...errorResponses(404) } } },
      async (request) => {
        const tenant = await requireTenant(store, request.params.tenantId);
        return { changed: await setUserRole(services, tenant.id, request.params.userId, request.params.roleId, on, adminContext(request)) };
      },
    );
  }

  app.get(
    '/tenants/:tenantId/users/:userId/roles',
    { schema: { tags, summary: "A user's roles and permissions", description: 'Every role the user holds and how, and the permissions they give.', params: UserParams, response: { 200: UserAccess, ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const user = await store.users.get(tenant.id, request.params.userId);
      if (!user) throw new FrontdoorError('user.not_found');
      const [held, roles] = await Promise.all([store.authorization.rolesOfUser(tenant.id, user.id), store.authorization.listRoles(tenant.id)]);
      const via = new Map<string, { role: Role; via: string[] }>();
      const add = (role: Role | undefined, how: string) => {
        if (!role) return;
        const entry = via.get(role.id) ?? { role, via: [] };
        entry.via.push(how);
        via.set(role.id, entry);
      };
      for (const { roleId, source } of held) add(roles.find((r) => r.id === roleId), source.kind === 'group' ? `group:${source.groupId}` : source.kind);
      for (const name of (user.plan ? tenant.settings.plans?.[user.plan]?.roles : undefined) ?? []) add(roles.find((r) => r.name === name), `plan:${user.plan}`);
      const entries = [...via.values()].sort((a, b) => a.role.name.localeCompare(b.role.name));
      return {
        roles: entries.map((e) => ({ id: e.role.id, name: e.role.name, via: e.via })),
        permissions: entries.flatMap((e) => e.role.permissions.map((p) => ({ api: p.api, permission: p.permission, role: e.role.name, conditional: p.condition !== undefined && p.condition !== null }))),
        plan: user.plan ?? null,
      };
    },
  );

  app.put(
    '/tenants/:tenantId/users/:userId/plan',
    { schema: { tags, summary: "Set a user's plan", description: "The plan's roles (`settings.plans`) are the user's while on it.", params: UserParams, body: PlanBody, response: { 204: NoContent, ...errorResponses(400, 404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await setUserPlan(services, tenant, request.params.userId, request.body.plan, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
