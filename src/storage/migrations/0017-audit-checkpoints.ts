// Signed checkpoints of each tenant's audit chain: the link at a place, signed with the tenant's
// signing key, so the chain cannot be rebuilt by someone who can only write the database, and an
// exported log can be checked offline against the tenant's published keys.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const auditCheckpointsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('signed_at', 'bigint', (c) => c.notNull())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('jws', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_checkpoints_pk', ['tenant_id', 'seq'])
      .execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
