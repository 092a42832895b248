// Consent (GDPR art. 7): a tenant's purposes (marketing email, analytics, …), every version of each
// purpose's policy text, and an append-only record of each customer's choices. A record is never
// updated: a withdrawal is a new record, so the history is the proof of what was agreed to, when,
// through which channel and with which request's evidence. `seq` orders records written in the
// same millisecond.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../database.ts';

export function consentMigration(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('consent_purposes')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        // Grants of versions before this one no longer count: the customer is asked again.
        .addColumn('ask_again_from', 'integer', (c) => c.notNull())
        .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consent_purposes_pk', ['tenant_id', 'id'])
        .execute();
      await db.schema
        .createTable('consent_policy_versions')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('purpose_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('policy_text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consent_policy_versions_pk', ['tenant_id', 'purpose_id', 'version'])
        .execute();
      await db.schema
        .createTable('consent_records')
        .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        // No reference to the user: the proof outlives the account's other data.
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('purpose_id', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'integer', (c) => c.notNull())
        .addColumn('granted', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('consent_records_user_idx').on('consent_records').columns(['tenant_id', 'user_id', 'purpose_id', 'seq']).execute();
    },
    async down() {
      throw new Error('down migrations are not supported; restore from backup');
    },
  };
}
