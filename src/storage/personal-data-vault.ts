// Envelope encryption of personal data. Every account has its own random data key, stored only
// wrapped by the master key (KeyProvider) in `user_data_keys`; its personal columns are sealed
// with AES-256-GCM under that key, bound to the column and the account (a value copied to
// another row does not open). Deleting the account deletes its data key (the foreign key
// cascades), so whatever was sealed under it - here, in a backup, in a kept consent record - can
// no longer be read. Email lookups use a keyed blind index (HMAC) instead of the address.
//
// The deployment's root key (every purpose key - CSRF, cookies, signing-key sealing, pairwise
// subjects - is derived from it) is stored the same way in `system_keys`, so rotating the master
// key re-wraps keys and never touches sealed data.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyProvider, WrappedKey } from '../core/ports.ts';
import { deriveKey, hmac, openString, sealString, type SecretKey } from '../core/secrets.ts';
import type { Database } from './schema.ts';
import type { Db } from './repositories/rows.ts';

const UNWRAPPED_CACHE_SIZE = 10_000;
const REWRAP_BATCH = 500;

export interface PersonalDataVault {
  /** Root of every derived purpose key of the deployment. */
  readonly rootKey: Buffer;
  /** The blind index of a normalized address in a tenant: equal addresses give equal indexes. */
  emailIndex(tenantId: string, email: string): string;
  /** A fresh data key for an account, and its wrapped form to store. */
  newUserKey(tenantId: string, userId: string): Promise<{ key: KeyObject; wrapped: WrappedKey }>;
  /** Unwraps an account's stored data key (remembered, so reads do not unwrap each time). */
  openUserKey(tenantId: string, userId: string, wrapped: WrappedKey): Promise<KeyObject>;
  /** The data key of an account, read from `user_data_keys`; null when it has none (erased). */
  userKey(db: Db, tenantId: string, userId: string): Promise<KeyObject | null>;
  /** Seals `value` under `key`, bound to the column and the account. */
  seal(key: SecretKey, value: string, column: string, tenantId: string, ownerId: string): string;
  open(key: SecretKey, sealed: string, column: string, tenantId: string, ownerId: string): string;
  /** A key for personal data not owned by one account (the mail and text-message outboxes). */
  readonly outboxKey: KeyObject;
  /** A key for traces of use (address, browser, place) that belong to no account, e.g. a sign-in attempt for an unknown address. */
  readonly activityKey: KeyObject;
  /** The key authenticator-app secrets were sealed with before migration 0022 (context `totp:<tenant>:<user>`). */
  readonly legacyTotpKey: KeyObject;
}

const userKeyContext = (tenantId: string, userId: string) => `user-data-key:${tenantId}:${userId}`;
const ROOT_CONTEXT = 'system-key:root';

/**
 * Opens the vault: reads the root key, creating it on first start. A database that already holds
 * tenants predates the vault; its purpose keys were derived from the master key itself, so that
 * key becomes its root (nothing it sealed or signed changes).
 */
export async function openPersonalDataVault(db: Kysely<Database>, keys: KeyProvider, legacyRoot: Buffer): Promise<PersonalDataVault> {
  let row = await db.selectFrom('system_keys').selectAll().where('purpose', '=', 'root').executeTakeFirst();
  if (!row) {
    const existing = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
    const root = existing ? legacyRoot : randomBytes(32);
    const wrapped = await keys.wrap(root, ROOT_CONTEXT);
    // Nodes starting together: the first insert wins and every node reads it back.
    await db
      .insertInto('system_keys')
      .values({ purpose: 'root', key_id: wrapped.keyId, wrapped: wrapped.wrapped, created_at: Date.now() })
      .onConflict((oc) => oc.column('purpose').doNothing())
      .execute();
    row = await db.selectFrom('system_keys').selectAll().where('purpose', '=', 'root').executeTakeFirstOrThrow();
  }
  const rootKey = await keys.unwrap({ keyId: row.key_id, wrapped: row.wrapped }, ROOT_CONTEXT);
  return createVault(keys, rootKey);
}

function createVault(keys: KeyProvider, rootKey: Buffer): PersonalDataVault {
  const indexKey = createSecretKey(deriveKey(rootKey, 'email-blind-index'));
  const outboxKey = createSecretKey(deriveKey(rootKey, 'outbox-sealing'));
  const legacyTotpKey = createSecretKey(deriveKey(rootKey, 'totp'));
  const activityKey = createSecretKey(deriveKey(rootKey, 'activity-sealing'));
  // Wrapped form (with its owner) → unwrapped key. A destroyed key is never looked up again: no
  // row holds its wrapped form any more.
  const unwrapped = new Map<string, KeyObject>();
  const context = (column: string, tenantId: string, ownerId: string) => `${column}:${tenantId}:${ownerId}`;
  const vault: PersonalDataVault = {
    rootKey,
    outboxKey,
    legacyTotpKey,
    activityKey,
    emailIndex: (tenantId, email) => hmac(indexKey, `${tenantId}\n${email}`),
    async newUserKey(tenantId, userId) {
      const key = randomBytes(32);
      return { key: createSecretKey(key), wrapped: await keys.wrap(key, userKeyContext(tenantId, userId)) };
    },
    async openUserKey(tenantId, userId, wrapped) {
      const cacheKey = `${tenantId}:${userId}:${wrapped.keyId}:${wrapped.wrapped}`;
      const cached = unwrapped.get(cacheKey);
      if (cached) return cached;
      const key = createSecretKey(await keys.unwrap(wrapped, userKeyContext(tenantId, userId)));
      if (unwrapped.size >= UNWRAPPED_CACHE_SIZE) unwrapped.delete(unwrapped.keys().next().value as string);
      unwrapped.set(cacheKey, key);
      return key;
    },
    async userKey(db, tenantId, userId) {
      const row = await db.selectFrom('user_data_keys').select(['key_id', 'wrapped']).where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row ? vault.openUserKey(tenantId, userId, { keyId: row.key_id, wrapped: row.wrapped }) : null;
    },
    seal: (key, value, column, tenantId, ownerId) => sealString(key, value, context(column, tenantId, ownerId)),
    open: (key, sealed, column, tenantId, ownerId) => openString(key, sealed, context(column, tenantId, ownerId)),
  };
  return vault;
}

/**
 * Re-wraps every stored key not wrapped by the current master key (after `FRONTDOOR_MASTER_KEY`
 * changed; the provider must still hold the earlier key). Sealed data is not touched. Safe to
 * run again or on two nodes at once: each row is replaced only if it is still what was read.
 */
export async function rewrapKeys(db: Kysely<Database>, keys: KeyProvider): Promise<{ systemKeys: number; userKeys: number }> {
  let systemKeys = 0;
  for (const row of await db.selectFrom('system_keys').selectAll().where('key_id', '<>', keys.currentKeyId).execute()) {
    const context = `system-key:${row.purpose}`;
    const wrapped = await keys.wrap(await keys.unwrap({ keyId: row.key_id, wrapped: row.wrapped }, context), context);
    const result = await db.updateTable('system_keys').set({ key_id: wrapped.keyId, wrapped: wrapped.wrapped }).where('purpose', '=', row.purpose).where('wrapped', '=', row.wrapped).executeTakeFirst();
    systemKeys += Number(result.numUpdatedRows);
  }
  let userKeys = 0;
  for (;;) {
    const rows = await db.selectFrom('user_data_keys').selectAll().where('key_id', '<>', keys.currentKeyId).limit(REWRAP_BATCH).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const context = userKeyContext(row.tenant_id, row.user_id);
      const wrapped = await keys.wrap(await keys.unwrap({ keyId: row.key_id, wrapped: row.wrapped }, context), context);
      const result = await db
        .updateTable('user_data_keys')
        .set({ key_id: wrapped.keyId, wrapped: wrapped.wrapped })
        .where('tenant_id', '=', row.tenant_id)
        .where('user_id', '=', row.user_id)
        .where('wrapped', '=', row.wrapped)
        .executeTakeFirst();
      userKeys += Number(result.numUpdatedRows);
    }
  }
  return { systemKeys, userKeys };
}
