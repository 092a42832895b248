// Where a sign-in came from is sealed under the account's data key from now on
// (repositories/activity-sealing.ts). The text columns take sealed values as they are; the
// coordinates, integers until now, travel sealed together in `place`. Rows from before keep
// their plain values until retention removes them (180 days by default).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const sealedSignInPlaceMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sign_in_events').addColumn('place', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
