// The language a customer last used the hosted pages in, so mail sent while they are away (the
// retention job's inactivity warning) is in their language too.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const userLocaleMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('locale', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
