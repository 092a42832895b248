// Sign-in flows driven through the JSON API (a mobile app's own screens): the client holds the
// flow token (sent in a header, never a cookie, so another site cannot drive it); only its SHA-256
// is stored. The same token keys the email sign-in and second-factor steps of the flow.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const apiFlowsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('api_flows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      // The OIDC interaction this sign-in answers, when an app started one.
      .addColumn('interaction_uid', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_flows_expires_idx').on('api_flows').column('expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
