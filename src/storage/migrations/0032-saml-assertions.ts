// Social and enterprise login (issue 8, part 2): the SAML assertions already used, so a captured
// response cannot sign in twice. Rows live until the assertion could not be accepted anyway.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const samlAssertionsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('saml_used_assertions')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      // SHA-256 of the assertion's ID (the ID is the IdP's, not a secret; hashed to bound its length).
      .addColumn('assertion_hash', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('saml_used_assertions_pk', ['tenant_id', 'connection_id', 'assertion_hash'])
      .execute();
    await db.schema.createIndex('saml_used_assertions_expiry_idx').on('saml_used_assertions').column('expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
