// Households (shared accounts): the paying owner, adult members who sign in themselves, and
// managed profiles (a child) with no credentials of their own. The owner's plan bounds how many
// members and profiles there are; every change bounded by the plan takes the household's lock, so
// two of them racing cannot both take the last place. Every change is audited.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import type {
  Clock,
  Household,
  HouseholdInvitation,
  HouseholdLimits,
  HouseholdMember,
  HouseholdProfile,
  HouseholdProfileKind,
  Mailer,
  PasswordHasher,
  PurchasePolicy,
  Store,
  Tenant,
  TenantId,
  User,
} from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';
import { normalizeEmail } from '../users/email.ts';

export type HouseholdDeps = { store: Store; clock: Clock; audit: AuditLog };

export const DEFAULT_MAX_MEMBERS = 5;
export const DEFAULT_MAX_PROFILES = 6;
export const HOUSEHOLD_INVITATION_DAYS = 7;
const DAY = 86_400_000;
const KINDS: readonly HouseholdProfileKind[] = ['adult', 'child'];
const PURCHASES: readonly PurchasePolicy[] = ['allowed', 'pin', 'blocked'];
/** A child profile made without saying otherwise sees content rated up to this age and buys nothing. */
export const DEFAULT_CHILD_MAX_AGE_RATING = 12;

/** A plan's household bounds with the defaults filled in (devices and sessions at once: unbounded when left out). */
export type ResolvedHouseholdLimits = Required<Pick<HouseholdLimits, 'maxMembers' | 'maxProfiles'>> & HouseholdLimits;

/** The bounds of the owner's plan; null when the plan has no household. */
export function planLimits(tenant: Tenant, owner: Pick<User, 'plan'>): ResolvedHouseholdLimits | null {
  const household = owner.plan ? tenant.settings.plans?.[owner.plan]?.household : undefined;
  if (!household) return null;
  return { ...household, maxMembers: household.maxMembers ?? DEFAULT_MAX_MEMBERS, maxProfiles: household.maxProfiles ?? DEFAULT_MAX_PROFILES };
}

/** The limits in force for a household: its owner's plan now (a plan without households allows no growth). */
export async function householdLimits(store: Store, tenant: Tenant, household: Household): Promise<ResolvedHouseholdLimits> {
  const owner = await store.users.get(tenant.id, household.ownerId);
  return (owner ? planLimits(tenant, owner) : null) ?? { maxMembers: 0, maxProfiles: 0 };
}

function checkName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name || [...name].length > 40 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new FrontdoorError('request.invalid', { field: 'name' });
  return name;
}

/** A PIN is 4 to 8 digits; anything else is refused before hashing. */
export function checkPin(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9]{4,8}$/.test(value)) throw new FrontdoorError('household.pin_format', { field: 'pin' });
  return value;
}

/** What a member's own profile is called at first: their given name, else their address's local part. */
function ownProfileName(user: User): string {
  const given = typeof user.profile.given_name === 'string' ? user.profile.given_name.trim() : '';
  return (given || user.email.split('@')[0] || 'Me').slice(0, 40);
}

function ownProfile(tenantId: TenantId, householdId: string, user: User, now: number): HouseholdProfile {
  return { id: newId('hpr'), tenantId, householdId, userId: user.id, name: ownProfileName(user), kind: 'adult', maxAgeRating: null, purchases: 'allowed', pinHash: null, createdAt: now, updatedAt: now };
}

/** The household the user belongs to and their place in it; null for none. */
export async function householdOf(store: Store, tenantId: TenantId, userId: string): Promise<{ household: Household; member: HouseholdMember } | null> {
  const member = await store.households.membershipOf(tenantId, userId);
  if (!member) return null;
  const household = await store.households.get(tenantId, member.householdId);
  return household ? { household, member } : null;
}

/** The household this user owns; otherwise household.not_found (or owner_required for a member). */
export async function requireOwnedHousehold(store: Store, tenantId: TenantId, user: User): Promise<Household> {
  const found = await householdOf(store, tenantId, user.id);
  if (!found) throw new FrontdoorError('household.not_found');
  if (found.member.role !== 'owner') throw new FrontdoorError('household.owner_required');
  return found.household;
}

/** Starts a household owned by `ownerId`, whose plan must include one; the owner gets their own profile. */
export async function createHousehold(deps: HouseholdDeps, tenant: Tenant, ownerId: string, ctx: RequestContext): Promise<Household> {
  const owner = await deps.store.users.get(tenant.id, ownerId);
  if (!owner) throw new FrontdoorError('user.not_found', { field: 'owner' });
  if (!planLimits(tenant, owner)) throw new FrontdoorError('household.plan_required');
  const now = deps.clock.now();
  const household: Household = { id: newId('hh'), tenantId: tenant.id, ownerId, createdAt: now, updatedAt: now };
  await deps.store.transaction(async (tx) => {
    if (await tx.households.membershipOf(tenant.id, ownerId)) throw new FrontdoorError('household.already_member');
    await tx.households.create(household, { householdId: household.id, userId: ownerId, role: 'owner', createdAt: now });
    await tx.households.createProfile(ownProfile(tenant.id, household.id, owner, now), ownerId);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.created', result: 'success', subject: ownerId, details: { householdId: household.id } });
  return household;
}

export async function deleteHousehold(deps: HouseholdDeps, tenantId: TenantId, id: string, ctx: RequestContext): Promise<void> {
  const household = await deps.store.households.get(tenantId, id);
  if (!household || !(await deps.store.households.delete(tenantId, id))) throw new FrontdoorError('household.not_found');
  await deps.audit.record(ctx, { tenantId, action: 'household.deleted', result: 'success', subject: household.ownerId, details: { householdId: id } });
}

// ---- members ----------------------------------------------------------------------------------

type InviteDeps = HouseholdDeps & { mailer: Mailer; links: Pick<LinkBuilder, 'householdInvitation'> };

/** Mails an invitation to join as an adult member; refused when the plan has no room left. */
export async function inviteHouseholdMember(deps: InviteDeps, tenant: Tenant, household: Household, input: { email: unknown; inviterName: string }, ctx: RequestContext): Promise<HouseholdInvitation> {
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : null;
  if (!email) throw new FrontdoorError('email.invalid', { field: 'email' });
  const limits = await householdLimits(deps.store, tenant, household);
  const members = await deps.store.households.members(tenant.id, household.id);
  if (members.length - 1 >= limits.maxMembers) throw new FrontdoorError('household.member_limit');
  const token = randomToken();
  const now = deps.clock.now();
  const invitation: HouseholdInvitation = { id: newId('hin'), tenantId: tenant.id, householdId: household.id, email, tokenHash: hashToken(token), invitedBy: ctx.actor, createdAt: now, expiresAt: now + HOUSEHOLD_INVITATION_DAYS * DAY, acceptedAt: null, acceptedBy: null };
  await deps.store.households.createInvitation(invitation);
  await deps.mailer.queue({ tenant, to: email, template: 'household_invitation', locale: ctx.locale, params: { inviter: input.inviterName, link: deps.links.householdInvitation(tenant.id, token), days: String(HOUSEHOLD_INVITATION_DAYS) } });
  // The address stays out of the audit row: it is personal data of someone who may have no account.
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.invitation_sent', result: 'success', subject: household.ownerId, details: { householdId: household.id, invitation: invitation.id } });
  return invitation;
}

/** The open invitation a link's token names (not accepted, not expired), with its household. */
export async function openHouseholdInvitation(store: Store, clock: Clock, tenantId: TenantId, token: unknown): Promise<{ invitation: HouseholdInvitation; household: Household } | null> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
  const invitation = await store.households.findInvitation(tenantId, hashToken(token));
  if (!invitation || invitation.acceptedAt !== null || invitation.expiresAt <= clock.now()) return null;
  const household = await store.households.get(tenantId, invitation.householdId);
  return household ? { invitation, household } : null;
}

/** Only the invited address, verified, may take an invitation. */
export function householdInvitationIsFor(invitation: HouseholdInvitation, user: User): boolean {
  return user.emailVerified && user.email === invitation.email;
}

/** Joins the household as an adult member with a profile of their own; once per invitation. */
export async function acceptHouseholdInvitation(deps: HouseholdDeps, tenant: Tenant, user: User, token: unknown, ctx: RequestContext): Promise<Household> {
  const open = await openHouseholdInvitation(deps.store, deps.clock, tenant.id, token);
  if (!open) throw new FrontdoorError('token.invalid');
  if (!householdInvitationIsFor(open.invitation, user)) throw new FrontdoorError('household.invitation_other_address');
  const { household } = open;
  const limits = await householdLimits(deps.store, tenant, household);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (!(await tx.households.lock(tenant.id, household.id, now))) throw new FrontdoorError('token.invalid');
    if (await tx.households.membershipOf(tenant.id, user.id)) throw new FrontdoorError('household.already_member');
    const [members, profiles] = await Promise.all([tx.households.members(tenant.id, household.id), tx.households.profiles(tenant.id, household.id)]);
    if (members.length - 1 >= limits.maxMembers) throw new FrontdoorError('household.member_limit');
    if (profiles.length >= limits.maxProfiles) throw new FrontdoorError('household.profile_limit');
    // Single use: of two acceptances only one marks it.
    if (!(await tx.households.acceptInvitation(tenant.id, open.invitation.id, user.id, now))) throw new FrontdoorError('token.invalid');
    await tx.households.addMember(tenant.id, { householdId: household.id, userId: user.id, role: 'adult', createdAt: now });
    await tx.households.createProfile(ownProfile(tenant.id, household.id, user, now), household.ownerId);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.joined', result: 'success', subject: user.id, details: { householdId: household.id, invitation: open.invitation.id } });
  return household;
}

/**
 * Removes an adult member: their profile and devices go, and so do their sessions and what apps
 * hold for them (refresh tokens), so no device keeps using the household through them.
 */
export async function removeHouseholdMember(deps: HouseholdDeps, tenantId: TenantId, household: Household, userId: string, ctx: RequestContext): Promise<void> {
  if (userId === household.ownerId) throw new FrontdoorError('household.owner_required', { detail: 'the owner cannot be removed' });
  const now = deps.clock.now();
  const revoked = await deps.store.transaction(async (tx) => {
    if (!(await tx.households.removeMember(tenantId, household.id, userId))) throw new FrontdoorError('household.member_not_found');
    return { sessions: await tx.sessions.revokeAllForUser(tenantId, userId, now), grants: await tx.oidcGrants.revokeForUser(tenantId, userId, null) };
  });
  await deps.audit.record(ctx, { tenantId, action: 'household.member_removed', result: 'success', subject: userId, details: { householdId: household.id, ...revoked } });
}

// ---- profiles ---------------------------------------------------------------------------------

export interface ProfileInput {
  name?: unknown;
  kind?: unknown;
  maxAgeRating?: unknown;
  purchases?: unknown;
  /** A new PIN; null removes it. */
  pin?: unknown;
}

function checkKind(value: unknown): HouseholdProfileKind {
  if (typeof value !== 'string' || !KINDS.includes(value as HouseholdProfileKind)) throw new FrontdoorError('request.invalid', { field: 'kind' });
  return value as HouseholdProfileKind;
}

function checkRating(value: unknown): number | null {
  if (value === null || value === '') return null;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 21) throw new FrontdoorError('request.invalid', { field: 'max_age_rating' });
  return n;
}

function checkPurchases(value: unknown): PurchasePolicy {
  if (typeof value !== 'string' || !PURCHASES.includes(value as PurchasePolicy)) throw new FrontdoorError('request.invalid', { field: 'purchases' });
  return value as PurchasePolicy;
}

/** Adds a managed profile (no sign-in of its own); a child's defaults restrict it. */
export async function createManagedProfile(deps: HouseholdDeps & { hasher: PasswordHasher }, tenant: Tenant, household: Household, input: ProfileInput, ctx: RequestContext): Promise<HouseholdProfile> {
  const kind = input.kind === undefined ? 'child' : checkKind(input.kind);
  const now = deps.clock.now();
  const profile: HouseholdProfile = {
    id: newId('hpr'),
    tenantId: tenant.id,
    householdId: household.id,
    userId: null,
    name: checkName(input.name),
    kind,
    maxAgeRating: input.maxAgeRating === undefined ? (kind === 'child' ? DEFAULT_CHILD_MAX_AGE_RATING : null) : checkRating(input.maxAgeRating),
    purchases: input.purchases === undefined ? (kind === 'child' ? 'blocked' : 'allowed') : checkPurchases(input.purchases),
    pinHash: input.pin === undefined || input.pin === null || input.pin === '' ? null : await deps.hasher.hash(checkPin(input.pin)),
    createdAt: now,
    updatedAt: now,
  };
  const limits = await householdLimits(deps.store, tenant, household);
  await deps.store.transaction(async (tx) => {
    if (!(await tx.households.lock(tenant.id, household.id, now))) throw new FrontdoorError('household.not_found');
    if ((await tx.households.profiles(tenant.id, household.id)).length >= limits.maxProfiles) throw new FrontdoorError('household.profile_limit');
    await tx.households.createProfile(profile, household.ownerId);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.profile_created', result: 'success', subject: household.ownerId, details: { householdId: household.id, profileId: profile.id, kind } });
  return profile;
}

/**
 * Changes a profile. The owner changes any profile; a member only their own, and never its
 * restrictions (kind, rating, purchases), which are the owner's to set.
 */
export async function updateHouseholdProfile(deps: HouseholdDeps & { hasher: PasswordHasher }, tenantId: TenantId, household: Household, actor: User | 'admin', profileId: string, input: ProfileInput, ctx: RequestContext): Promise<HouseholdProfile> {
  const current = await deps.store.households.profile(tenantId, household.id, profileId);
  if (!current) throw new FrontdoorError('household.profile_not_found');
  const byOwner = actor === 'admin' || actor.id === household.ownerId;
  if (!byOwner && current.userId !== (actor as User).id) throw new FrontdoorError('household.profile_not_found');
  const restricts = input.kind !== undefined || input.maxAgeRating !== undefined || input.purchases !== undefined;
  if (restricts && !byOwner) throw new FrontdoorError('household.owner_required');
  // A member's own profile is an adult's: it has a sign-in of its own to protect it.
  if (current.userId !== null && input.kind !== undefined && input.kind !== 'adult') throw new FrontdoorError('request.invalid', { field: 'kind' });
  const next: HouseholdProfile = {
    ...current,
    ...(input.name !== undefined ? { name: checkName(input.name) } : {}),
    ...(input.kind !== undefined ? { kind: checkKind(input.kind) } : {}),
    ...(input.maxAgeRating !== undefined ? { maxAgeRating: checkRating(input.maxAgeRating) } : {}),
    ...(input.purchases !== undefined ? { purchases: checkPurchases(input.purchases) } : {}),
    ...(input.pin !== undefined ? { pinHash: input.pin === null || input.pin === '' ? null : await deps.hasher.hash(checkPin(input.pin)) } : {}),
    updatedAt: deps.clock.now(),
  };
  await deps.store.households.updateProfile(next, household.ownerId);
  const fields = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  await deps.audit.record(ctx, { tenantId, action: 'household.profile_updated', result: 'success', subject: household.ownerId, details: { householdId: household.id, profileId, fields } });
  return next;
}

/** Removes a managed profile (a member's own goes only with the member). */
export async function deleteManagedProfile(deps: HouseholdDeps, tenantId: TenantId, household: Household, profileId: string, ctx: RequestContext): Promise<void> {
  const current = await deps.store.households.profile(tenantId, household.id, profileId);
  if (!current || current.userId !== null) throw new FrontdoorError('household.profile_not_found');
  await deps.store.households.deleteProfile(tenantId, household.id, profileId);
  await deps.audit.record(ctx, { tenantId, action: 'household.profile_deleted', result: 'success', subject: household.ownerId, details: { householdId: household.id, profileId } });
}

/** The profiles a member may act as: their own and the managed ones (another adult's is theirs alone). */
export function profilesFor(profiles: readonly HouseholdProfile[], userId: string): HouseholdProfile[] {
  return profiles.filter((p) => p.userId === null || p.userId === userId);
}

/** Removes a registered device; its sessions end. */
export async function removeHouseholdDevice(deps: HouseholdDeps, tenantId: TenantId, household: Household, deviceHash: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.households.deleteDevice(tenantId, household.id, deviceHash))) throw new FrontdoorError('request.not_found');
  const now = deps.clock.now();
  let ended = 0;
  for (const session of await deps.store.households.liveSessions(tenantId, household.id, now)) {
    if (session.deviceHash === deviceHash && (await deps.store.sessions.revoke(tenantId, session.id, now))) ended += 1;
  }
  await deps.audit.record(ctx, { tenantId, action: 'household.device_removed', result: 'success', subject: household.ownerId, details: { householdId: household.id, sessionsEnded: ended } });
}
