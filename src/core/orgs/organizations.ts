// Organizations inside a tenant (B2B2C): managing them and their members through the admin API.
// A member holds roles in the organization — `owner`, `admin`, `member`, or a name of the tenant's
// roles — and an organization always keeps an owner. Every change is audited.
import type { AuditLog } from '../audit/audit-log.ts';
import { ROLE_NAME } from '../authz/roles.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Organization, OrganizationMember, OrganizationSettings, Store, TenantId, User } from '../ports.ts';
import { newId } from '../secrets.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };

export const OWNER = 'owner';
const MAX_ROLES = 20;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function checkName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name || name.length > 100 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new FrontdoorError('request.invalid', { field: 'name' });
  return name;
}

function checkSettings(input: OrganizationSettings | undefined): OrganizationSettings {
  const settings: OrganizationSettings = {};
  if (input?.requireMfa !== undefined) settings.requireMfa = Boolean(input.requireMfa);
  if (input?.joinDomains !== undefined) {
    const domains = [...new Set(input.joinDomains.map((d) => String(d).trim().toLowerCase()))];
    if (domains.length > 20 || domains.some((d) => !DOMAIN.test(d))) throw new FrontdoorError('request.invalid', { field: 'settings.join_domains' });
    settings.joinDomains = domains;
  }
  return settings;
}

/** 1 to 20 role names of a member, sorted, once each. */
export function checkMemberRoles(input: unknown): string[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_ROLES || input.some((r) => typeof r !== 'string' || !ROLE_NAME.test(r))) {
    throw new FrontdoorError('request.invalid', { field: 'roles', detail: `1 to ${MAX_ROLES} role names` });
  }
  return [...new Set(input as string[])].sort();
}

export async function requireOrganization(store: Store, tenantId: TenantId, id: string): Promise<Organization> {
  const org = await store.organizations.get(tenantId, id);
  if (!org) throw new FrontdoorError('organization.not_found');
  return org;
}

/** Creates an organization; `owner` (a user of the tenant) becomes its first owner. */
export async function createOrganization(deps: Deps, tenantId: TenantId, input: { name: unknown; settings?: OrganizationSettings; owner: string }, ctx: RequestContext): Promise<Organization> {
  const owner = await deps.store.users.get(tenantId, input.owner);
  if (!owner) throw new FrontdoorError('user.not_found', { field: 'owner' });
  const now = deps.clock.now();
  const org: Organization = { id: newId('org'), tenantId, name: checkName(input.name), settings: checkSettings(input.settings), createdAt: now, updatedAt: now };
  await deps.store.transaction(async (tx) => {
    await tx.organizations.create(org);
    await tx.organizations.putMember(tenantId, { orgId: org.id, userId: owner.id, roles: [OWNER], createdAt: now, updatedAt: now });
  });
  await deps.audit.record(ctx, { tenantId, action: 'admin.organization_created', result: 'success', subject: org.id, details: { owner: owner.id } });
  return org;
}

export async function updateOrganization(deps: Deps, tenantId: TenantId, id: string, input: { name?: unknown; settings?: OrganizationSettings }, ctx: RequestContext): Promise<Organization> {
  const current = await requireOrganization(deps.store, tenantId, id);
  const patch: Partial<Pick<Organization, 'name' | 'settings'>> = {};
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.settings !== undefined) patch.settings = checkSettings({ ...current.settings, ...input.settings });
  const org = await deps.store.organizations.update(tenantId, id, patch, deps.clock.now());
  if (!org) throw new FrontdoorError('organization.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.organization_updated', result: 'success', subject: id, details: { fields: Object.keys(patch) } });
  return org;
}

export async function deleteOrganization(deps: Deps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.organizations.delete(tenantId, id))) throw new FrontdoorError('organization.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.organization_deleted', result: 'success', subject: id });
}

/**
 * Inside a transaction: writes the organization's row, which holds its lock (PostgreSQL) or the
 * database's (SQLite) until the end, so two changes of members cannot both see a second owner and
 * each remove one.
 */
async function lockOrganization(tx: Store, tenantId: TenantId, orgId: string, now: number): Promise<void> {
  if (!(await tx.organizations.update(tenantId, orgId, {}, now))) throw new FrontdoorError('organization.not_found');
}

/** Adds a user of the tenant to the organization, or replaces their roles there. */
export async function putMember(deps: Deps, tenantId: TenantId, orgId: string, userId: string, roles: unknown, ctx: RequestContext): Promise<OrganizationMember> {
  await requireOrganization(deps.store, tenantId, orgId);
  if (!(await deps.store.users.get(tenantId, userId))) throw new FrontdoorError('user.not_found');
  const wanted = checkMemberRoles(roles);
  const now = deps.clock.now();
  const member = await deps.store.transaction(async (tx) => {
    await lockOrganization(tx, tenantId, orgId, now);
    const current = await tx.organizations.member(tenantId, orgId, userId);
    if (current?.roles.includes(OWNER) && !wanted.includes(OWNER) && (await tx.organizations.countWithRole(tenantId, orgId, OWNER)) <= 1) throw new FrontdoorError('organization.last_owner');
    const next: OrganizationMember = { orgId, userId, roles: wanted, createdAt: current?.createdAt ?? now, updatedAt: now };
    await tx.organizations.putMember(tenantId, next);
    return next;
  });
  await deps.audit.record(ctx, { tenantId, action: 'admin.organization_member_set', result: 'success', subject: userId, details: { orgId, roles: wanted } });
  return member;
}

/** Removes a member; the last owner stays. */
export async function removeMember(deps: Deps, tenantId: TenantId, orgId: string, userId: string, ctx: RequestContext): Promise<void> {
  await requireOrganization(deps.store, tenantId, orgId);
  await deps.store.transaction(async (tx) => {
    await lockOrganization(tx, tenantId, orgId, deps.clock.now());
    const current = await tx.organizations.member(tenantId, orgId, userId);
    if (!current) throw new FrontdoorError('organization.member_not_found');
    if (current.roles.includes(OWNER) && (await tx.organizations.countWithRole(tenantId, orgId, OWNER)) <= 1) throw new FrontdoorError('organization.last_owner');
    await tx.organizations.removeMember(tenantId, orgId, userId);
  });
  await deps.audit.record(ctx, { tenantId, action: 'admin.organization_member_removed', result: 'success', subject: userId, details: { orgId } });
}

/** What an app's tokens say about the organization the user signed in for: its id and the user's roles there. */
export interface OrganizationClaims {
  org_id: string;
  org_roles: string[];
}

/**
 * At an authorization: records the organization the app asked for (the `organization` parameter) as
 * the one this app's tokens name, or clears it when none was asked. False when the user is not a
 * member of it: the authorization must fail.
 */
export async function chooseOrganization(deps: { store: Store; clock: Clock }, tenantId: TenantId, userId: string, clientId: string, orgId: string | undefined): Promise<boolean> {
  if (orgId !== undefined && !(await deps.store.organizations.member(tenantId, orgId, userId))) return false;
  const current = await deps.store.organizations.chosenFor(tenantId, userId, clientId);
  if ((orgId ?? null) !== current) await deps.store.organizations.choose(tenantId, userId, clientId, orgId ?? null, deps.clock.now());
  return true;
}

/** The organization claims for a user's tokens to an app; null when none was chosen or they are no longer a member. */
export async function organizationClaims(store: Store, tenantId: TenantId, userId: string, clientId: string): Promise<OrganizationClaims | null> {
  const orgId = await store.organizations.chosenFor(tenantId, userId, clientId);
  if (!orgId) return null;
  const member = await store.organizations.member(tenantId, orgId, userId);
  return member ? { org_id: orgId, org_roles: member.roles } : null;
}

/**
 * Whether signing in for organization `orgId` needs a second factor from this user: the
 * organization says `require_mfa` and the user is its member. A non-member is not asked (the
 * sign-in refuses them); no organization asked for, nothing required.
 */
export async function organizationRequiresMfa(store: Store, tenantId: TenantId, userId: string, orgId: string | undefined): Promise<boolean> {
  if (orgId === undefined || orgId === '') return false;
  const org = await store.organizations.get(tenantId, orgId);
  if (!org?.settings.requireMfa) return false;
  return (await store.organizations.member(tenantId, orgId, userId)) !== null;
}

/** The domain of a verified address, or null (an unverified address joins nothing by its domain). */
function verifiedDomain(user: User): string | null {
  return user.emailVerified ? (user.email.split('@')[1] ?? null) : null;
}

/** The organizations this account may join by its verified address's domain, not a member yet. */
export async function joinableOrganizations(store: Store, tenantId: TenantId, user: User): Promise<Organization[]> {
  const domain = verifiedDomain(user);
  if (!domain) return [];
  const [orgs, memberships] = await Promise.all([store.organizations.withJoinDomain(tenantId, domain), store.organizations.ofUser(tenantId, user.id)]);
  const mine = new Set(memberships.map((m) => m.orgId));
  return orgs.filter((org) => !mine.has(org.id));
}

/** Joins as `member` an organization that admits the account's verified domain. */
export async function joinByDomain(deps: Deps, tenantId: TenantId, user: User, orgId: string, ctx: RequestContext): Promise<Organization> {
  const org = await deps.store.organizations.get(tenantId, orgId);
  const domain = verifiedDomain(user);
  // Not found rather than forbidden: which organizations exist is not for every customer to learn.
  if (!org || !domain || !(org.settings.joinDomains ?? []).includes(domain)) throw new FrontdoorError('organization.not_found');
  if (await deps.store.organizations.member(tenantId, orgId, user.id)) return org;
  const now = deps.clock.now();
  await deps.store.organizations.putMember(tenantId, { orgId, userId: user.id, roles: ['member'], createdAt: now, updatedAt: now });
  await deps.audit.record(ctx, { tenantId, action: 'user.organization_joined', result: 'success', subject: user.id, details: { orgId, via: 'domain' } });
  return org;
}

/** Roles that manage an organization's members from the account page. */
const MANAGERS = new Set([OWNER, 'admin']);

/**
 * The signed-in customer's roles in an organization they manage (owner or admin); otherwise
 * organization.not_found, so a member of one organization learns nothing of another by its id.
 */
export async function requireOrganizationManager(store: Store, tenantId: TenantId, orgId: string, user: User): Promise<{ org: Organization; roles: string[] }> {
  const [org, member] = await Promise.all([store.organizations.get(tenantId, orgId), store.organizations.member(tenantId, orgId, user.id)]);
  if (!org || !member || !member.roles.some((role) => MANAGERS.has(role))) throw new FrontdoorError('organization.not_found');
  return { org, roles: member.roles };
}

/**
 * What a manager may give: an admin gives `member` or `admin`; only an owner gives or takes `owner`
 * (an admin cannot make themselves owner, nor demote one).
 */
export function mayAssign(managerRoles: readonly string[], currentRoles: readonly string[], wanted: readonly string[]): boolean {
  if (managerRoles.includes(OWNER)) return true;
  const touchesOwner = currentRoles.includes(OWNER) || wanted.includes(OWNER);
  return !touchesOwner && wanted.every((role) => role === 'member' || role === 'admin');
}
