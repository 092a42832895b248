import type { Kysely } from 'kysely';
import { FrontdoorError } from '../../core/errors.ts';
import type { PasswordRepository, User, UserRepository, UserStatus } from '../../core/ports.ts';
import type { Database, UsersTable } from '../schema.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import { decodeCursor, encodeCursor, fromBool, isStorableText, isUniqueViolation, parseJson, precompiled, toBool, wrappedKeyColumns, type Db } from './rows.ts';

type UserRow = UsersTable & { key_id: string | null; wrapped_key: string | null };

// The address and the profile are sealed under the account's data key (see personal-data-vault).
async function toUser(vault: PersonalDataVault, row: UserRow): Promise<User> {
  let email = row.email;
  let profile = row.profile;
  // A row from before encryption has no blind index and plain values until the next start seals it.
  if (row.email_index !== null) {
    if (row.key_id === null || row.wrapped_key === null) throw new Error(`account ${row.id} has no data key`);
    const key = await vault.openUserKey(row.tenant_id, row.id, { keyId: row.key_id, wrapped: row.wrapped_key });
    email = vault.open(key, row.email, 'email', row.tenant_id, row.id);
    profile = vault.open(key, row.profile, 'profile', row.tenant_id, row.id);
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status as UserStatus,
    email,
    emailVerified: toBool(row.email_verified),
    profile: parseJson(profile, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
    eraseAfter: row.erase_after === null || row.erase_after === undefined ? null : Number(row.erase_after),
    locale: row.locale ?? null,
    plan: row.plan ?? null,
  };
}

/** Users with their wrapped data key: one query reads both. */
function selectUsers(db: Db) {
  return db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => wrappedKeyColumns(eb, 'users.tenant_id', 'users.id'));
}

/** Runs `work` in a transaction unless `db` already is one. */
function atomically<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : (db as Kysely<Database>).transaction().execute(work);
}

async function insertUser(db: Db, vault: PersonalDataVault, u: User) {
  const { key, wrapped } = await vault.newUserKey(u.tenantId, u.id);
  await atomically(db, async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id: u.id,
        tenant_id: u.tenantId,
        status: u.status,
        email: vault.seal(key, u.email, 'email', u.tenantId, u.id),
        email_index: vault.emailIndex(u.tenantId, u.email),
        email_verified: fromBool(u.emailVerified),
        profile: vault.seal(key, JSON.stringify(u.profile), 'profile', u.tenantId, u.id),
        created_at: u.createdAt,
        updated_at: u.updatedAt,
        last_login_at: u.lastLoginAt,
        erase_after: u.eraseAfter ?? null,
        locale: u.locale ?? null,
        plan: u.plan ?? null,
      })
      .execute();
    await trx.insertInto('user_data_keys').values({ tenant_id: u.tenantId, user_id: u.id, key_id: wrapped.keyId, wrapped: wrapped.wrapped, created_at: u.createdAt }).execute();
  });
}

export function userRepository(db: Db, vault: PersonalDataVault): UserRepository {
  const toUsers = (rows: UserRow[]) => Promise.all(rows.map((row) => toUser(vault, row)));
  // Active accounts last used (signed in, or created if never signed in) before `before`.
  const activeUnusedSince = (tenantId: string, before: number) =>
    selectUsers(db)
      .where('users.tenant_id', '=', tenantId)
      .where('users.status', '=', 'active')
      .where((eb) => eb.or([eb('users.last_login_at', '<', before), eb.and([eb('users.last_login_at', 'is', null), eb('users.created_at', '<', before)])]));
  // Every decision of the check API reads the account: compiled once.
  const userById = precompiled(db, 2, (tenantId: string, id: string) => selectUsers(db).where('users.tenant_id', '=', tenantId).where('users.id', '=', id));
  const getUser = async (tenantId: string, id: string) => {
    const [row] = await userById(tenantId, id);
    return row ? toUser(vault, row) : null;
  };
  return {
    async create(u) {
      await insertUser(db, vault, u).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new FrontdoorError('user.exists', { field: 'email', cause: error });
        throw error;
      });
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      return getUser(tenantId, id);
    },
    async findByEmail(tenantId, email) {
      if (!isStorableText(email)) return null;
      // Only by the blind index (an OR with the plain column would cost the index): rows from
      // before encryption are sealed at start, before a request is served.
      const row = await selectUsers(db).where('users.tenant_id', '=', tenantId).where('users.email_index', '=', vault.emailIndex(tenantId, email)).executeTakeFirst();
      return row ? toUser(vault, row) : null;
    },
    async list({ tenantId, email, status, limit, cursor }) {
      let query = selectUsers(db).where('users.tenant_id', '=', tenantId);
      // Addresses are sealed: only a whole address can be searched for, through its blind index.
      if (email !== undefined) query = query.where('users.email_index', '=', vault.emailIndex(tenantId, email));
      if (status) query = query.where('users.status', '=', status);
      const after = decodeCursor(cursor);
      if (after) {
        const [createdAt, id] = after;
        query = query.where((eb) => eb.or([eb('users.created_at', '>', createdAt), eb.and([eb('users.created_at', '=', createdAt), eb('users.id', '>', id)])]));
      }
      const rows = await query.orderBy('users.created_at').orderBy('users.id').limit(limit + 1).execute();
      const items = await toUsers(rows.slice(0, limit));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    },
    async update(tenantId, id, patch, now) {
      const values: Partial<UsersTable> = { updated_at: now };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.email !== undefined || patch.profile !== undefined) {
        const key = await vault.userKey(db, tenantId, id);
        if (!key) return null;
        if (patch.email !== undefined) {
          values.email = vault.seal(key, patch.email, 'email', tenantId, id);
          values.email_index = vault.emailIndex(tenantId, patch.email);
        }
        if (patch.profile !== undefined) values.profile = vault.seal(key, JSON.stringify(patch.profile), 'profile', tenantId, id);
      }
      if (patch.emailVerified !== undefined) values.email_verified = fromBool(patch.emailVerified);
      if (patch.lastLoginAt !== undefined) {
        values.last_login_at = patch.lastLoginAt;
        // Back in use: a later spell of inactivity is warned about afresh.
        values.inactivity_warned_at = null;
      }
      if (patch.eraseAfter !== undefined) values.erase_after = patch.eraseAfter;
      if (patch.locale !== undefined) values.locale = patch.locale;
      if (patch.plan !== undefined) values.plan = patch.plan;
      let result;
      try {
        result = await db.updateTable('users').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      } catch (error) {
        // A changed address that another account of the tenant has meanwhile.
        if (isUniqueViolation(error)) throw new FrontdoorError('user.exists', { field: 'email' });
        throw error;
      }
      if (Number(result.numUpdatedRows) === 0) return null;
      return getUser(tenantId, id);
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async staleUnverified(tenantId, before, limit) {
      const rows = await selectUsers(db)
        .where('users.tenant_id', '=', tenantId)
        .where('users.status', '=', 'pending')
        .where('users.email_verified', '=', 0)
        .where('users.created_at', '<', before)
        .orderBy('users.created_at')
        .limit(limit)
        .execute();
      return toUsers(rows);
    },
    async inactiveUnwarned(tenantId, before, limit) {
      const rows = await activeUnusedSince(tenantId, before).where('users.inactivity_warned_at', 'is', null).limit(limit).execute();
      return toUsers(rows);
    },
    async claimInactivityWarning(tenantId, id, now) {
      const result = await db.updateTable('users').set({ inactivity_warned_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).where('inactivity_warned_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async inactiveWarned(tenantId, before, warnedBefore, limit) {
      const rows = await activeUnusedSince(tenantId, before).where('users.inactivity_warned_at', '<=', warnedBefore).limit(limit).execute();
      return toUsers(rows);
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
