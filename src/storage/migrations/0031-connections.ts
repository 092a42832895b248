// Social and enterprise login (issue 8, part 1): a tenant's connections to upstream OpenID Connect
// and OAuth 2.0 providers, the email domains that send a sign-in to one (home-realm discovery),
// and the upstream identities linked to accounts.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const connectionsMigration: Migration = {
  async up(db: Kysely<any>) {
    // The client secret (and Apple's signing key) is sealed under a root-derived key, bound to the
    // tenant and the connection; `settings` holds the rest as JSON.
    await db.schema
      .createTable('connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('preset', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('secret_sealed', 'text')
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('connections_tenant_idx').on('connections').columns(['tenant_id', 'created_at']).execute();

    // One connection per domain in a tenant: the lookup of home-realm discovery.
    await db.schema
      .createTable('connection_domains')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('connection_domains_pk', ['tenant_id', 'domain'])
      .execute();

    // An upstream account (connection + its `sub`) belongs to one user; upstream tokens, when the
    // connection keeps them, are sealed under that user's data key.
    await db.schema
      .createTable('federated_identities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('tokens_sealed', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('federated_identities_subject_idx').on('federated_identities').columns(['tenant_id', 'connection_id', 'subject']).unique().execute();
    await db.schema.createIndex('federated_identities_user_idx').on('federated_identities').columns(['tenant_id', 'user_id']).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
