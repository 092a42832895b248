// Account deletion with a grace period: `users.erase_after` is when a customer's request to delete
// their account becomes final (the account is disabled meanwhile and the owner can cancel by the
// mailed link); the erasure job finds due accounts through the partial index.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const accountErasureMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('erase_after', 'bigint').execute();
    await db.schema.createIndex('users_erase_after_idx').on('users').column('erase_after').where(sql.ref('erase_after'), 'is not', null).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
