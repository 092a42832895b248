// Envelope encryption of personal data (storage/personal-data-vault.ts). `system_keys` holds the
// deployment's root key and `user_data_keys` each account's data key, both wrapped by the master
// key; deleting an account cascades to its data key. The address in `users.email` becomes
// ciphertext, so uniqueness and lookups move to its blind index `users.email_index`; the mail
// outbox gets one for its recipient (to drop an erased account's queued mail). Rows written
// before this migration are sealed at the next start (sealLegacyPersonalData).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../database.ts';

export function personalDataEncryptionMigration(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('system_keys')
        .addColumn('purpose', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_data_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_data_keys_pk', ['tenant_id', 'user_id'])
        .execute();
      // Master-key rotation finds the keys still wrapped by an earlier master key.
      await db.schema.createIndex('user_data_keys_key_id_idx').on('user_data_keys').column('key_id').execute();

      await db.schema.alterTable('users').addColumn('email_index', 'text').execute();
      await db.schema.createIndex('users_email_index_unique').unique().on('users').columns(['tenant_id', 'email_index']).execute();
      // Ciphertexts never repeat, so the old constraint checks nothing; SQLite cannot drop a
      // constraint declared with its table (it stays, harmless, until the table is rebuilt).
      if (engine === 'postgres') await db.schema.alterTable('users').dropConstraint('users_email_unique').execute();

      await db.schema.alterTable('mail_outbox').addColumn('recipient_index', 'text').execute();
      await db.schema.createIndex('mail_outbox_recipient_idx').on('mail_outbox').columns(['tenant_id', 'recipient_index']).execute();
    },
    async down() {
      throw new Error('down migrations are not supported; restore from backup');
    },
  };
}
