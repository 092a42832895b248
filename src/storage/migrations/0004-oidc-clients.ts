// OIDC client settings on applications (auth method, signing alg, logout URIs, keys), a secret
// rotation overlap, API resources (RFC 8707) and the remembered consent of a user for an app.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const oidcClientsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('applications').addColumn('previous_secret_hash', 'text').execute();
    await db.schema.alterTable('applications').addColumn('previous_secret_expires_at', 'bigint').execute();
    await db.schema.alterTable('applications').addColumn('oidc', 'text', (c) => c.notNull().defaultTo('{}')).execute();

    await db.schema
      .createTable('api_resources')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('identifier', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('access_token_format', 'text', (c) => c.notNull())
      .addColumn('access_token_ttl_seconds', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('api_resources_identifier_unique', ['tenant_id', 'identifier'])
      .execute();

    await db.schema
      .createTable('oidc_user_grants')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_user_grants_pk', ['tenant_id', 'user_id', 'client_id'])
      .execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
