// Households (shared accounts): one paying account (the owner) with adult members who sign in
// themselves and managed profiles (a child) without credentials, switched to from a member's
// session. The owner's plan bounds members, profiles, registered devices and concurrent sessions.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const householdsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('households')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('households_owner_idx').on('households').columns(['tenant_id', 'owner_id']).unique().execute();

    // A user belongs to at most one household (the primary key), as owner or adult member.
    await db.schema
      .createTable('household_members')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('household_id', 'text', (c) => c.notNull().references('households.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('household_members_pk', ['tenant_id', 'user_id'])
      .execute();
    await db.schema.createIndex('household_members_household_idx').on('household_members').columns(['tenant_id', 'household_id', 'user_id']).execute();

    // Profiles: a member's own (user_id set) or a managed one (user_id null). The name is sealed
    // under the owner's data key; the PIN is kept as an argon2id hash.
    await db.schema
      .createTable('household_profiles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('household_id', 'text', (c) => c.notNull().references('households.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('max_age_rating', 'integer')
      .addColumn('purchases', 'text', (c) => c.notNull())
      .addColumn('pin_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('household_profiles_household_idx').on('household_profiles').columns(['tenant_id', 'household_id', 'created_at']).execute();

    await db.schema
      .createTable('household_invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('household_id', 'text', (c) => c.notNull().references('households.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_index', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('invited_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('accepted_at', 'bigint')
      .addColumn('accepted_by', 'text')
      .execute();
    await db.schema.createIndex('household_invitations_household_idx').on('household_invitations').columns(['tenant_id', 'household_id', 'created_at']).execute();

    // Devices (browsers, by the HMAC of their device cookie) the household's members signed in on.
    await db.schema
      .createTable('household_devices')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('household_id', 'text', (c) => c.notNull().references('households.id').onDelete('cascade'))
      .addColumn('device_hash', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('household_devices_pk', ['tenant_id', 'household_id', 'device_hash'])
      .execute();

    // The profile a session acts as, and the device it was started on.
    await db.schema.alterTable('sessions').addColumn('profile_id', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('device_hash', 'text').execute();

    // Which Frontdoor session an OIDC provider session (and so its codes and tokens) came from, and
    // the profile it acts as: tokens name that profile, refreshes included.
    await db.schema
      .createTable('oidc_session_profiles')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('session_uid', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('profile_id', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_session_profiles_pk', ['tenant_id', 'session_uid'])
      .execute();
    await db.schema.createIndex('oidc_session_profiles_session_idx').on('oidc_session_profiles').columns(['tenant_id', 'session_id']).execute();
    await db.schema.createIndex('oidc_session_profiles_expiry_idx').on('oidc_session_profiles').column('expires_at').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
