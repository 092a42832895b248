// Retention of inactive accounts: `users.inactivity_warned_at` is when the owner of an account
// unused for long was told it will be deleted; claiming it with a conditional update means one
// node sends the mail. A sign-in clears it.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const retentionMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('inactivity_warned_at', 'bigint').execute();
    // The retention job looks accounts up by tenant and last activity.
    await db.schema.createIndex('users_activity_idx').on('users').columns(['tenant_id', 'status', 'last_login_at']).execute();
    await db.schema.createIndex('users_created_idx').on('users').columns(['tenant_id', 'status', 'created_at']).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
