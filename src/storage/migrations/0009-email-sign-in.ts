// Passwordless sign-in by email: one row per request, holding only hashes — of the browser's flow
// cookie (the sign-in is bound to the browser that asked), of the magic link's token, and a keyed
// MAC of the six-digit code (a plain hash of six digits would be reversed in a second).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const emailSignInMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('email_sign_ins')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      // Null when nobody has this address: the request is recorded all the same (no enumeration).
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('browser_hash', 'text', (c) => c.notNull().unique())
      .addColumn('link_hash', 'text', (c) => c.unique())
      .addColumn('code_mac', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('return_to', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('code_expires_at', 'bigint', (c) => c.notNull())
      .addColumn('link_expires_at', 'bigint', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint')
      .execute();
    await db.schema.createIndex('email_sign_ins_expires_idx').on('email_sign_ins').column('link_expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
