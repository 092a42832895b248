// The risk engine's memory. `sign_in_events`: each successful sign-in of an account — which browser
// (an HMAC of its device cookie, never the cookie), which network and country, roughly where —
// so a later sign-in can be told familiar or new, and the owner can read their recent sign-ins.
// `risk_events`: every assessment with each signal's points and reason, for the admin and support.
// `password_credentials.reset_required`: the password may no longer sign in ("this wasn't me"),
// only a reset through the owner's verified email lifts it.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const riskMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sign_in_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('device_hash', 'text')
      .addColumn('device_name', 'text', (c) => c.notNull())
      .addColumn('network', 'text')
      .addColumn('country', 'text')
      // Degrees × 10,000 (about 11 m): integers mean the same on both engines.
      .addColumn('latitude_e4', 'integer')
      .addColumn('longitude_e4', 'integer')
      .addColumn('accuracy_km', 'integer')
      .addColumn('methods', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text')
      .addColumn('risk_event_id', 'text')
      .execute();
    await db.schema.createIndex('sign_in_events_user_idx').on('sign_in_events').columns(['tenant_id', 'user_id', 'at']).execute();
    await db.schema.createIndex('sign_in_events_at_idx').on('sign_in_events').column('at').execute();

    await db.schema
      .createTable('risk_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('country', 'text')
      .addColumn('request_id', 'text')
      .execute();
    await db.schema.createIndex('risk_events_tenant_idx').on('risk_events').columns(['tenant_id', 'at', 'id']).execute();
    await db.schema.createIndex('risk_events_user_idx').on('risk_events').columns(['tenant_id', 'user_id', 'at', 'id']).execute();
    await db.schema.createIndex('risk_events_at_idx').on('risk_events').column('at').execute();

    await db.schema.alterTable('password_credentials').addColumn('reset_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
