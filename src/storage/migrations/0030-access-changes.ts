// What changed that a node may have cached for a decision: an account's facts or roles (user_id
// set), or a tenant's roles (user_id null). Written with the change itself; every node reads the
// rows after the last one it saw, so a change made by any process (another node, the CLI) reaches
// every node's decision cache within a poll. Rows are kept minutes, not longer.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../database.ts';

export function accessChangesMigration(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('access_changes')
        .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_changes_created_idx').on('access_changes').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('access_changes').execute();
    },
  };
}
