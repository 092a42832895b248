// Passkeys (WebAuthn credentials) and the record of used ceremony challenges. Challenges are
// issued statelessly (signed, see core/credentials/webauthn-challenge.ts); a row is written only
// when one is redeemed, and its primary key makes a second redemption fail.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const passkeysMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('credential_id', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('sign_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('backup_eligible', 'integer', (c) => c.notNull())
      .addColumn('backed_up', 'integer', (c) => c.notNull())
      .addColumn('aaguid', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_credential_idx').on('passkeys').columns(['tenant_id', 'credential_id']).unique().execute();
    await db.schema.createIndex('passkeys_user_idx').on('passkeys').columns(['tenant_id', 'user_id']).execute();

    await db.schema
      .createTable('webauthn_used_challenges')
      .addColumn('challenge_hash', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webauthn_used_challenges_expires_idx').on('webauthn_used_challenges').column('expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
