// Recovery codes: ten single-use codes per user, only their SHA-256 kept.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const recoveryCodesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('recovery_codes')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('recovery_codes_pk', ['tenant_id', 'user_id', 'code_hash'])
      .execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
