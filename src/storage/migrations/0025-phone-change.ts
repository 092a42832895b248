// Changing the phone number in one step: the new number waits in `pending_phone` (sealed like
// `phone`) until the code texted to it is typed back; the confirmed number keeps working meanwhile.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const phoneChangeMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('phone_credentials').addColumn('pending_phone', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
