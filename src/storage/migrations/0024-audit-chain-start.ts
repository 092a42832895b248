// Audit retention removes the oldest part of a tenant's chain. The link just before the first row
// kept is recorded with the head (`start_seq`, `start_hash`; 0 and null: the chain starts at its
// genesis), and a signed checkpoint at that place vouches for it, so a check can still begin there.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const auditChainStartMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('audit_chain_heads').addColumn('start_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('audit_chain_heads').addColumn('start_hash', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
