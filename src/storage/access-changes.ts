// The log of writes that decide access (an account's status, profile, plan or roles; a tenant's
// roles), kept so that every node's decision cache hears of every change, wherever it was made.
// Each write inserts a row with the change (inside its transaction when there is one); this process
// is told once the write has committed, every process reads the rows it has not seen every 250 ms.
// Rows live ten minutes. While a process reads without a break, what its caches keep under the
// feed's current `coverage` can be kept long: no change can pass unheard for more than a poll.
import type { Kysely } from 'kysely';
import type { AccessChange, AccessChangeFeed, AuthorizationRepository, UserRepository } from '../core/ports.ts';
import type { Db } from './repositories/rows.ts';
import type { Database } from './schema.ts';

const POLL_MS = 250;
/** After this long without a good poll the feed no longer vouches for anything. */
const STALE_MS = 2000;
/**
 * Rows a poll reads again by age, not only after the last number seen: on PostgreSQL a transaction
 * can commit after one that took a later number.
 */
const LATE_COMMIT_MS = 5000;
const KEEP_MS = 10 * 60_000;
const CLEANUP_EVERY_MS = 60_000;
const MAX_ROWS = 2000;

export interface AccessChangeLog extends AccessChangeFeed {
  /** Inserts the row for `change` through `db` (a transaction's, when it is in one). */
  record(db: Db, change: AccessChange): Promise<void>;
  /** Tells this process's listeners of its own committed changes. */
  deliver(changes: readonly AccessChange[]): void;
  /** One read of the rows not yet seen (the timer's work; tests call it directly). */
  poll(): Promise<void>;
  close(): void;
}

/** `pollMs`: how often the log is read (250 ms; a test isolating another path sets it long). */
export function createAccessChangeLog(root: Kysely<Database>, pollMs = POLL_MS): AccessChangeLog {
  const listeners: ((change: AccessChange | 'everything', here: boolean) => void)[] = [];
  // Numbers seen lately (own inserts and read rows) with their row's time, so a row read again is not told twice.
  const seen = new Map<number, number>();
  let cursor: number | null = null;
  let coverage: number | null = null;
  let coverages = 0;
  let lastGoodPoll = 0;
  let lastCleanup = 0;
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;

  const tell = (change: AccessChange | 'everything', here: boolean) => {
    for (const listener of listeners) listener(change, here);
  };

  async function readOnce(): Promise<void> {
    const now = Date.now();
    try {
      if (cursor === null) {
        // From now on: what was written before this process cached anything cannot be in its caches.
        const row = await root.selectFrom('access_changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
        cursor = Number(row?.seq ?? 0);
      } else {
        const since = cursor;
        const rows = await root
          .selectFrom('access_changes')
          .select(['seq', 'tenant_id', 'user_id', 'created_at'])
          .where((eb) => eb.or([eb('seq', '>', since), eb('created_at', '>', now - LATE_COMMIT_MS)]))
          .orderBy('seq')
          .limit(MAX_ROWS + 1)
          .execute();
        if (rows.length > MAX_ROWS) tell('everything', false);
        for (const row of rows.slice(0, MAX_ROWS)) {
          const seq = Number(row.seq);
          if (seq > (cursor ?? 0)) cursor = seq;
          if (seen.has(seq)) continue;
          seen.set(seq, Number(row.created_at));
          if (rows.length <= MAX_ROWS) tell({ tenantId: row.tenant_id, userId: row.user_id }, false);
        }
        for (const [seq, at] of seen) if (at < now - 2 * LATE_COMMIT_MS) seen.delete(seq);
        if (now - lastCleanup > CLEANUP_EVERY_MS) {
          lastCleanup = now;
          await root.deleteFrom('access_changes').where('created_at', '<', now - KEEP_MS).execute();
        }
      }
      // A break (a failed poll, a stall) may have hidden changes: what was cached before it is not vouched for.
      if (coverage === null || now - lastGoodPoll > STALE_MS) coverage = ++coverages;
      lastGoodPoll = Date.now();
    } catch {
      coverage = null;
    }
  }

  // One read at a time: a slow database must not pile polls up.
  const run = (): Promise<void> => (polling ??= readOnce().finally(() => (polling = null)));

  const log: AccessChangeLog = {
    onChange(listener) {
      listeners.push(listener);
      // Reading starts with the first listener: a store nobody caches for needs no polling.
      if (!timer) {
        void run();
        timer = setInterval(() => void run(), pollMs);
        timer.unref();
      }
    },
    coverage() {
      if (coverage !== null && Date.now() - lastGoodPoll > STALE_MS) coverage = null;
      return coverage;
    },
    async record(db, change) {
      const row = await db.insertInto('access_changes').values({ tenant_id: change.tenantId, user_id: change.userId, created_at: Date.now() }).returning('seq').executeTakeFirstOrThrow();
      seen.set(Number(row.seq), Date.now());
    },
    deliver(changes) {
      for (const change of changes) tell(change, true);
    },
    async poll() {
      await polling;
      await run();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
  return log;
}

/** Account fields that decisions read (core/authz/access.ts `userFacts`, the account's status). */
const DECIDING_FIELDS = ['status', 'email', 'emailVerified', 'profile', 'plan'] as const;

/** `users` whose writes to deciding fields, and deletions, are noted. */
export function notingUserWrites(users: UserRepository, note: (change: AccessChange) => Promise<void>): UserRepository {
  return {
    ...users,
    async update(tenantId, id, patch, now) {
      const user = await users.update(tenantId, id, patch, now);
      if (user && DECIDING_FIELDS.some((field) => patch[field] !== undefined)) await note({ tenantId, userId: id });
      return user;
    },
    async delete(tenantId, id) {
      const deleted = await users.delete(tenantId, id);
      if (deleted) await note({ tenantId, userId: id });
      return deleted;
    },
  };
}

/** `authorization` whose changes are noted: per account for assignments, per tenant for roles and groups. */
export function notingRoleWrites(authorization: AuthorizationRepository, note: (change: AccessChange) => Promise<void>): AuthorizationRepository {
  const ifChanged = async <T>(result: T, tenantId: string, userId: string | null): Promise<T> => {
    if (result) await note({ tenantId, userId });
    return result;
  };
  return {
    ...authorization,
    // A new role can be held at once by name (a plan's, a default's, an organization's).
    createRole: async (role) => ifChanged(await authorization.createRole(role), role.tenantId, null),
    updateRole: async (tenantId, id, patch, now) => ifChanged(await authorization.updateRole(tenantId, id, patch, now), tenantId, null),
    deleteRole: async (tenantId, id) => ifChanged(await authorization.deleteRole(tenantId, id), tenantId, null),
    deleteGroup: async (tenantId, id) => ifChanged(await authorization.deleteGroup(tenantId, id), tenantId, null),
    addGroupRole: async (tenantId, groupId, roleId, now) => ifChanged(await authorization.addGroupRole(tenantId, groupId, roleId, now), tenantId, null),
    removeGroupRole: async (tenantId, groupId, roleId) => ifChanged(await authorization.removeGroupRole(tenantId, groupId, roleId), tenantId, null),
    addUserRole: async (tenantId, userId, roleId, source, now) => ifChanged(await authorization.addUserRole(tenantId, userId, roleId, source, now), tenantId, userId),
    removeUserRole: async (tenantId, userId, roleId) => ifChanged(await authorization.removeUserRole(tenantId, userId, roleId), tenantId, userId),
    addGroupMember: async (tenantId, groupId, userId, now) => ifChanged(await authorization.addGroupMember(tenantId, groupId, userId, now), tenantId, userId),
    removeGroupMember: async (tenantId, groupId, userId) => ifChanged(await authorization.removeGroupMember(tenantId, groupId, userId), tenantId, userId),
  };
}
