// What an operator may do to users: create, read, search, disable/enable, delete, reset their
// second factor. Disabling ends every session at once. Admins never set an existing user's password; they send a reset link.
import { checkProfile, profileSchemaOf } from './profile-schema.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import type { PasswordBlocklist } from '../credentials/password-policy.ts';
import { checkNewPassword, effectiveMinLength } from '../credentials/password-policy.ts';
import { eraseAccount } from './account-deletion.ts';
import { FrontdoorError } from '../errors.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import type { Clock, Mailer, PasswordHasher, Store, Tenant, User, UserStatus } from '../ports.ts';
import { newId } from '../secrets.ts';
import { requireEmail } from './email.ts';
import { giveDefaultRoles } from '../authz/roles.ts';

export interface UserAdminDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  hasher: PasswordHasher;
  blocklist: PasswordBlocklist;
}

export async function createUser(
  deps: UserAdminDeps,
  input: { tenant: Tenant; email: unknown; password?: string | undefined; verified?: boolean; profile?: Record<string, unknown> },
  ctx: RequestContext,
): Promise<User> {
  const { tenant } = input;
  const email = requireEmail(input.email);
  const hash =
    input.password === undefined
      ? null
      : await deps.hasher.hash(checkNewPassword(input.password, { email, minLength: effectiveMinLength(tenant.settings, false), blocklist: deps.blocklist }));
  // An admin or an import may leave out what registration asks for, but not break the schema.
  if (input.profile) checkProfile(profileSchemaOf(tenant), input.profile);
  const now = deps.clock.now();
  const verified = input.verified ?? false;
  const user: User = {
    id: newId('usr'),
    tenantId: tenant.id,
    status: verified ? 'active' : 'pending',
    email,
    emailVerified: verified,
    profile: input.profile ?? {},
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
  await deps.store.transaction(async (store) => {
    await store.users.create(user);
    if (hash) await store.passwords.set({ userId: user.id, tenantId: tenant.id, hash, updatedAt: now });
    await giveDefaultRoles(store, tenant, user.id, now);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.user_created', result: 'success', subject: user.id });
  return user;
}

export async function getUser(store: Store, tenantId: string, id: string): Promise<User> {
  const user = await store.users.get(tenantId, id);
  if (!user) throw new FrontdoorError('user.not_found');
  return user;
}

export async function setUserStatus(deps: UserAdminDeps, tenantId: string, id: string, status: Exclude<UserStatus, 'pending'>, ctx: RequestContext): Promise<User> {
  const now = deps.clock.now();
  const user = await deps.store.transaction(async (store) => {
    // Enabling an account whose owner asked to delete it keeps it: its pending erasure is called off.
    const updated = await store.users.update(tenantId, id, { status, ...(status === 'active' ? { eraseAfter: null } : {}) }, now);
    if (!updated) throw new FrontdoorError('user.not_found');
    if (status === 'disabled') {
      await store.sessions.revokeAllForUser(tenantId, id, now);
      await store.oidcGrants.revokeForUser(tenantId, id, null);
    }
    return updated;
  });
  await deps.audit.record(ctx, { tenantId, action: status === 'disabled' ? 'admin.user_disabled' : 'admin.user_enabled', result: 'success', subject: id });
  return user;
}

export async function updateUserProfile(deps: UserAdminDeps, tenantId: string, id: string, patch: { profile?: Record<string, unknown>; emailVerified?: boolean }, ctx: RequestContext): Promise<User> {
  if (patch.profile) {
    const tenant = await deps.store.tenants.get(tenantId);
    if (!tenant) throw new FrontdoorError('tenant.not_found');
    checkProfile(profileSchemaOf(tenant), patch.profile);
  }
  const updated = await deps.store.users.update(tenantId, id, patch, deps.clock.now());
  if (!updated) throw new FrontdoorError('user.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'admin.user_updated', result: 'success', subject: id, details: { fields: Object.keys(patch) } });
  return updated;
}

/** An admin's deletion: erased at once (account-deletion.ts), whatever the tenant's grace period for customers. */
export async function deleteUser(deps: UserAdminDeps, tenantId: string, id: string, ctx: RequestContext): Promise<void> {
  if (!(await eraseAccount(deps, tenantId, id, ctx, 'admin'))) throw new FrontdoorError('user.not_found');
}

export async function revokeUserSessions(deps: UserAdminDeps, tenantId: string, id: string, ctx: RequestContext): Promise<number> {
  await getUser(deps.store, tenantId, id);
  // Sessions and what apps hold: refresh and access tokens, remembered consent.
  const { count, grants } = await deps.store.transaction(async (store) => ({
    count: await store.sessions.revokeAllForUser(tenantId, id, deps.clock.now()),
    grants: await store.oidcGrants.revokeForUser(tenantId, id, null),
  }));
  await deps.audit.record(ctx, { tenantId, action: 'admin.user_sessions_revoked', result: 'success', subject: id, details: { count, oidcGrants: grants } });
  return count;
}

/**
 * Support's answer to a lost authenticator app: removes the user's app and recovery codes, so the
 * next sign-in needs the password only. Audited, and the user is told by mail — a reset they did
 * not ask for is how they learn of a social-engineering attempt.
 */
export async function resetUserMfa(deps: UserAdminDeps & { mailer: Mailer; links: Pick<LinkBuilder, 'forgotPassword'> }, tenant: Tenant, id: string, ctx: RequestContext): Promise<{ removed: boolean }> {
  const user = await getUser(deps.store, tenant.id, id);
  const removed = await deps.store.transaction(async (store) => {
    const hadApp = await store.totp.delete(tenant.id, user.id);
    await store.recoveryCodes.deleteAll(tenant.id, user.id);
    // Passkeys are second factors too: a lost phone may hold them.
    const passkeys = await store.passkeys.deleteAllForUser(tenant.id, user.id);
    const hadPhone = await store.phones.delete(tenant.id, user.id);
    await store.trustedDevices.deleteAllForUser(tenant.id, user.id);
    return hadApp || passkeys > 0 || hadPhone;
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.user_mfa_reset', result: 'success', subject: user.id, details: { removed } });
  if (removed) await deps.mailer.queue({ tenant, to: user.email, template: 'mfa_reset', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id) } });
  return { removed };
}
