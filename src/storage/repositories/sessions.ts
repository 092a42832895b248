import type { Session, SessionRepository } from '../../core/ports.ts';
import { isSealed } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { SessionsTable } from '../schema.ts';
import { parseJson, wrappedKeyColumns, type Db } from './rows.ts';

type SessionRow = SessionsTable & { key_id: string | null; wrapped_key: string | null };

// The address and browser a session started from are personal: sealed under the account's data
// key, read with the row (the wrapped key comes along, as for users). Values from before sealing
// are read as they are.
async function toSession(vault: PersonalDataVault, row: SessionRow): Promise<Session> {
  const needsKey = (row.ip !== null && isSealed(row.ip)) || (row.user_agent !== null && isSealed(row.user_agent));
  const key = needsKey && row.key_id !== null && row.wrapped_key !== null ? await vault.openUserKey(row.tenant_id, row.user_id, { keyId: row.key_id, wrapped: row.wrapped_key }) : null;
  const open = (value: string | null, column: string) => (value === null || !isSealed(value) ? value : key ? vault.open(key, value, column, row.tenant_id, row.user_id) : null);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    authenticatedAt: row.authenticated_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    ip: open(row.ip, 'session.ip'),
    userAgent: open(row.user_agent, 'session.user_agent'),
    revokedAt: row.revoked_at,
    amr: parseJson(row.amr, ['pwd']),
    acr: row.acr,
    profileId: row.profile_id,
    deviceHash: row.device_hash,
  };
}

/** Sessions with their account's wrapped data key. */
function selectSessions(db: Db) {
  return db
    .selectFrom('sessions')
    .selectAll('sessions')
    .select((eb) => wrappedKeyColumns(eb, 'sessions.tenant_id', 'sessions.user_id'));
}

export { toSession, selectSessions };

export function sessionRepository(db: Db, vault: PersonalDataVault): SessionRepository {
  return {
    async create(s) {
      const key = await vault.userKey(db, s.tenantId, s.userId);
      const seal = (value: string | null, column: string) => (value === null || !key ? null : vault.seal(key, value, column, s.tenantId, s.userId));
      await db
        .insertInto('sessions')
        .values({
          id: s.id,
          tenant_id: s.tenantId,
          user_id: s.userId,
          token_hash: s.tokenHash,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          authenticated_at: s.authenticatedAt,
          idle_expires_at: s.idleExpiresAt,
          absolute_expires_at: s.absoluteExpiresAt,
          ip: seal(s.ip, 'session.ip'),
          user_agent: seal(s.userAgent, 'session.user_agent'),
          revoked_at: s.revokedAt,
          amr: JSON.stringify(s.amr),
          acr: s.acr,
          profile_id: s.profileId ?? null,
          device_hash: s.deviceHash ?? null,
        })
        .execute();
    },
    async findByTokenHash(tenantId, tokenHash) {
      const row = await selectSessions(db).where('sessions.token_hash', '=', tokenHash).where('sessions.tenant_id', '=', tenantId).executeTakeFirst();
      return row ? toSession(vault, row) : null;
    },
    async listActiveForUser(tenantId, userId, now) {
      const rows = await selectSessions(db)
        .where('sessions.tenant_id', '=', tenantId)
        .where('sessions.user_id', '=', userId)
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.idle_expires_at', '>', now)
        .where('sessions.absolute_expires_at', '>', now)
        .orderBy('sessions.last_seen_at', 'desc')
        .execute();
      return Promise.all(rows.map((row) => toSession(vault, row)));
    },
    async touch(tenantId, id, lastSeenAt, idleExpiresAt) {
      await db.updateTable('sessions').set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async reauthenticate(tenantId, id, authenticatedAt, amr, acr) {
      await db.updateTable('sessions').set({ authenticated_at: authenticatedAt, amr: JSON.stringify(amr), acr }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async revoke(tenantId, id, now) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setProfile(tenantId, id, profileId) {
      await db.updateTable('sessions').set({ profile_id: profileId }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async revokeAllForUser(tenantId, userId, now, exceptId) {
      let query = db.updateTable('sessions').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (exceptId) query = query.where('id', '!=', exceptId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async deleteExpired(now) {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('absolute_expires_at', '<=', now), eb('idle_expires_at', '<=', now), eb('revoked_at', 'is not', null)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
