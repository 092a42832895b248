// Table types for Kysely. Times are integer milliseconds (bigint on PostgreSQL, parsed to number);
// booleans are 0/1 integers and JSON is text on both engines, so one set of queries serves both.
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  branding: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  name: string;
  is_public: number;
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  first_party: number;
  oidc: string;
  created_at: number;
  updated_at: number;
}

export interface ApiResourcesTable {
  id: string;
  tenant_id: string;
  identifier: string;
  name: string;
  scopes: string;
  access_token_format: string;
  access_token_ttl_seconds: number;
  created_at: number;
  updated_at: number;
}

export interface OidcUserGrantsTable {
  tenant_id: string;
  user_id: string;
  client_id: string;
  grant_id: string;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  status: string;
  email: string;
  email_verified: number;
  profile: string;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  erase_after: number | null;
  /** The language the owner last used the hosted pages in (migration 0026). */
  locale: string | null;
  /** The subscription plan, a key of the tenant's `settings.plans` (migration 0027). */
  plan: string | null;
  inactivity_warned_at: number | null;
  /** Keyed blind index of the address (the `email` column holds it sealed); null on rows not yet sealed. */
  email_index: string | null;
}

/** An account's data key, wrapped by the master key `key_id` (storage/personal-data-vault.ts). */
export interface UserDataKeysTable {
  tenant_id: string;
  user_id: string;
  key_id: string;
  wrapped: string;
  created_at: number;
}

/** Deployment-wide keys (the root of derived purpose keys), wrapped by the master key. */
export interface SystemKeysTable {
  purpose: string;
  key_id: string;
  wrapped: string;
  created_at: number;
}

export interface PasswordCredentialsTable {
  user_id: string;
  tenant_id: string;
  hash: string;
  updated_at: number;
  reset_required: Generated<number>;
  consecutive_failures: Generated<number>;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  authenticated_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  ip: string | null;
  user_agent: string | null;
  revoked_at: number | null;
  /** JSON array of RFC 8176 method references. */
  amr: string;
  acr: string;
  /** The household profile the session acts as (migration 0029). */
  profile_id: string | null;
  /** HMAC of the device cookie the session started with (household device limits). */
  device_hash: string | null;
}

export interface TotpCredentialsTable {
  tenant_id: string;
  user_id: string;
  /** AES-256-GCM, see core/secrets.ts sealString. */
  secret_sealed: string;
  /** `account`: sealed under the account's data key; `root`: under the root-derived TOTP key (before migration 0022, until re-sealed at start). */
  sealed_with: string;
  confirmed_at: number | null;
  last_used_step: number | null;
  created_at: number;
}

export interface RecoveryCodesTable {
  tenant_id: string;
  user_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export interface PasskeysTable {
  id: string;
  tenant_id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  sign_count: number;
  transports: string;
  backup_eligible: number | boolean;
  backed_up: number | boolean;
  aaguid: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface WebauthnUsedChallengesTable {
  challenge_hash: string;
  tenant_id: string;
  expires_at: number;
}

export interface EmailSignInsTable {
  id: string;
  tenant_id: string;
  user_id: string | null;
  browser_hash: string;
  link_hash: string | null;
  code_mac: string;
  attempts: number;
  return_to: string | null;
  created_at: number;
  code_expires_at: number;
  link_expires_at: number;
  consumed_at: number | null;
}

export interface PhoneCredentialsTable {
  tenant_id: string;
  user_id: string;
  phone: string;
  confirmed_at: number | null;
  created_at: number;
  /** A new number waiting for its code while `phone` stays in use (sealed). */
  pending_phone: string | null;
}

export interface SmsCodesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  purpose: string;
  subject: string;
  code_mac: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface SmsOutboxTable {
  id: string;
  tenant_id: string;
  recipient: string;
  body: string;
  created_at: number;
}

export interface TrustedDevicesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  name: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
}

export interface ApiFlowsTable {
  id: string;
  tenant_id: string;
  token_hash: string;
  interaction_uid: string | null;
  state: string;
  user_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface SignInFlowsTable {
  required_acr: string | null;
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  amr: string;
  return_to: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
}

export interface ActionTokensTable {
  token_hash: string;
  tenant_id: string;
  user_id: string;
  purpose: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  payload: string | null;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  at: number;
  actor: string;
  subject: string | null;
  action: string;
  result: string;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string;
  chain_seq: number | null;
  chain_hash: string | null;
}

export interface AuditChainHeadsTable {
  tenant_id: string;
  seq: number;
  hash: string;
  updated_at: number;
  /** The link before the first row kept (0 and null: nothing was removed; the genesis). */
  start_seq: Generated<number>;
  start_hash: string | null;
}

export interface AuditCheckpointsTable {
  tenant_id: string;
  seq: number;
  hash: string;
  signed_at: number;
  kid: string;
  jws: string;
}

export interface ConsentPurposesTable {
  tenant_id: string;
  id: string;
  name: string;
  version: number;
  ask_again_from: number;
  archived: number;
  created_at: number;
  updated_at: number;
}

export interface ConsentPolicyVersionsTable {
  tenant_id: string;
  purpose_id: string;
  version: number;
  description: string;
  policy_text: string;
  created_at: number;
}

export interface ConsentRecordsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  user_id: string;
  purpose_id: string;
  policy_version: number;
  granted: number;
  at: number;
  channel: string;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface MailOutboxTable {
  /** Insertion order: mails queued within one millisecond still list in order. */
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  recipient: string;
  subject: string;
  body_text: string;
  body_html: string;
  created_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
  /** Blind index of the recipient (which is sealed, as are the bodies); null on rows not yet sealed. */
  recipient_index: string | null;
}

export interface AdminTokensTable {
  id: string;
  name: string;
  token_hash: string;
  kind: string;
  created_at: number;
  expires_at: number | null;
  consumed_at: number | null;
}

/** oidc-provider artifacts (see src/oidc/sql-adapter.ts); the payload holds tokens and is never logged. */
export interface OidcArtifactsTable {
  tenant_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** OIDC signing keys; private_jwk is sealed (AES-256-GCM) by core/keys/signing-keys.ts. */
export interface SigningKeysTable {
  id: string;
  tenant_id: string;
  alg: string;
  status: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  activated_at: number | null;
  retire_after: number | null;
  updated_at: number;
}

export interface SignInEventsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  at: number;
  device_hash: string | null;
  /** Sealed, as are `network`, `country` and `place` (rows from before migration 0023: plain). */
  device_name: string;
  network: string | null;
  country: string | null;
  /** Sealed JSON of latitude, longitude and accuracy; the three numeric columns hold only older rows. */
  place: string | null;
  latitude_e4: number | null;
  longitude_e4: number | null;
  accuracy_km: number | null;
  methods: string;
  session_id: string | null;
  risk_event_id: string | null;
}

export interface RiskEventsTable {
  id: string;
  tenant_id: string;
  user_id: string | null;
  at: number;
  kind: string;
  stage: string;
  score: number;
  level: string;
  action: string;
  reasons: string;
  /** Sealed, as is `country` (activity-sealing.ts). */
  ip: string | null;
  country: string | null;
  request_id: string | null;
}

export interface RolesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  /** JSON: RolePermission[]. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface UserRolesTable {
  tenant_id: string;
  user_id: string;
  role_id: string;
  source: string;
  created_at: number;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  user_id: string;
  created_at: number;
}

export interface GroupRolesTable {
  tenant_id: string;
  group_id: string;
  role_id: string;
  created_at: number;
}

export interface OrganizationsTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON: OrganizationSettings. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface OrganizationMembersTable {
  tenant_id: string;
  org_id: string;
  user_id: string;
  /** JSON: role names. */
  roles: string;
  created_at: number;
  updated_at: number;
}

export interface OrganizationInvitationsTable {
  id: string;
  tenant_id: string;
  org_id: string;
  /** Sealed under the outbox key, bound to the invitation id. */
  email: string;
  email_index: string;
  /** JSON: role names. */
  roles: string;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
}

export interface OrganizationDomainsTable {
  tenant_id: string;
  domain: string;
  org_id: string;
}

export interface OidcAppOrganizationsTable {
  tenant_id: string;
  user_id: string;
  client_id: string;
  org_id: string;
  updated_at: number;
}

export interface HouseholdsTable {
  id: string;
  tenant_id: string;
  owner_id: string;
  created_at: number;
  updated_at: number;
}

export interface HouseholdMembersTable {
  tenant_id: string;
  user_id: string;
  household_id: string;
  /** `owner` or `adult`. */
  role: string;
  created_at: number;
}

export interface HouseholdProfilesTable {
  id: string;
  tenant_id: string;
  household_id: string;
  /** The member whose own profile this is; null for a managed profile. */
  user_id: string | null;
  /** Sealed under the owner's data key, bound to the profile id. */
  name: string;
  /** `adult` or `child`. */
  kind: string;
  max_age_rating: number | null;
  /** `allowed`, `pin` or `blocked`. */
  purchases: string;
  pin_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface HouseholdInvitationsTable {
  id: string;
  tenant_id: string;
  household_id: string;
  /** Sealed under the outbox key, bound to the invitation id. */
  email: string;
  email_index: string;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
}

export interface HouseholdDevicesTable {
  tenant_id: string;
  household_id: string;
  device_hash: string;
  user_id: string;
  name: string;
  first_seen_at: number;
  last_seen_at: number;
}

export interface OidcSessionProfilesTable {
  tenant_id: string;
  session_uid: string;
  session_id: string;
  profile_id: string | null;
  expires_at: number;
}

/** Changes a node may have cached for a decision (migration 0030; storage/access-changes.ts). */
export interface AccessChangesTable {
  seq: Generated<number>;
  tenant_id: string;
  /** Null: the tenant's roles changed, not one account. */
  user_id: string | null;
  created_at: number;
}

/** A tenant's connection to an upstream identity provider (migration 0031). */
export interface ConnectionsTable {
  id: string;
  tenant_id: string;
  type: string;
  preset: string | null;
  name: string;
  client_id: string;
  secret_sealed: string | null;
  settings: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ConnectionDomainsTable {
  tenant_id: string;
  domain: string;
  connection_id: string;
}

export interface FederatedIdentitiesTable {
  id: string;
  tenant_id: string;
  connection_id: string;
  subject: string;
  user_id: string;
  tokens_sealed: string | null;
  created_at: number;
  last_used_at: number;
}

export interface SamlUsedAssertionsTable {
  tenant_id: string;
  connection_id: string;
  assertion_hash: string;
  expires_at: number;
}

export interface Database {
  connections: ConnectionsTable;
  saml_used_assertions: SamlUsedAssertionsTable;
  connection_domains: ConnectionDomainsTable;
  federated_identities: FederatedIdentitiesTable;
  access_changes: AccessChangesTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  consent_purposes: ConsentPurposesTable;
  consent_policy_versions: ConsentPolicyVersionsTable;
  consent_records: ConsentRecordsTable;
  tenants: TenantsTable;
  applications: ApplicationsTable;
  api_resources: ApiResourcesTable;
  oidc_user_grants: OidcUserGrantsTable;
  users: UsersTable;
  user_data_keys: UserDataKeysTable;
  system_keys: SystemKeysTable;
  password_credentials: PasswordCredentialsTable;
  sessions: SessionsTable;
  action_tokens: ActionTokensTable;
  audit_events: AuditEventsTable;
  mail_outbox: MailOutboxTable;
  admin_tokens: AdminTokensTable;
  oidc_artifacts: OidcArtifactsTable;
  totp_credentials: TotpCredentialsTable;
  sign_in_flows: SignInFlowsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_used_challenges: WebauthnUsedChallengesTable;
  email_sign_ins: EmailSignInsTable;
  phone_credentials: PhoneCredentialsTable;
  sms_codes: SmsCodesTable;
  sms_outbox: SmsOutboxTable;
  trusted_devices: TrustedDevicesTable;
  api_flows: ApiFlowsTable;
  sign_in_events: SignInEventsTable;
  roles: RolesTable;
  groups: GroupsTable;
  user_roles: UserRolesTable;
  group_members: GroupMembersTable;
  group_roles: GroupRolesTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  oidc_app_organizations: OidcAppOrganizationsTable;
  organization_invitations: OrganizationInvitationsTable;
  organization_domains: OrganizationDomainsTable;
  households: HouseholdsTable;
  household_members: HouseholdMembersTable;
  household_profiles: HouseholdProfilesTable;
  household_invitations: HouseholdInvitationsTable;
  household_devices: HouseholdDevicesTable;
  oidc_session_profiles: OidcSessionProfilesTable;
  risk_events: RiskEventsTable;
  signing_keys: SigningKeysTable;
}
