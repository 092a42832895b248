// Managing roles, groups and who holds them (admin API). Names are checked, a role's permissions
// must be scopes of the tenant's API resources and their conditions valid rules; every change is
// audited. Storage notes each change for the decision caches of every node (storage/access-changes.ts).
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Group, Role, RolePermission, Store, Tenant, TenantId } from '../ports.ts';
import { newId } from '../secrets.ts';
import { parseRule } from './conditions.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };

export const ROLE_NAME = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
const MAX_PERMISSIONS = 200;

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ROLE_NAME.test(value)) throw new FrontdoorError('request.invalid', { field, detail: 'lower-case letters, digits and _ . : -, at most 64' });
  return value;
}

function checkDescription(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length > 500) throw new FrontdoorError('request.invalid', { field: 'description' });
  return text;
}

async function checkPermissions(store: Store, tenantId: TenantId, input: unknown): Promise<RolePermission[]> {
  if (!Array.isArray(input) || input.length > MAX_PERMISSIONS) throw new FrontdoorError('request.invalid', { field: 'permissions', detail: `a list of at most ${MAX_PERMISSIONS}` });
  const resources = new Map((await store.apiResources.list(tenantId)).map((r) => [r.identifier, new Set(r.scopes.map((s) => s.name))]));
  const seen = new Set<string>();
  return input.map((p: { api?: unknown; permission?: unknown; condition?: unknown }) => {
    const scopes = typeof p.api === 'string' ? resources.get(p.api) : undefined;
    if (!scopes) throw new FrontdoorError('request.invalid', { field: 'permissions', detail: `no API resource ${JSON.stringify(String(p.api)).slice(0, 80)} in this tenant` });
    if (typeof p.permission !== 'string' || !scopes.has(p.permission)) throw new FrontdoorError('request.invalid', { field: 'permissions', detail: `${String(p.api)} has no permission ${JSON.stringify(String(p.permission)).slice(0, 60)}` });
    const key = `${p.api} ${p.permission}`;
    if (seen.has(key)) throw new FrontdoorError('request.invalid', { field: 'permissions', detail: `${key} is listed twice` });
    seen.add(key);
    return { api: p.api as string, permission: p.permission, ...(p.condition === undefined || p.condition === null ? {} : { condition: parseRule(p.condition) }) };
  });
}

async function requireRole(store: Store, tenantId: TenantId, id: string): Promise<Role> {
  const role = await store.authorization.getRole(tenantId, id);
  if (!role) throw new FrontdoorError('role.not_found');
  return role;
}

async function requireGroup(store: Store, tenantId: TenantId, id: string): Promise<Group> {
  const group = await store.authorization.getGroup(tenantId, id);
  if (!group) throw new FrontdoorError('group.not_found');
  return group;
}

async function requireUser(store: Store, tenantId: TenantId, id: string) {
  const user = await store.users.get(tenantId, id);
  if (!user) throw new FrontdoorError('user.not_found');
  return user;
}

export async function createRole(deps: Deps, tenantId: TenantId, input: { name: unknown; description?: unknown; permissions?: unknown }, ctx: RequestContext): Promise<Role> {
  const now = deps.clock.now();
  const role: Role = { id: newId('rol'), tenantId, name: checkName(input.name, 'name'), description: checkDescription(input.description), permissions: await checkPermissions(deps.store, tenantId, input.permissions ?? []), createdAt: now, updatedAt: now };
  if (!(await deps.store.authorization.createRole(role))) throw new FrontdoorError('role.exists', { field: 'name' });
  await deps.audit.record(ctx, { tenantId, action: 'admin.role_created', result: 'success', subject: role.id, details: { name: role.name } });
  return role;
}

export async function updateRole(deps: Deps, tenantId: TenantId, id: string, input: { name?: unknown; description?: unknown; permissions?: unknown }, ctx: RequestContext): Promise<Role> {
  await requireRole(deps.store, tenantId, id);
  const patch: Partial<Pick<Role, 'name' | 'description' | 'permissions'>> = {};
  if (input.name !== undefined) patch.name = checkName(input.name, 'name');
  if (input.description !== undefined) patch.description = checkDescription(input.description);
  if (input.permissions !== undefined) patch.permissions = await checkPermissions(deps.store, tenantId, input.permissions);
  const role = await deps.store.authorization.updateRole(tenantId, id, patch, deps.clock.now());
  if (!role) throw new FrontdoorError('role.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.role_updated', result: 'success', subject: id, details: { fields: Object.keys(patch) } });
  return role;
}

export async function deleteRole(deps: Deps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.authorization.deleteRole(tenantId, id))) throw new FrontdoorError('role.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.role_deleted', result: 'success', subject: id });
}

export async function createGroup(deps: Deps, tenantId: TenantId, input: { name: unknown; description?: unknown }, ctx: RequestContext): Promise<Group> {
  const now = deps.clock.now();
  const group: Group = { id: newId('grp'), tenantId, name: checkName(input.name, 'name'), description: checkDescription(input.description), createdAt: now, updatedAt: now };
  if (!(await deps.store.authorization.createGroup(group))) throw new FrontdoorError('group.exists', { field: 'name' });
  await deps.audit.record(ctx, { tenantId, action: 'admin.group_created', result: 'success', subject: group.id, details: { name: group.name } });
  return group;
}

export async function deleteGroup(deps: Deps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.authorization.deleteGroup(tenantId, id))) throw new FrontdoorError('group.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.group_deleted', result: 'success', subject: id });
}

/** Adds (`on`) or removes a user's membership of a group; answers whether anything changed. */
export async function setGroupMember(deps: Deps, tenantId: TenantId, groupId: string, userId: string, on: boolean, ctx: RequestContext): Promise<boolean> {
  await requireGroup(deps.store, tenantId, groupId);
  await requireUser(deps.store, tenantId, userId);
  const changed = on ? await deps.store.authorization.addGroupMember(tenantId, groupId, userId, deps.clock.now()) : await deps.store.authorization.removeGroupMember(tenantId, groupId, userId);
  if (changed) {
    await deps.audit.record(ctx, { tenantId, action: on ? 'admin.group_member_added' : 'admin.group_member_removed', result: 'success', subject: userId, details: { groupId } });
  }
  return changed;
}

/** Gives (`on`) or takes a role from a group. */
export async function setGroupRole(deps: Deps, tenantId: TenantId, groupId: string, roleId: string, on: boolean, ctx: RequestContext): Promise<boolean> {
  await requireGroup(deps.store, tenantId, groupId);
  await requireRole(deps.store, tenantId, roleId);
  const changed = on ? await deps.store.authorization.addGroupRole(tenantId, groupId, roleId, deps.clock.now()) : await deps.store.authorization.removeGroupRole(tenantId, groupId, roleId);
  if (changed) {
    await deps.audit.record(ctx, { tenantId, action: on ? 'admin.group_role_added' : 'admin.group_role_removed', result: 'success', subject: groupId, details: { roleId } });
  }
  return changed;
}

/** Gives (`on`) or takes a role from a user directly. */
export async function setUserRole(deps: Deps, tenantId: TenantId, userId: string, roleId: string, on: boolean, ctx: RequestContext): Promise<boolean> {
  await requireUser(deps.store, tenantId, userId);
  await requireRole(deps.store, tenantId, roleId);
  const changed = on ? await deps.store.authorization.addUserRole(tenantId, userId, roleId, 'admin', deps.clock.now()) : await deps.store.authorization.removeUserRole(tenantId, userId, roleId);
  if (changed) {
    await deps.audit.record(ctx, { tenantId, action: on ? 'admin.user_role_added' : 'admin.user_role_removed', result: 'success', subject: userId, details: { roleId } });
  }
  return changed;
}

/** Puts a user on a plan of the tenant (its roles come with it), or on none. */
export async function setUserPlan(deps: Deps, tenant: Tenant, userId: string, plan: string | null, ctx: RequestContext): Promise<void> {
  if (plan !== null && !Object.hasOwn(tenant.settings.plans ?? {}, plan)) throw new FrontdoorError('request.invalid', { field: 'plan', detail: 'not a plan of this tenant' });
  const user = await requireUser(deps.store, tenant.id, userId);
  if ((user.plan ?? null) === plan) return;
  await deps.store.users.update(tenant.id, userId, { plan }, deps.clock.now());
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.user_plan_changed', result: 'success', subject: userId, details: { plan } });
}

/** Gives a new account the tenant's default roles (inside the transaction that creates it). */
export async function giveDefaultRoles(store: Store, tenant: Tenant, userId: string, now: number): Promise<void> {
  const names = tenant.settings.defaultRoles ?? [];
  if (names.length === 0) return;
  const roles = await store.authorization.listRoles(tenant.id);
  for (const role of roles) if (names.includes(role.name)) await store.authorization.addUserRole(tenant.id, userId, role.id, 'default', now);
}

/** The default and plan role names of `next` that `current` did not name. */
export function newRoleReferences(current: Tenant['settings'], next: Tenant['settings']): Pick<Tenant['settings'], 'defaultRoles' | 'plans'> {
  const before = new Set([...(current.defaultRoles ?? []), ...Object.values(current.plans ?? {}).flatMap((p) => p.roles ?? [])]);
  const fresh = (names: string[] | undefined) => (names ?? []).filter((name) => !before.has(name));
  return { defaultRoles: fresh(next.defaultRoles), plans: Object.fromEntries(Object.entries(next.plans ?? {}).map(([key, p]) => [key, { roles: fresh(p.roles) }])) };
}

/** The role names a tenant's settings refer to (default roles, plans' roles) must exist. */
export async function checkRoleReferences(store: Store, tenantId: TenantId, settings: Pick<Tenant['settings'], 'defaultRoles' | 'plans'>): Promise<void> {
  const wanted = [...(settings.defaultRoles ?? []).map((name) => ({ name, field: 'settings.default_roles' })), ...Object.entries(settings.plans ?? {}).flatMap(([plan, p]) => (p.roles ?? []).map((name) => ({ name, field: `settings.plans.${plan}.roles` })))];
  if (wanted.length === 0) return;
  const names = new Set((await store.authorization.listRoles(tenantId)).map((r) => r.name));
  for (const { name, field } of wanted) if (!names.has(name)) throw new FrontdoorError('request.invalid', { field, detail: `no role named ${JSON.stringify(name).slice(0, 70)}` });
}
