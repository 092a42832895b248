// Organizations inside a tenant (B2B2C): a business customer's organization with its members, each
// with their own roles there (`owner`, `admin`, `member` or the tenant's role names). A user may
// belong to many organizations.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const organizationsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('organizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('organizations_tenant_idx').on('organizations').columns(['tenant_id', 'created_at', 'id']).execute();

    await db.schema
      .createTable('organization_members')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // JSON: the member's role names in this organization.
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('organization_members_pk', ['tenant_id', 'org_id', 'user_id'])
      .execute();
    // A user's organizations, covering (org_id in it).
    await db.schema.createIndex('organization_members_user_idx').on('organization_members').columns(['tenant_id', 'user_id', 'org_id']).execute();

    // The email domains whose verified addresses may join an organization (settings.joinDomains), by domain.
    await db.schema
      .createTable('organization_domains')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('organization_domains_pk', ['tenant_id', 'domain', 'org_id'])
      .execute();

    // Invitations by email: single use, expiring, for one address (kept sealed, found by its blind index).
    await db.schema
      .createTable('organization_invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_index', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('invited_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('accepted_at', 'bigint')
      .addColumn('accepted_by', 'text')
      .execute();
    await db.schema.createIndex('organization_invitations_org_idx').on('organization_invitations').columns(['tenant_id', 'org_id', 'created_at']).execute();

    // The organization a user signed in to an app for (the `organization` authorization parameter),
    // which that app's tokens name until the next authorization.
    await db.schema
      .createTable('oidc_app_organizations')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_app_organizations_pk', ['tenant_id', 'user_id', 'client_id'])
      .execute();
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
