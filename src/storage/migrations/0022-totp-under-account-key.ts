// Authenticator-app secrets move under the account's data key (personal-data-vault.ts), so erasing
// an account makes them unreadable in backups too. `sealed_with` says which key sealed a row:
// `root` (a key derived from the root key, as before) until the next start re-seals it, `account`.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const totpUnderAccountKeyMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('totp_credentials').addColumn('sealed_with', 'text', (c) => c.notNull().defaultTo(sql.lit('root'))).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
