// Consecutive failed password sign-ins of an account, kept with its password: at 100 (NIST SP
// 800-63B's cap) password sign-ins from unfamiliar devices stop until the owner proves the verified
// address (a reset, a code by email) or an admin lifts it. A right password from a device the
// account knows, a passkey, or a reset still work throughout.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const failureHoldMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('password_credentials').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
