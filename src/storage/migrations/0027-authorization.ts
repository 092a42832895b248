// Roles and permissions. A role bundles permissions - scopes of API resources - each optionally
// under a condition (core/authz/conditions.ts), kept as JSON with the role: a tenant has at most a
// few thousand roles and they are read whole. Roles reach a user directly (`user_roles`: given by an
// admin, or by default at sign-up), through groups (`group_members`, `group_roles`), or through the
// user's plan (`users.plan`, the tenant's `settings.plans`).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const authorizationMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('roles_name_idx').unique().on('roles').columns(['tenant_id', 'name']).execute();

    await db.schema
      .createTable('groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('groups_name_idx').unique().on('groups').columns(['tenant_id', 'name']).execute();

    await db.schema
      .createTable('user_roles')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
      // `admin` (given through the admin API) or `default` (given at sign-up by the tenant's default roles).
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_roles_pk', ['tenant_id', 'user_id', 'role_id'])
      .execute();
    await db.schema.createIndex('user_roles_role_idx').on('user_roles').column('role_id').execute();

    await db.schema
      .createTable('group_members')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['tenant_id', 'group_id', 'user_id'])
      .execute();
    // Covering (group_id in it): without it SQLite walks the tenant's whole membership through the primary key.
    await db.schema.createIndex('group_members_user_idx').on('group_members').columns(['tenant_id', 'user_id', 'group_id']).execute();

    await db.schema
      .createTable('group_roles')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_roles_pk', ['tenant_id', 'group_id', 'role_id'])
      .execute();
    await db.schema.createIndex('group_roles_role_idx').on('group_roles').column('role_id').execute();

    await db.schema.alterTable('users').addColumn('plan', 'text').execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
