// "Remember this device": a browser that gave the second factor may skip it for a while. The
// browser holds a random token in a cookie; only its SHA-256 is stored, with the user it is for.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const trustedDevicesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('trusted_devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('trusted_devices_user_idx').on('trusted_devices').columns(['tenant_id', 'user_id']).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
