// A household member's sessions: admitted within the plan's bounds (devices, sessions at once),
// acting as one of the household's profiles, switched only as far as the profile allows — a child
// profile does not become a less restricted one without that profile's PIN or the account holder
// proving who they are again. Tokens and decisions read the acting profile from here.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import { isRecentlyAuthenticated } from '../flows/reauthentication.ts';
import type { Clock, HouseholdProfile, PasswordHasher, PurchasePolicy, RateLimiter, Session, Store, Tenant, TenantId, User } from '../ports.ts';
import { householdLimits, householdOf, profilesFor } from './households.ts';

/** Wrong PINs allowed per profile in PIN_WINDOW_SECONDS, from any device. */
export const PIN_ATTEMPTS = 5;
export const PIN_WINDOW_SECONDS = 15 * 60;

const PURCHASE_RANK: Record<PurchasePolicy, number> = { blocked: 0, pin: 1, allowed: 2 };

/** Whether `target` lets its user do something `current` does not. */
export function loosens(current: HouseholdProfile, target: HouseholdProfile): boolean {
  if (current.kind === 'child' && target.kind !== 'child') return true;
  const rating = (p: HouseholdProfile) => p.maxAgeRating ?? Number.POSITIVE_INFINITY;
  return rating(target) > rating(current) || PURCHASE_RANK[target.purchases] > PURCHASE_RANK[current.purchases];
}

/** What rule conditions read as `profile.*`. */
export function profileFacts(profile: HouseholdProfile): Record<string, unknown> {
  return { id: profile.id, kind: profile.kind, managed: profile.userId === null, max_age_rating: profile.maxAgeRating, purchases: profile.purchases, household_id: profile.householdId };
}

/** What tokens say of the profile acting, so apps personalise and restrict without a profile store of their own. */
export interface ProfileClaims {
  household_id: string;
  profile_id: string;
  profile_kind: string;
  profile_restrictions: { max_age_rating: number | null; purchases: PurchasePolicy };
}

export function profileClaims(profile: HouseholdProfile): ProfileClaims {
  return { household_id: profile.householdId, profile_id: profile.id, profile_kind: profile.kind, profile_restrictions: { max_age_rating: profile.maxAgeRating, purchases: profile.purchases } };
}

/**
 * The profile a member's session acts as: the one chosen (if it is still theirs to use), else their
 * own. Null for a user outside any household.
 */
export async function actingProfile(store: Store, tenantId: TenantId, userId: string, profileId: string | null | undefined): Promise<HouseholdProfile | null> {
  const member = await store.households.membershipOf(tenantId, userId);
  if (!member) return null;
  const profiles = profilesFor(await store.households.profiles(tenantId, member.householdId), userId);
  return profiles.find((p) => profileId && p.id === profileId) ?? profiles.find((p) => p.userId === userId) ?? null;
}

export interface SignInDevice {
  /** HMAC of the browser's device cookie; null when the browser keeps none. */
  hash: string | null;
  /** e.g. "Chrome on Android". */
  name: string;
}

/**
 * Inside the transaction that creates a session: a member of a household is admitted only while
 * the household is within its plan's bounds — fewer live sessions than `maxConcurrentSessions`, and
 * this device registered or room for it under `maxDevices` — else household.session_limit or
 * household.device_limit (the transaction then creates nothing). The household's lock makes two
 * sign-ins racing for the last place see each other. The session starts acting as no profile in
 * particular (the member's own, until an app's picker or the hosted page chooses one).
 */
export function householdAdmission(deps: { clock: Clock }, tenant: Tenant, userId: string, device: SignInDevice): (tx: Store) => Promise<void> {
  return async (tx) => {
    const member = await tx.households.membershipOf(tenant.id, userId);
    if (!member) return;
    const household = await tx.households.get(tenant.id, member.householdId);
    if (!household) return;
    const now = deps.clock.now();
    const limits = await householdLimits(tx, tenant, household);
    if (limits.maxConcurrentSessions !== undefined || limits.maxDevices !== undefined) {
      await tx.households.lock(tenant.id, household.id, now);
      if (limits.maxConcurrentSessions !== undefined && (await tx.households.liveSessions(tenant.id, household.id, now)).length >= limits.maxConcurrentSessions) {
        throw new FrontdoorError('household.session_limit', { detail: `limit ${limits.maxConcurrentSessions}` });
      }
    }
    if (device.hash) {
      const devices = await tx.households.devices(tenant.id, household.id);
      const known = devices.find((d) => d.deviceHash === device.hash);
      if (!known && limits.maxDevices !== undefined && devices.length >= limits.maxDevices) throw new FrontdoorError('household.device_limit', { detail: `limit ${limits.maxDevices}` });
      await tx.households.putDevice(tenant.id, { householdId: household.id, deviceHash: device.hash, userId, name: device.name.slice(0, 100), firstSeenAt: known?.firstSeenAt ?? now, lastSeenAt: now });
    }
  };
}

type SwitchDeps = { store: Store; clock: Clock; audit: AuditLog; hasher: PasswordHasher; limiter: RateLimiter };

/**
 * Makes the session act as `profileId`. A profile with a PIN needs it (wrong PINs are bounded per
 * profile); leaving a profile for a less restricted one without a PIN needs a recent sign-in of the
 * account (household.confirmation_required otherwise: the page asks for the password or passkey).
 */
export async function switchProfile(deps: SwitchDeps, tenant: Tenant, current: { session: Session; user: User }, profileId: unknown, pin: unknown, ctx: RequestContext): Promise<HouseholdProfile> {
  const { session, user } = current;
  const found = await householdOf(deps.store, tenant.id, user.id);
  if (!found || typeof profileId !== 'string') throw new FrontdoorError('household.profile_not_found');
  const profiles = profilesFor(await deps.store.households.profiles(tenant.id, found.household.id), user.id);
  const target = profiles.find((p) => p.id === profileId);
  if (!target) throw new FrontdoorError('household.profile_not_found');
  const acting = profiles.find((p) => p.id === session.profileId) ?? null;
  if (target.pinHash) {
    const key = `household-pin:${tenant.id}:${target.id}`;
    const window = await deps.limiter.peek(key, PIN_ATTEMPTS, PIN_WINDOW_SECONDS);
    if (!window.allowed) throw new FrontdoorError('rate_limited', { retryAfterSeconds: window.retryAfterSeconds });
    const ok = typeof pin === 'string' && /^[0-9]{4,8}$/.test(pin) && (await deps.hasher.verify(target.pinHash, pin)).ok;
    if (!ok) {
      await deps.limiter.hit(key, PIN_ATTEMPTS, PIN_WINDOW_SECONDS);
      await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.profile_switched', result: 'failure', reason: 'pin', subject: user.id, details: { profileId: target.id } });
      throw new FrontdoorError('household.pin_invalid', { field: 'pin' });
    }
  } else if (acting && acting.id !== target.id && loosens(acting, target) && !isRecentlyAuthenticated(deps, tenant, session)) {
    throw new FrontdoorError('household.confirmation_required');
  }
  await deps.store.sessions.setProfile(tenant.id, session.id, target.id);
  await deps.store.households.relinkSessionProfile(tenant.id, session.id, target.id);
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'household.profile_switched', result: 'success', subject: user.id, details: { profileId: target.id, from: acting?.id ?? null } });
  return target;
}
