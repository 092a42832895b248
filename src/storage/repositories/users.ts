import { sql } from 'kysely';
import { FrontdoorError } from '../../core/errors.ts';
import type { PasswordRepository, User, UserRepository, UserStatus } from '../../core/ports.ts';
import type { UsersTable } from '../schema.ts';
import { decodeCursor, encodeCursor, fromBool, isStorableText, isUniqueViolation, likePrefix, parseJson, toBool, type Db } from './rows.ts';

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status as UserStatus,
    email: row.email,
    emailVerified: toBool(row.email_verified),
    profile: parseJson(row.profile, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
    eraseAfter: row.erase_after === null || row.erase_after === undefined ? null : Number(row.erase_after),
  };
}

function insertUser(db: Db, u: User) {
  return db
    .insertInto('users')
    .values({
      id: u.id,
      tenant_id: u.tenantId,
      status: u.status,
      email: u.email,
      email_verified: fromBool(u.emailVerified),
      profile: JSON.stringify(u.profile),
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      last_login_at: u.lastLoginAt,
      erase_after: u.eraseAfter ?? null,
    })
    .execute();
}

export function userRepository(db: Db): UserRepository {
  // Active accounts last used (signed in, or created if never signed in) before `before`.
  const activeUnusedSince = (tenantId: string, before: number) =>
    db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('last_login_at', '<', before), eb.and([eb('last_login_at', 'is', null), eb('created_at', '<', before)])]));
  return {
    async create(u) {
      await insertUser(db, u).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new FrontdoorError('user.exists', { field: 'email', cause: error });
        throw error;
      });
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async findByEmail(tenantId, email) {
      if (!isStorableText(email)) return null;
      const row = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('email', '=', email).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async list({ tenantId, emailPrefix, status, limit, cursor }) {
      let query = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
      if (emailPrefix) query = query.where(sql<boolean>`email like ${likePrefix(emailPrefix)} escape '\\'`);
      if (status) query = query.where('status', '=', status);
      const after = decodeCursor(cursor);
      if (after) {
        const [createdAt, id] = after;
        query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toUser);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    },
    async update(tenantId, id, patch, now) {
      const values: Partial<UsersTable> = { updated_at: now };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.emailVerified !== undefined) values.email_verified = fromBool(patch.emailVerified);
      if (patch.profile !== undefined) values.profile = JSON.stringify(patch.profile);
      if (patch.lastLoginAt !== undefined) {
        values.last_login_at = patch.lastLoginAt;
        // Back in use: a later spell of inactivity is warned about afresh.
        values.inactivity_warned_at = null;
      }
      if (patch.eraseAfter !== undefined) values.erase_after = patch.eraseAfter;
      let result;
      try {
        result = await db.updateTable('users').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      } catch (error) {
        // A changed address that another account of the tenant has meanwhile.
        if (isUniqueViolation(error)) throw new FrontdoorError('user.exists', { field: 'email' });
        throw error;
      }
      if (Number(result.numUpdatedRows) === 0) return null;
      const row = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async staleUnverified(tenantId, before, limit) {
      const rows = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'pending').where('email_verified', '=', 0).where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
      return rows.map(toUser);
    },
    async inactiveUnwarned(tenantId, before, limit) {
      const rows = await activeUnusedSince(tenantId, before).where('inactivity_warned_at', 'is', null).limit(limit).execute();
      return rows.map(toUser);
    },
    async claimInactivityWarning(tenantId, id, now) {
      const result = await db.updateTable('users').set({ inactivity_warned_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).where('inactivity_warned_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async inactiveWarned(tenantId, before, warnedBefore, limit) {
      const rows = await activeUnusedSince(tenantId, before).where('inactivity_warned_at', '<=', warnedBefore).limit(limit).execute();
      return rows.map(toUser);
    },
    async dueForErasure(now, limit) {
      const rows = await db.selectFrom('users').select(['tenant_id', 'id']).where('erase_after', 'is not', null).where('erase_after', '<=', now).orderBy('erase_after').limit(limit).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
    },
  };
}

export function passwordRepository(db: Db): PasswordRepository {
  return {
    async get(tenantId, userId) {
      const row = await db.selectFrom('password_credentials').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row
        ? { userId: row.user_id, tenantId: row.tenant_id, hash: row.hash, updatedAt: Number(row.updated_at), resetRequired: toBool(row.reset_required), consecutiveFailures: Number(row.consecutive_failures) }
        : null;
    },
    async set(c) {
      await db
        .insertInto('password_credentials')
        .values({ user_id: c.userId, tenant_id: c.tenantId, hash: c.hash, updated_at: c.updatedAt, reset_required: 0, consecutive_failures: 0 })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash: c.hash, updated_at: c.updatedAt, reset_required: 0, consecutive_failures: 0 }))
        .execute();
    },
    async recordFailure(tenantId, userId) {
      const row = await db
        .updateTable('password_credentials')
        .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .returning('consecutive_failures')
        .executeTakeFirst();
      return row ? Number(row.consecutive_failures) : 0;
    },
    async clearFailures(tenantId, userId) {
      const before = await db.selectFrom('password_credentials').select('consecutive_failures').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      if (!before || Number(before.consecutive_failures) === 0) return 0;
      await db.updateTable('password_credentials').set({ consecutive_failures: 0 }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
      return Number(before.consecutive_failures);
    },
    async requireReset(tenantId, userId, now) {
      const result = await db.updateTable('password_credentials').set({ reset_required: 1, updated_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
