// Text-message codes as a second factor: the user's phone (one per user, E.164, pending until a
// code sent to it is typed back), the codes sent (only a keyed MAC of each), and the development
// outbox of text messages (never used when an SMS webhook is configured).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const smsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('phone_credentials')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('phone', 'text', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('phone_credentials_pk', ['tenant_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('sms_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // What the code is for: confirming the phone, or one sign-in's second step (its flow id).
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('code_mac', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint')
      .execute();
    await db.schema.createIndex('sms_codes_subject_idx').on('sms_codes').columns(['tenant_id', 'user_id', 'purpose', 'subject']).execute();
    await db.schema.createIndex('sms_codes_expires_idx').on('sms_codes').column('expires_at').execute();

    await db.schema
      .createTable('sms_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sms_outbox_created_idx').on('sms_outbox').column('created_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
