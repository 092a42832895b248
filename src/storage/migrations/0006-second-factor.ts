// Second factors: how a session was authenticated (RFC 8176 `amr` values and the resulting `acr`),
// authenticator-app (TOTP) credentials with their secret sealed, and the short-lived sign-in flows
// that hold a password-verified user until the second factor is given.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const secondFactorMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sessions').addColumn('amr', 'text', (c) => c.notNull().defaultTo('["pwd"]')).execute();
    await db.schema.alterTable('sessions').addColumn('acr', 'text', (c) => c.notNull().defaultTo('urn:frontdoor:acr:password')).execute();

    await db.schema
      .createTable('totp_credentials')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint')
      .addColumn('last_used_step', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('totp_credentials_pk', ['tenant_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('sign_in_flows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('amr', 'text', (c) => c.notNull())
      .addColumn('return_to', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sign_in_flows_expires_idx').on('sign_in_flows').column('expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
