// Browsers remembered for skipping the second factor.
import type { TrustedDevice, TrustedDeviceRepository } from '../../core/ports.ts';
import type { TrustedDevicesTable } from '../schema.ts';
import { isStorableText, type Db } from './rows.ts';

function toDevice(row: TrustedDevicesTable): TrustedDevice {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
  };
}

export function trustedDeviceRepository(db: Db): TrustedDeviceRepository {
  const ofUser = (tenantId: string, userId: string) => db.selectFrom('trusted_devices').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId);
  return {
    async create(d) {
      await db
        .insertInto('trusted_devices')
        .values({ id: d.id, tenant_id: d.tenantId, user_id: d.userId, token_hash: d.tokenHash, name: d.name, created_at: d.createdAt, last_used_at: d.lastUsedAt, expires_at: d.expiresAt })
        .execute();
    },
    async find(tenantId, userId, tokenHash, now) {
      if (!isStorableText(tokenHash)) return null;
      const row = await ofUser(tenantId, userId).where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
      return row ? toDevice(row) : null;
    },
    async touch(id, now) {
      await db.updateTable('trusted_devices').set({ last_used_at: now }).where('id', '=', id).execute();
    },
    async listForUser(tenantId, userId, now) {
      const rows = await ofUser(tenantId, userId).where('expires_at', '>', now).orderBy('last_used_at', 'desc').execute();
      return rows.map(toDevice);
    },
    async delete(tenantId, userId, id) {
      const result = await db.deleteFrom('trusted_devices').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async deleteAllForUser(tenantId, userId) {
      const result = await db.deleteFrom('trusted_devices').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('trusted_devices').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
