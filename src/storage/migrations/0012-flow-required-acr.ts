// A second-factor flow started by an app's step-up remembers the class it must reach, so only
// methods that reach it are offered (a phishing-resistant request is answered by a passkey only).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const flowRequiredAcrMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sign_in_flows').addColumn('required_acr', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
