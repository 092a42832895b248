// Who may do what: a user's roles (direct, default, through groups, through their plan) and the
// permissions those grant, each under its condition. Tokens for an API carry only the permissions a
// user holds (whose condition is true or, lacking facts such as the resource, unknown); the check
// API decides one action on one resource with all facts at hand.
//
// What a decision reads about a user — the account (status, plan, profile attributes) and the roles
// held directly and through groups — is kept per node. Storage notes every write of those
// (storage/access-changes.ts): a change made through this node drops the entry once committed, with
// Redis every other node's at once too, and every node reads the changes all processes made (the
// CLI's as well) from the database every 250 ms. While that reading runs without a break an entry
// is kept up to 30 s; one cached before a break, or while it is broken, only a second. The tenant's
// role list is kept a second.
import type { CacheInvalidationBus, Clock, Role, RolePermission, Store, Tenant, TenantId, User } from '../ports.ts';
import { evaluateRule, missingFacts, type Facts, type Rule } from './conditions.ts';
import { actingProfile, profileFacts } from '../households/profile-sessions.ts';

const FRESH_MS = 1000;
/** How long an entry is kept while every change reaches this node (the change feed's coverage). */
export const KEPT_MS = 30_000;
const MAX_CACHED_USERS = 50_000;

export interface PermissionGrant {
  api: string;
  permission: string;
  /** The role that grants it. */
  role: string;
  condition: Rule | null;
}

export interface UserAccess {
  user: User;
  /** Role names, sorted. */
  roles: string[];
  grants: PermissionGrant[];
}

export interface CheckInput {
  /** The user's id. */
  subject: string;
  /** A permission, e.g. `transfer:funds`. */
  action: string;
  /** The API resource the permission belongs to; any of the tenant's when left out. */
  api?: string;
  /** Attributes of what is acted on, e.g. `{ "amount": 2500 }`. */
  resource?: Record<string, unknown>;
  /** The request's circumstances, e.g. `{ "acr": "phr", "risk": "low" }`. */
  context?: Record<string, unknown>;
  /** What conditions read as `profile.*`: the household profile acting (core/households), if any. */
  profile?: Record<string, unknown>;
  /** The household profile acting, by id (`profile_id` of its token): its facts become `profile.*`. */
  profileId?: string;
  /** The organization acted in (`org_id` of its token): the user's roles there that name tenant roles count too. */
  organizationId?: string;
}

export interface Decision {
  allowed: boolean;
  /** In words, for logs and support: which role allowed it, or why nothing did. */
  reason: string;
  /** The role that allowed it. */
  role?: string;
  /** Facts a condition needed and the check did not give. */
  missing?: string[];
}

export interface AccessService {
  /**
   * The user's roles and grants; null for no such user. `organizationRoles`: the user's roles in
   * the organization acted in; those naming a role of the tenant are held too, there only.
   */
  accessOf(tenant: Tenant, userId: string, organizationRoles?: readonly string[]): Promise<UserAccess | null>;
  /**
   * The scopes of `api` the user may have in a token now (user and session facts, no resource);
   * `profile` is the household profile the session acts as (`profile.*`), empty for none;
   * `organizationRoles` the user's roles in the organization the token is for.
   */
  tokenScopes(tenant: Tenant, userId: string, api: string, context: Record<string, unknown>, profile?: Record<string, unknown>, organizationRoles?: readonly string[]): Promise<Set<string>>;
  check(tenant: Tenant, input: CheckInput): Promise<Decision>;
}

/** What conditions read as `user.*`: the profile's attributes, then what Frontdoor knows (which wins). */
export function userFacts(access: UserAccess): Record<string, unknown> {
  const { user } = access;
  return { ...user.profile, id: user.id, email_verified: user.emailVerified, plan: user.plan ?? null, roles: access.roles };
}

export function createAccessService(deps: { store: Store; clock: Clock; invalidations?: CacheInvalidationBus }): AccessService {
  const feed = deps.store.accessChanges;
  const roleCache = new Map<TenantId, { byId: Map<string, Role>; byName: Map<string, Role>; at: number }>();
  const heldCache = new Map<string, Kept<string[]>>();
  const accountCache = new Map<string, Kept<User>>();
  const generation = new Map<TenantId, number>();
  // Bumped by every change heard: a read that started before one must not keep what it read.
  let changesHeard = 0;

  /** Whether `entry` may still answer: 30 s when the feed has vouched since it was cached, else 1 s. */
  const fresh = (entry: Kept<unknown>, now: number) => {
    const age = now - entry.at;
    return age < FRESH_MS || (age < KEPT_MS && entry.coverage !== null && entry.coverage === feed.coverage());
  };

  /** The value under `key` of `cache`, read by `load` unless kept and fresh; null is not kept. */
  async function kept<T>(cache: Map<string, Kept<T>>, key: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = deps.clock.now();
    const cached = cache.get(key);
    if (cached && fresh(cached, now)) return cached.value;
    const before = changesHeard;
    const coverage = feed.coverage();
    const value = await load();
    if (value !== null && changesHeard === before) {
      if (cache.size >= MAX_CACHED_USERS) cache.delete(cache.keys().next().value as string);
      cache.delete(key); // re-inserted last, so the oldest entry is the first one
      cache.set(key, { value, at: now, coverage });
    }
    return value;
  }

  // One load at a time per tenant: when the entry goes stale under load, concurrent decisions wait
  // for the same read of every role instead of each starting one.
  const loadingRoles = new Map<TenantId, Promise<{ byId: Map<string, Role>; byName: Map<string, Role>; at: number }>>();
  async function rolesOf(tenantId: TenantId) {
    const now = deps.clock.now();
    const cached = roleCache.get(tenantId);
    if (cached && now - cached.at < FRESH_MS) return cached;
    let loading = loadingRoles.get(tenantId);
    if (!loading) {
      const before = generation.get(tenantId) ?? 0;
      loading = deps.store.authorization
        .listRoles(tenantId)
        .then((roles) => {
          const entry = { byId: new Map(roles.map((r) => [r.id, r])), byName: new Map(roles.map((r) => [r.name, r])), at: now };
          if ((generation.get(tenantId) ?? 0) === before) roleCache.set(tenantId, entry);
          return entry;
        })
        .finally(() => loadingRoles.delete(tenantId));
      loadingRoles.set(tenantId, loading);
    }
    return loading;
  }

  /** The ids of the roles the user holds directly or through groups. */
  const heldRoleIds = async (tenantId: TenantId, userId: string): Promise<string[]> =>
    (await kept(heldCache, `${tenantId}\n${userId}`, async () => (await deps.store.authorization.rolesOfUser(tenantId, userId)).map((r) => r.roleId))) ?? [];
  /** The account; an unknown one is read again each time. */
  const account = (tenantId: TenantId, userId: string): Promise<User | null> => kept(accountCache, `${tenantId}\n${userId}`, () => deps.store.users.get(tenantId, userId));

  async function load(tenant: Tenant, userId: string, organizationRoles: readonly string[] = []): Promise<UserAccess | null> {
    const [user, held, roles] = await Promise.all([account(tenant.id, userId), heldRoleIds(tenant.id, userId), rolesOf(tenant.id)]);
    if (!user) return null;
    const byName = new Map<string, Role>();
    for (const roleId of held) {
      const role = roles.byId.get(roleId);
      if (role) byName.set(role.name, role);
    }
    for (const name of [...((user.plan ? tenant.settings.plans?.[user.plan]?.roles : undefined) ?? []), ...organizationRoles]) {
      const role = roles.byName.get(name);
      if (role) byName.set(role.name, role);
    }
    const names = [...byName.keys()].sort();
    const grants = names.flatMap((name) => byName.get(name)!.permissions.map((p: RolePermission) => ({ api: p.api, permission: p.permission, role: name, condition: p.condition ?? null })));
    return { user, roles: names, grants };
  }

  const service: AccessService = {
    accessOf: load,
    async tokenScopes(tenant, userId, api, context, profile = {}, organizationRoles = []) {
      const access = await service.accessOf(tenant, userId, organizationRoles);
      if (!access || access.user.status !== 'active') return new Set();
      const facts: Facts = { user: userFacts(access), profile, context };
      const scopes = new Set<string>();
      for (const grant of access.grants) {
        if (grant.api !== api || scopes.has(grant.permission)) continue;
        if (!grant.condition || evaluateRule(grant.condition, facts) !== false) scopes.add(grant.permission);
      }
      return scopes;
    },
    async check(tenant, input) {
      let organizationRoles: string[] = [];
      if (input.organizationId !== undefined) {
        const member = await deps.store.organizations.member(tenant.id, input.organizationId, input.subject);
        if (!member) return { allowed: false, reason: 'the user is not a member of that organization' };
        organizationRoles = member.roles;
      }
      const access = await service.accessOf(tenant, input.subject, organizationRoles);
      if (!access) return { allowed: false, reason: 'no such user' };
      if (access.user.status !== 'active') return { allowed: false, reason: `the account is ${access.user.status}` };
      const candidates = access.grants.filter((g) => g.permission === input.action && (input.api === undefined || g.api === input.api));
      if (candidates.length === 0) return { allowed: false, reason: `no role of the user grants ${input.action}` };
      let profile = input.profile ?? {};
      if (input.profileId !== undefined) {
        // Only a profile this user may act as (their own or a managed one of their household).
        const acting = await actingProfile(deps.store, tenant.id, access.user.id, input.profileId);
        if (!acting || acting.id !== input.profileId) return { allowed: false, reason: 'the user has no such household profile' };
        profile = profileFacts(acting);
      }
      const facts: Facts = { user: userFacts(access), profile, context: { time: Math.floor(deps.clock.now() / 1000), ...input.context }, ...(input.resource ? { resource: input.resource } : {}) };
      const missing = new Set<string>();
      const undecided: string[] = [];
      const unmet: string[] = [];
      for (const grant of candidates) {
        if (!grant.condition) return { allowed: true, reason: `granted by role ${grant.role}`, role: grant.role };
        const truth = evaluateRule(grant.condition, facts);
        if (truth === true) return { allowed: true, reason: `granted by role ${grant.role}, its condition met`, role: grant.role };
        if (truth === 'unknown') {
          undecided.push(grant.role);
          for (const fact of missingFacts(grant.condition, facts)) missing.add(fact);
        } else unmet.push(grant.role);
      }
      if (missing.size > 0) return { allowed: false, reason: `the condition of role ${undecided.join(', ')} needs ${[...missing].join(', ')}`, missing: [...missing] };
      return { allowed: false, reason: `the condition of role ${unmet.join(', ')} is not met` };
    },
  };
  /** Drops what this node keeps about the tenant (`userId` null) or one of its accounts. */
  function drop(tenantId: TenantId, userId: string | null) {
    changesHeard += 1;
    if (userId !== null) {
      heldCache.delete(`${tenantId}\n${userId}`);
      accountCache.delete(`${tenantId}\n${userId}`);
      return;
    }
    generation.set(tenantId, (generation.get(tenantId) ?? 0) + 1);
    roleCache.delete(tenantId);
    loadingRoles.delete(tenantId);
    const prefix = `${tenantId}\n`;
    for (const key of heldCache.keys()) if (key.startsWith(prefix)) heldCache.delete(key);
  }
  feed.onChange((change, here) => {
    if (change === 'everything') {
      changesHeard += 1;
      roleCache.clear();
      loadingRoles.clear();
      heldCache.clear();
      accountCache.clear();
      for (const tenantId of generation.keys()) generation.set(tenantId, (generation.get(tenantId) ?? 0) + 1);
      return;
    }
    drop(change.tenantId, change.userId);
    // This node's own change: the others hear it at once through Redis (and from the feed anyway).
    if (here) deps.invalidations?.publish(change.tenantId, change.userId);
  });
  deps.invalidations?.onPeerChange(drop);
  return service;
}

interface Kept<T> {
  value: T;
  /** Clock time it was read. */
  at: number;
  /** The change feed's coverage when the read began. */
  coverage: number | null;
}
