// Tamper-evident audit: each tenant's audit rows are linked into a hash chain once written.
// `audit_events.chain_seq` is a row's place in its tenant's chain and `chain_hash` the SHA-256 of
// the previous link's hash and the row; both are set once, by the sealer, and never again.
// `audit_chain_heads` holds each tenant's last link, so a cut-off tail is seen too, and its row is
// what concurrent sealers lock.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const auditChainMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('audit_events').addColumn('chain_seq', 'bigint').execute();
    await db.schema.alterTable('audit_events').addColumn('chain_hash', 'text').execute();
    await db.schema.createIndex('audit_chain_idx').unique().on('audit_events').columns(['tenant_id', 'chain_seq']).execute();
    // What the sealer looks for every few seconds: only the few rows not sealed yet are in it.
    await db.schema.createIndex('audit_unsealed_idx').on('audit_events').columns(['tenant_id', 'seq']).where(sql.ref('chain_seq'), 'is', null).execute();
    await db.schema
      .createTable('audit_chain_heads')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
