// A store over an already migrated database, with a vault under a fresh random master key (the
// real key provider and vault, as the app wires them).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createLocalKeyProvider } from '../../src/adapters/keys/local-key-provider.ts';
import type { Store } from '../../src/core/ports.ts';
import { createKyselyStore } from '../../src/storage/kysely-store.ts';
import { openPersonalDataVault, type PersonalDataVault } from '../../src/storage/personal-data-vault.ts';
import type { Database } from '../../src/storage/schema.ts';

export async function createTestStore(db: Kysely<Database>, masterKey: Buffer = randomBytes(32), options: { accessChangePollMs?: number } = {}): Promise<Store> {
  const vault = await openPersonalDataVault(db, createLocalKeyProvider(masterKey), masterKey);
  return createKyselyStore(db, vault, options);
}

/** The store and its vault, for a test that seals rows the way the app does outside the store. */
export async function createTestStoreWithVault(db: Kysely<Database>, masterKey: Buffer = randomBytes(32)): Promise<{ store: Store; vault: PersonalDataVault }> {
  const vault = await openPersonalDataVault(db, createLocalKeyProvider(masterKey), masterKey);
  return { store: createKyselyStore(db, vault), vault };
}
