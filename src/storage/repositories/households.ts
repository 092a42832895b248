// Households, their members, profiles, invitations and devices (migration 0029).
import type { HouseholdDevice, HouseholdInvitation, HouseholdMember, HouseholdProfile, HouseholdProfileKind, HouseholdRepository, HouseholdRole, PurchasePolicy } from '../../core/ports.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { HouseholdDevicesTable, HouseholdInvitationsTable, HouseholdMembersTable, HouseholdProfilesTable } from '../schema.ts';
import { isStorableText, type Db } from './rows.ts';
import { selectSessions, toSession } from './sessions.ts';

function toMember(row: HouseholdMembersTable): HouseholdMember {
  return { householdId: row.household_id, userId: row.user_id, role: row.role as HouseholdRole, createdAt: Number(row.created_at) };
}

function toDevice(row: HouseholdDevicesTable): HouseholdDevice {
  return { householdId: row.household_id, deviceHash: row.device_hash, userId: row.user_id, name: row.name, firstSeenAt: Number(row.first_seen_at), lastSeenAt: Number(row.last_seen_at) };
}

function toInvitation(vault: PersonalDataVault, row: HouseholdInvitationsTable): HouseholdInvitation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    householdId: row.household_id,
    email: vault.open(vault.outboxKey, row.email, 'household_invitation.email', row.tenant_id, row.id),
    tokenHash: row.token_hash,
    invitedBy: row.invited_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
    acceptedBy: row.accepted_by,
  };
}

// Profile names are personal data of the household: sealed under the owner's data key (bound to
// the profile id), so erasing the owner — which deletes the household — leaves nothing readable.
export function householdRepository(db: Db, vault: PersonalDataVault): HouseholdRepository {
  async function ownerKey(tenantId: string, householdId: string) {
    const row = await db.selectFrom('households').select('owner_id').where('tenant_id', '=', tenantId).where('id', '=', householdId).executeTakeFirst();
    return row ? { ownerId: row.owner_id, key: await vault.userKey(db, tenantId, row.owner_id) } : null;
  }
  async function toProfiles(rows: HouseholdProfilesTable[]): Promise<HouseholdProfile[]> {
    const first = rows[0];
    if (!first) return [];
    const owner = await ownerKey(first.tenant_id, first.household_id);
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      householdId: row.household_id,
      userId: row.user_id,
      name: owner?.key ? vault.open(owner.key, row.name, 'household_profile.name', row.tenant_id, owner.ownerId + ':' + row.id) : '',
      kind: row.kind as HouseholdProfileKind,
      maxAgeRating: row.max_age_rating === null ? null : Number(row.max_age_rating),
      purchases: row.purchases as PurchasePolicy,
      pinHash: row.pin_hash,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }
  async function sealName(profile: HouseholdProfile, ownerId: string): Promise<string> {
    const key = await vault.userKey(db, profile.tenantId, ownerId);
    if (!key) throw new Error('the household owner has no data key');
    return vault.seal(key, profile.name, 'household_profile.name', profile.tenantId, ownerId + ':' + profile.id);
  }

  return {
    async create(household, owner) {
      await db.insertInto('households').values({ id: household.id, tenant_id: household.tenantId, owner_id: household.ownerId, created_at: household.createdAt, updated_at: household.updatedAt }).execute();
      await db.insertInto('household_members').values({ tenant_id: household.tenantId, user_id: owner.userId, household_id: household.id, role: owner.role, created_at: owner.createdAt }).execute();
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('households').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, tenantId: row.tenant_id, ownerId: row.owner_id, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) } : null;
    },
    async delete(tenantId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('households').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async lock(tenantId, id, now) {
      const result = await db.updateTable('households').set({ updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async membershipOf(tenantId, userId) {
      if (!isStorableText(userId)) return null;
      const row = await db.selectFrom('household_members').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row ? toMember(row) : null;
    },
    async members(tenantId, householdId) {
      const rows = await db.selectFrom('household_members').selectAll().where('tenant_id', '=', tenantId).where('household_id', '=', householdId).orderBy('created_at').limit(100).execute();
      return rows.map(toMember);
    },
    async addMember(tenantId, m) {
      await db.insertInto('household_members').values({ tenant_id: tenantId, user_id: m.userId, household_id: m.householdId, role: m.role, created_at: m.createdAt }).execute();
    },
    async removeMember(tenantId, householdId, userId) {
      if (!isStorableText(userId)) return false;
      const result = await db.deleteFrom('household_members').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('user_id', '=', userId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      // Their own profile and the devices they brought go with them.
      await db.deleteFrom('household_profiles').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('user_id', '=', userId).execute();
      await db.deleteFrom('household_devices').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('user_id', '=', userId).execute();
      return true;
    },
    async createProfile(p, ownerId) {
      await db
        .insertInto('household_profiles')
        .values({
          id: p.id,
          tenant_id: p.tenantId,
          household_id: p.householdId,
          user_id: p.userId,
          name: await sealName(p, ownerId),
          kind: p.kind,
          max_age_rating: p.maxAgeRating,
          purchases: p.purchases,
          pin_hash: p.pinHash,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })
        .execute();
    },
    async profile(tenantId, householdId, id) {
      if (!isStorableText(id)) return null;
      const rows = await db.selectFrom('household_profiles').selectAll().where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('id', '=', id).execute();
      return (await toProfiles(rows))[0] ?? null;
    },
    async profiles(tenantId, householdId) {
      const rows = await db.selectFrom('household_profiles').selectAll().where('tenant_id', '=', tenantId).where('household_id', '=', householdId).orderBy('created_at').orderBy('id').limit(100).execute();
      return toProfiles(rows);
    },
    async updateProfile(p, ownerId) {
      await db
        .updateTable('household_profiles')
        .set({ name: await sealName(p, ownerId), kind: p.kind, max_age_rating: p.maxAgeRating, purchases: p.purchases, pin_hash: p.pinHash, updated_at: p.updatedAt })
        .where('tenant_id', '=', p.tenantId)
        .where('household_id', '=', p.householdId)
        .where('id', '=', p.id)
        .execute();
    },
    async deleteProfile(tenantId, householdId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('household_profiles').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async createInvitation(i) {
      await db
        .insertInto('household_invitations')
        .values({
          id: i.id,
          tenant_id: i.tenantId,
          household_id: i.householdId,
          email: vault.seal(vault.outboxKey, i.email, 'household_invitation.email', i.tenantId, i.id),
          email_index: vault.emailIndex(i.tenantId, i.email),
          token_hash: i.tokenHash,
          invited_by: i.invitedBy,
          created_at: i.createdAt,
          expires_at: i.expiresAt,
          accepted_at: null,
          accepted_by: null,
        })
        .execute();
    },
    async findInvitation(tenantId, tokenHash) {
      const row = await db.selectFrom('household_invitations').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toInvitation(vault, row) : null;
    },
    async pendingInvitations(tenantId, householdId, now) {
      const rows = await db
        .selectFrom('household_invitations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('household_id', '=', householdId)
        .where('accepted_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return rows.map((row) => toInvitation(vault, row));
    },
    async acceptInvitation(tenantId, id, userId, now) {
      const result = await db
        .updateTable('household_invitations')
        .set({ accepted_at: now, accepted_by: userId })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteInvitation(tenantId, householdId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('household_invitations').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('id', '=', id).where('accepted_at', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async devices(tenantId, householdId) {
      const rows = await db.selectFrom('household_devices').selectAll().where('tenant_id', '=', tenantId).where('household_id', '=', householdId).orderBy('last_seen_at', 'desc').limit(200).execute();
      return rows.map(toDevice);
    },
    async putDevice(tenantId, d) {
      await db
        .insertInto('household_devices')
        .values({ tenant_id: tenantId, household_id: d.householdId, device_hash: d.deviceHash, user_id: d.userId, name: d.name, first_seen_at: d.firstSeenAt, last_seen_at: d.lastSeenAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'household_id', 'device_hash']).doUpdateSet({ last_seen_at: d.lastSeenAt, name: d.name, user_id: d.userId }))
        .execute();
    },
    async deleteDevice(tenantId, householdId, deviceHash) {
      if (!isStorableText(deviceHash)) return false;
      const result = await db.deleteFrom('household_devices').where('tenant_id', '=', tenantId).where('household_id', '=', householdId).where('device_hash', '=', deviceHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async liveSessions(tenantId, householdId, now) {
      const rows = await selectSessions(db)
        .where('sessions.tenant_id', '=', tenantId)
        .where('sessions.user_id', 'in', db.selectFrom('household_members').select('user_id').where('tenant_id', '=', tenantId).where('household_id', '=', householdId))
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.idle_expires_at', '>', now)
        .where('sessions.absolute_expires_at', '>', now)
        .orderBy('sessions.last_seen_at', 'desc')
        .limit(500)
        .execute();
      return Promise.all(rows.map((row) => toSession(vault, row)));
    },
    async linkProviderSession(tenantId, link) {
      await db
        .insertInto('oidc_session_profiles')
        .values({ tenant_id: tenantId, session_uid: link.sessionUid, session_id: link.sessionId, profile_id: link.profileId, expires_at: link.expiresAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'session_uid']).doUpdateSet({ session_id: link.sessionId, profile_id: link.profileId, expires_at: link.expiresAt }))
        .execute();
    },
    async providerSessionLink(tenantId, sessionUid, now) {
      if (!isStorableText(sessionUid)) return undefined;
      const row = await db.selectFrom('oidc_session_profiles').select(['session_id', 'profile_id', 'expires_at']).where('tenant_id', '=', tenantId).where('session_uid', '=', sessionUid).executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return undefined;
      return { sessionId: row.session_id, profileId: row.profile_id };
    },
    async deleteExpiredLinks(now) {
      const result = await db.deleteFrom('oidc_session_profiles').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async relinkSessionProfile(tenantId, sessionId, profileId) {
      await db.updateTable('oidc_session_profiles').set({ profile_id: profileId }).where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).execute();
    },
  };
}
