// Traces of use - the address and browser a request came from, the device and place of a sign-in -
// are personal data too. In audit rows, risk assessments and sign-in history they are sealed under
// the data key of the account the row is about, so erasing the account makes them unreadable here
// and in every backup, while the row itself (and the audit chain, which hashes what is stored)
// stays. Rows about no account use a root-derived key and leave with retention. Values from
// before sealing are read as they are.
import type { KeyObject } from 'node:crypto';
import { isSealed } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { Db } from './rows.ts';

const NO_OWNER = '-';

/** Data keys of accounts, looked up per batch of rows. */
export type OwnerKeys = (tenantId: string, userId: string | null) => KeyObject | null;

/** The data keys of the named accounts (one query per tenant); an account without one (erased, or not an account) has none. */
export async function ownerKeys(db: Db, vault: PersonalDataVault, owners: readonly { tenantId: string; userIds: readonly (string | null)[] }[]): Promise<OwnerKeys> {
  const byTenant = new Map<string, Set<string>>();
  for (const { tenantId, userIds } of owners) {
    const ids = byTenant.get(tenantId) ?? new Set<string>();
    for (const id of userIds) if (id) ids.add(id);
    byTenant.set(tenantId, ids);
  }
  const keys = new Map<string, KeyObject>();
  for (const [tenantId, ids] of byTenant) {
    if (ids.size === 0) continue;
    const rows = await db.selectFrom('user_data_keys').select(['user_id', 'key_id', 'wrapped']).where('tenant_id', '=', tenantId).where('user_id', 'in', [...ids]).execute();
    for (const row of rows) keys.set(`${tenantId}\n${row.user_id}`, await vault.openUserKey(tenantId, row.user_id, { keyId: row.key_id, wrapped: row.wrapped }));
  }
  return (tenantId, userId) => (userId ? (keys.get(`${tenantId}\n${userId}`) ?? null) : null);
}

/** Which account a row's traces belong to: the first of `candidates` that has a data key, else none. */
export function traceOwner(keys: OwnerKeys, tenantId: string, candidates: readonly (string | null)[]): string | null {
  return candidates.find((id) => id !== null && keys(tenantId, id) !== null) ?? null;
}

export interface TraceSealer {
  seal(value: string | null, column: string): string | null;
  open(value: string | null, column: string): string | null;
}

/**
 * Seals and opens one row's traces: under `owner`'s data key, or the activity key when the row is
 * about no account. A value that does not open (its account was erased since) reads as null.
 */
export function traceSealer(vault: PersonalDataVault, keys: OwnerKeys, tenantId: string, owner: string | null): TraceSealer {
  const key = owner ? keys(tenantId, owner) : vault.activityKey;
  const ownerId = key && owner ? owner : NO_OWNER;
  return {
    seal: (value, column) => (value === null || !key ? null : vault.seal(key, value, column, tenantId, ownerId)),
    open(value, column) {
      if (value === null || !isSealed(value)) return value;
      if (!key) return null;
      try {
        return vault.open(key, value, column, tenantId, ownerId);
      } catch {
        return null;
      }
    },
  };
}
