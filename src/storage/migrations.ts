// Versioned migrations, run at start and by `frontdoor migrate`. Written once for both engines:
// only types that mean the same on SQLite and PostgreSQL (text, integer, bigint).
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { oidcClientsMigration } from './migrations/0004-oidc-clients.ts';
import { oidcArtifactOwnerMigration } from './migrations/0005-oidc-artifact-owner.ts';
import { secondFactorMigration } from './migrations/0006-second-factor.ts';
import { recoveryCodesMigration } from './migrations/0007-recovery-codes.ts';
import { passkeysMigration } from './migrations/0008-passkeys.ts';
import { emailSignInMigration } from './migrations/0009-email-sign-in.ts';
import { smsMigration } from './migrations/0010-sms.ts';
import { trustedDevicesMigration } from './migrations/0011-trusted-devices.ts';
import { flowRequiredAcrMigration } from './migrations/0012-flow-required-acr.ts';
import { apiFlowsMigration } from './migrations/0013-api-flows.ts';
import { riskMigration } from './migrations/0014-risk.ts';
import { failureHoldMigration } from './migrations/0015-failure-hold.ts';
import { auditChainMigration } from './migrations/0016-audit-chain.ts';
import { auditCheckpointsMigration } from './migrations/0017-audit-checkpoints.ts';
import { consentMigration } from './migrations/0018-consent.ts';
import { accountErasureMigration } from './migrations/0019-account-erasure.ts';
import { retentionMigration } from './migrations/0020-retention.ts';
import { personalDataEncryptionMigration } from './migrations/0021-personal-data-encryption.ts';
import { totpUnderAccountKeyMigration } from './migrations/0022-totp-under-account-key.ts';
import { sealedSignInPlaceMigration } from './migrations/0023-sealed-sign-in-place.ts';
import { auditChainStartMigration } from './migrations/0024-audit-chain-start.ts';
import { phoneChangeMigration } from './migrations/0025-phone-change.ts';
import { userLocaleMigration } from './migrations/0026-user-locale.ts';
import { authorizationMigration } from './migrations/0027-authorization.ts';
import { organizationsMigration } from './migrations/0028-organizations.ts';
import { householdsMigration } from './migrations/0029-households.ts';
import { accessChangesMigration } from './migrations/0030-access-changes.ts';
import { connectionsMigration } from './migrations/0031-connections.ts';
import { samlAssertionsMigration } from './migrations/0032-saml-assertions.ts';
import type { Engine } from './database.ts';
import { sql as sqlExpression } from 'kysely';

function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_foundation': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('branding', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('applications')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('is_public', 'integer', (c) => c.notNull())
          .addColumn('secret_hash', 'text')
          .addColumn('redirect_uris', 'text', (c) => c.notNull())
          .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
          .addColumn('grant_types', 'text', (c) => c.notNull())
          .addColumn('first_party', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('applications_client_id_unique', ['tenant_id', 'client_id'])
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('email_verified', 'integer', (c) => c.notNull())
          .addColumn('profile', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_login_at', 'bigint')
          .addUniqueConstraint('users_email_unique', ['tenant_id', 'email'])
          .execute();
        await db.schema.createIndex('users_tenant_created_idx').on('users').columns(['tenant_id', 'created_at', 'id']).execute();

        await db.schema
          .createTable('password_credentials')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('authenticated_at', 'bigint', (c) => c.notNull())
          .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('absolute_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema.createIndex('sessions_user_idx').on('sessions').columns(['tenant_id', 'user_id']).execute();

        await db.schema
          .createTable('action_tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .addColumn('payload', 'text')
          .execute();
        await db.schema.createIndex('action_tokens_user_idx').on('action_tokens').columns(['tenant_id', 'user_id', 'purpose']).execute();

        await db.schema
          .createTable('audit_events')
          .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('request_id', 'text')
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_tenant_at_idx').on('audit_events').columns(['tenant_id', 'at']).execute();
        await db.schema.createIndex('audit_subject_idx').on('audit_events').columns(['tenant_id', 'subject', 'at']).execute();

        await db.schema
          .createTable('mail_outbox')
          .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('body_text', 'text', (c) => c.notNull())
          .addColumn('body_html', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('sent_at', 'bigint')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .execute();
        await db.schema.createIndex('mail_outbox_unsent_idx').on('mail_outbox').columns(['sent_at', 'created_at']).execute();

        await db.schema
          .createTable('admin_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('consumed_at', 'bigint')
          .execute();
      },
      async down() {
        throw new Error('down migrations are not supported; restore from backup');
      },
    },
    '0002_oidc_artifacts': {
      // oidc-provider's models (codes, tokens, sessions, grants…) as JSON text, one row per artifact;
      // see src/oidc/sql-adapter.ts. expires_at and consumed_at are milliseconds.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('oidc_artifacts')
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('grant_id', 'text')
          .addColumn('user_code', 'text')
          .addColumn('uid', 'text')
          .addColumn('expires_at', 'bigint')
          .addColumn('consumed_at', 'bigint')
          .addPrimaryKeyConstraint('oidc_artifacts_pk', ['tenant_id', 'model', 'id'])
          .execute();
        await db.schema.createIndex('oidc_artifacts_grant_idx').on('oidc_artifacts').columns(['tenant_id', 'grant_id']).execute();
        await db.schema.createIndex('oidc_artifacts_user_code_idx').on('oidc_artifacts').columns(['tenant_id', 'model', 'user_code']).execute();
        await db.schema.createIndex('oidc_artifacts_uid_idx').on('oidc_artifacts').columns(['tenant_id', 'model', 'uid']).execute();
        await db.schema.createIndex('oidc_artifacts_expires_idx').on('oidc_artifacts').column('expires_at').execute();
      },
      async down() {
        throw new Error('down migrations are not supported; restore from backup');
      },
    },
    '0003_signing_keys': {
      // OIDC signing keys per tenant (core/keys/signing-keys.ts). private_jwk is sealed by the core
      // service; the partial unique indexes keep at most one active and one next key per alg.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('signing_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('private_jwk', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('activated_at', 'bigint')
          .addColumn('retire_after', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addCheckConstraint('signing_keys_alg_check', sqlExpression`alg in ('ES256', 'EdDSA', 'RS256')`)
          .addCheckConstraint('signing_keys_status_check', sqlExpression`status in ('next', 'active', 'retired')`)
          .execute();
        await db.schema.createIndex('signing_keys_tenant_idx').on('signing_keys').columns(['tenant_id', 'status']).execute();
        await db.schema.createIndex('signing_keys_one_active_idx').unique().on('signing_keys').columns(['tenant_id', 'alg']).where(sqlExpression.ref('status'), '=', 'active').execute();
        await db.schema.createIndex('signing_keys_one_next_idx').unique().on('signing_keys').columns(['tenant_id', 'alg']).where(sqlExpression.ref('status'), '=', 'next').execute();
      },
      async down() {
        throw new Error('down migrations are not supported; restore from backup');
      },
    },
    '0004_oidc_clients': oidcClientsMigration,
    '0005_oidc_artifact_owner': oidcArtifactOwnerMigration,
    '0006_second_factor': secondFactorMigration,
    '0007_recovery_codes': recoveryCodesMigration,
    '0008_passkeys': passkeysMigration,
    '0009_email_sign_in': emailSignInMigration,
    '0010_sms': smsMigration,
    '0011_trusted_devices': trustedDevicesMigration,
    '0012_flow_required_acr': flowRequiredAcrMigration,
    '0013_api_flows': apiFlowsMigration,
    '0014_risk': riskMigration,
    '0015_failure_hold': failureHoldMigration,
    '0016_audit_chain': auditChainMigration,
    '0017_audit_checkpoints': auditCheckpointsMigration,
    '0018_consent': consentMigration(engine),
    '0019_account_erasure': accountErasureMigration,
    '0020_retention': retentionMigration,
    '0021_personal_data_encryption': personalDataEncryptionMigration(engine),
    '0022_totp_under_account_key': totpUnderAccountKeyMigration,
    '0023_sealed_sign_in_place': sealedSignInPlaceMigration,
    '0024_audit_chain_start': auditChainStartMigration,
    '0025_phone_change': phoneChangeMigration,
    '0026_user_locale': userLocaleMigration,
    '0027_authorization': authorizationMigration,
    '0028_organizations': organizationsMigration,
    '0029_households': householdsMigration,
    '0030_access_changes': accessChangesMigration(engine),
    '0031_connections': connectionsMigration,
    '0032_saml_assertions': samlAssertionsMigration,
  };
}

class CodeMigrationProvider implements MigrationProvider {
  private readonly engine: Engine;
  constructor(engine: Engine) {
    this.engine = engine;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.engine);
  }
}

const migrator = (db: Kysely<any>, engine: Engine) =>
  new Migrator({ db, provider: new CodeMigrationProvider(engine), migrationTableName: 'frontdoor_migrations', migrationLockTableName: 'frontdoor_migrations_lock' });

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<string[]> {
  const { error, results } = await migrator(db, engine).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies the migrations up to and including `name` (a database as an earlier release left it). */
export async function migrateTo(db: Kysely<any>, engine: Engine, name: string): Promise<void> {
  const { error } = await migrator(db, engine).migrateTo(name);
  if (error) throw error;
}
