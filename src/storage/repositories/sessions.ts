import type { Session, SessionRepository } from '../../core/ports.ts';
import type { SessionsTable } from '../schema.ts';
import { parseJson, type Db } from './rows.ts';

function toSession(row: SessionsTable): Session {
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
    ip: row.ip,
    userAgent: row.user_agent,
    revokedAt: row.revoked_at,
    amr: parseJson(row.amr, ['pwd']),
    acr: row.acr,
  };
}

export function sessionRepository(db: Db): SessionRepository {
  return {
    async create(s) {
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
          ip: s.ip,
          user_agent: s.userAgent,
          revoked_at: s.revokedAt,
          amr: JSON.stringify(s.amr),
          acr: s.acr,
        })
        .execute();
    },
    async findByTokenHash(tenantId, tokenHash) {
      const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row ? toSession(row) : null;
    },
    async listActiveForUser(tenantId, userId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', now)
        .where('absolute_expires_at', '>', now)
        .orderBy('last_seen_at', 'desc')
        .execute();
      return rows.map(toSession);
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
