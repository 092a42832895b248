// The domain's view of the outside world. Adapters in src/storage and src/adapters implement these;
// core code receives them as arguments and never imports a driver, HTTP or the clock directly.
import type { Rule } from './authz/conditions.ts';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export type TenantId = string;

export interface TenantBranding {
  logoUrl?: string;
  /** CSS colour (#rrggbb) used for buttons and links. */
  primaryColor?: string;
}

export interface RetentionSettings {
  /** Registrations never confirmed are deleted after this many days. */
  unverifiedAccountDays?: number;
  /** Accounts unused this long are deleted (after a warning mail); 0 = never. */
  inactiveAccountDays?: number;
  /** Days before that deletion the owner is warned by mail. */
  inactiveWarningDays?: number;
  /** Risk assessments are kept this many days. */
  riskEventDays?: number;
  /** Each account's sign-in history (devices, places) is kept this many days. */
  signInHistoryDays?: number;
  /** Audit rows are kept this many days (the oldest part of the chain is removed); 0 = kept. */
  auditEventDays?: number;
}

export interface PlanSettings {
  /** Names of the roles a user on this plan holds while on it. */
  roles?: string[];
  /** A user on this plan may own a household within these bounds (core/households). */
  household?: HouseholdLimits;
}

/** What a household's plan allows; a bound left out is the default of core/households/households.ts. */
export interface HouseholdLimits {
  /** Adult members besides the owner. */
  maxMembers?: number;
  /** Profiles in all: every member's own and the managed ones. */
  maxProfiles?: number;
  /** Devices (browsers) registered to the household; none given: no bound. */
  maxDevices?: number;
  /** Signed-in sessions of the household's members at once; none given: no bound. */
  maxConcurrentSessions?: number;
}

export interface TenantSettings {
  /** Minimum password length when the password is the only factor (NIST: 15). */
  passwordMinLength?: number;
  /** Minimum password length when the account has a second factor (NIST: 8). */
  passwordMinLengthWithMfa?: number;
  /** Refuse sign-in until the email address is verified. */
  requireVerifiedEmail?: boolean;
  /**
   * Second factor: `off` (never asked, not offered), `optional` (the default: asked of users who set
   * one up), `required` (every user sets one up at their next sign-in and cannot remove it).
   */
  mfa?: MfaPolicy;
  /**
   * Passwords offered (default true). False: customers register with their address alone and sign
   * in by passkey or a code by email; password sign-in, reset and change are off.
   */
  passwords?: boolean;
  /** Authenticator apps (TOTP) offered as a second factor; default true. */
  authenticatorApp?: boolean;
  /** After this many sign-ins without a second factor, offer setting one up (once, skippable); 0 = never (the default). */
  mfaNudgeAfterSignIns?: number;
  /** Days a browser may skip the second factor after "Remember this device"; 0 turns the option off. Default 30. */
  rememberDeviceDays?: number;
  /** Text-message codes offered as a second factor (when an SMS sender is configured); default true. */
  smsSecondFactor?: boolean;
  /** Country (ISO 3166 alpha-2) assumed for phone numbers typed without +country code. */
  phoneDefaultCountry?: string;
  /** Minutes a sign-in counts as recent for sensitive account actions (adding or removing a factor…). Default 5. */
  recentAuthMinutes?: number;
  /** How long what is kept about customers is kept (days; 0 = keep); defaults in core/retention/retention.ts. */
  retention?: RetentionSettings;
  /** Days between a customer deleting their account and its erasure (a mailed link keeps it meanwhile); 0 = at once (the default). */
  accountDeletionGraceDays?: number;
  /** Names of roles every new account gets (e.g. `customer`). */
  defaultRoles?: string[];
  /** Subscription plans by key (e.g. `premium`): a user on a plan holds its roles. */
  plans?: Record<string, PlanSettings>;
  /** Sign-in by a code and link sent by email offered; default true. */
  emailSignIn?: boolean;
  /** Passkeys offered (sign-in button, autofill, account page, second factor); default true. */
  passkeys?: boolean;
  /** WebAuthn relying party id; default the host name of the base URL. */
  passkeyRpId?: string;
  /** Origins allowed to answer WebAuthn ceremonies; default the base URL's origin. */
  passkeyOrigins?: string[];
  /** Only authenticator models (AAGUIDs) on this list may register a passkey. */
  passkeyAaguidAllow?: string[];
  /** Authenticator models (AAGUIDs) that may not register a passkey. */
  passkeyAaguidDeny?: string[];
  /** The risk engine's policy; anything left out takes the default (core/risk/engine.ts). */
  risk?: TenantRiskSettings;
  /** Requests per minute by endpoint group, per client address and per tenant (core/risk/request-limits.ts). */
  rateLimits?: TenantRateLimitSettings;
  /** The profile attributes the tenant keeps (core/users/profile-schema.ts); default: the OpenID Connect profile claims. */
  profileSchema?: ProfileSchema;
  /** Progressive profiling: when to ask for which attributes (core/users/profile-rules.ts). */
  profileRules?: ProfileRule[];
}

/** Ask for `ask` (what of it the profile lacks) once every trigger holds. */
export interface ProfileRule {
  id: string;
  ask: string[];
  /** The account has signed in at least this many times. */
  afterSignIns?: number;
  /** An authorization request of this app. */
  clientId?: string;
  /** An authorization request asking for this scope (e.g. `address`). */
  scope?: string;
  /** Not skippable: the sign-in into the app waits for the answer. */
  required: boolean;
}

/** One profile attribute: a JSON Schema of a single value, with Frontdoor's `x-frontdoor-*` keywords. */
export interface ProfileAttributeSchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  title?: string;
  description?: string;
  format?: 'date' | 'email' | 'uri';
  enum?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** Asked on the registration page (`registration`) or only kept and edited later (the default). */
  'x-frontdoor-collect'?: 'registration' | 'later';
  /** The customer may change it on the account page (default true). */
  'x-frontdoor-editable'?: boolean;
  /** Changing it needs a recent sign-in, like the address (default false). */
  'x-frontdoor-sensitive'?: boolean;
}

/** A tenant's profile schema: a JSON Schema object; `required` lists what registration must ask. */
export interface ProfileSchema {
  type: 'object';
  properties: Record<string, ProfileAttributeSchema>;
  required?: string[];
  additionalProperties?: false;
}

/** Requests per minute by endpoint group (token, authorization, userinfo, introspection, oidc, api, pages); 0 = no limit. */
export interface TenantRateLimitSettings {
  perAddress?: Partial<Record<string, number>>;
  perTenant?: Partial<Record<string, number>>;
}

export interface TenantRiskSettings {
  /** Points per signal at full strength (0..100), by signal name. */
  weights?: Record<string, number>;
  /** Scores at and above which an attempt is challenged, and refused. */
  thresholds?: { challenge?: number; deny?: number };
  /** Mail the user after a sign-in from a device the account had not used. */
  notifyNewDevice?: boolean;
  /** Registrations at a disposable email provider: `challenge` (the default: the signal counts) or `refuse`. */
  disposableEmail?: 'challenge' | 'refuse';
  ipAllow?: string[];
  ipDeny?: string[];
  countryAllow?: string[];
  countryDeny?: string[];
  /** Who is mailed when an attack is seen (credential stuffing, a failure spike, an account on hold). */
  alertEmails?: string[];
}

export type MfaPolicy = 'off' | 'optional' | 'required' | 'adaptive';

export interface Tenant {
  id: TenantId; // the URL slug: /t/{id}
  name: string;
  branding: TenantBranding;
  settings: TenantSettings;
  createdAt: number;
  updatedAt: number;
}

export interface Application {
  id: string;
  tenantId: TenantId;
  clientId: string;
  name: string;
  /** Public clients (SPAs, native apps) have no secret. */
  public: boolean;
  /** SHA-256 of the client secret (base64url); null for public clients. */
  secretHash: string | null;
  /** The secret before the last rotation, still accepted until `previousSecretExpiresAt`. */
  previousSecretHash: string | null;
  previousSecretExpiresAt: number | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  firstParty: boolean;
  oidc: ApplicationOidcSettings;
  createdAt: number;
  updatedAt: number;
}

export type SigningAlg = 'ES256' | 'EdDSA' | 'RS256';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** OIDC client metadata beyond the basics; every field optional, defaults chosen by the provider. */
export interface ApplicationOidcSettings {
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  idTokenSignedResponseAlg?: SigningAlg;
  /** Public keys for private_key_jwt client authentication. */
  jwks?: { keys: Record<string, unknown>[] };
  backchannelLogoutUri?: string;
  frontchannelLogoutUri?: string;
  /** `pairwise` gives this app its own subject identifier per user. */
  subjectType?: 'public' | 'pairwise';
  /**
   * What this app may get with client credentials: API resource identifier → scopes. An app is
   * authorized for no API until an admin says so (a leaked secret of one worker is not a key to
   * every API of the tenant).
   */
  clientCredentialsScopes?: Record<string, string[]>;
  /** Claims this app's access tokens for an API carry besides `scope`: the user's role names, and their permissions for that API. */
  accessTokenClaims?: ('roles' | 'permissions')[];
}

/** A permission a role grants: a scope of an API resource, optionally only while a condition holds (core/authz/conditions.ts). */
export interface RolePermission {
  /** The API resource's identifier. */
  api: string;
  /** One of its scopes, e.g. `read:orders`. */
  permission: string;
  condition?: Rule | null;
}

export interface Role {
  id: string;
  tenantId: TenantId;
  /** Unique in the tenant; what tokens carry (`roles` claim). */
  name: string;
  description: string;
  permissions: RolePermission[];
  createdAt: number;
  updatedAt: number;
}

export interface Group {
  id: string;
  tenantId: TenantId;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** How a role reaches a user: given by an admin, by default at sign-up, or through a group. */
export type RoleSource = { kind: 'admin' } | { kind: 'default' } | { kind: 'group'; groupId: string };

export interface AuthorizationRepository {
  /** False when the tenant has a role of that name. */
  createRole(role: Role): Promise<boolean>;
  getRole(tenantId: TenantId, id: string): Promise<Role | null>;
  listRoles(tenantId: TenantId): Promise<Role[]>;
  /** Null when there is no such role; throws FrontdoorError('role.exists') for a name taken. */
  updateRole(tenantId: TenantId, id: string, patch: Partial<Pick<Role, 'name' | 'description' | 'permissions'>>, now: number): Promise<Role | null>;
  deleteRole(tenantId: TenantId, id: string): Promise<boolean>;
  createGroup(group: Group): Promise<boolean>;
  getGroup(tenantId: TenantId, id: string): Promise<Group | null>;
  listGroups(tenantId: TenantId): Promise<Group[]>;
  deleteGroup(tenantId: TenantId, id: string): Promise<boolean>;
  /** Each returns false when it changed nothing (already so). */
  addUserRole(tenantId: TenantId, userId: string, roleId: string, source: 'admin' | 'default', now: number): Promise<boolean>;
  removeUserRole(tenantId: TenantId, userId: string, roleId: string): Promise<boolean>;
  addGroupMember(tenantId: TenantId, groupId: string, userId: string, now: number): Promise<boolean>;
  removeGroupMember(tenantId: TenantId, groupId: string, userId: string): Promise<boolean>;
  listGroupMembers(tenantId: TenantId, groupId: string, limit: number): Promise<string[]>;
  addGroupRole(tenantId: TenantId, groupId: string, roleId: string, now: number): Promise<boolean>;
  removeGroupRole(tenantId: TenantId, groupId: string, roleId: string): Promise<boolean>;
  listGroupRoles(tenantId: TenantId, groupId: string): Promise<string[]>;
  /** Every role the user holds directly or through a group, with how (one query). */
  rolesOfUser(tenantId: TenantId, userId: string): Promise<{ roleId: string; source: RoleSource }[]>;
  /** The groups the user is a member of. */
  groupsOfUser(tenantId: TenantId, userId: string): Promise<string[]>;
}

export interface OrganizationSettings {
  /** Members must use a second factor to sign in to this organization's apps. */
  requireMfa?: boolean;
  /** Verified addresses at these domains may join (as `member`). */
  joinDomains?: string[];
}

/** A business customer's organization inside a tenant (B2B2C). */
export interface Organization {
  id: string;
  tenantId: TenantId;
  name: string;
  settings: OrganizationSettings;
  createdAt: number;
  updatedAt: number;
}

/** A user's membership of an organization, with their roles there. */
export interface OrganizationMember {
  orgId: string;
  userId: string;
  /** `owner`, `admin`, `member`, or names of the tenant's roles. */
  roles: string[];
  createdAt: number;
  updatedAt: number;
}

/** An invitation by email to join an organization: single use, expiring, for that address only. */
export interface OrganizationInvitation {
  id: string;
  tenantId: TenantId;
  orgId: string;
  /** Normalized address. */
  email: string;
  roles: string[];
  tokenHash: string;
  /** Who invited: `admin:<id>`, `cli`, … */
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedBy: string | null;
}

export interface OrganizationRepository {
  create(org: Organization): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<Organization | null>;
  list(tenantId: TenantId, limit: number, cursor: string | null): Promise<Page<Organization>>;
  update(tenantId: TenantId, id: string, patch: Partial<Pick<Organization, 'name' | 'settings'>>, now: number): Promise<Organization | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
  /** Adds the member or replaces their roles. */
  putMember(tenantId: TenantId, member: OrganizationMember): Promise<void>;
  removeMember(tenantId: TenantId, orgId: string, userId: string): Promise<boolean>;
  member(tenantId: TenantId, orgId: string, userId: string): Promise<OrganizationMember | null>;
  /** The first `limit` members, by user id. */
  members(tenantId: TenantId, orgId: string, limit: number): Promise<OrganizationMember[]>;
  /** How many members hold `role`. */
  countWithRole(tenantId: TenantId, orgId: string, role: string): Promise<number>;
  /** The user's memberships. */
  ofUser(tenantId: TenantId, userId: string): Promise<OrganizationMember[]>;
  /** The organization the user last signed in to this app for; null for none. */
  chosenFor(tenantId: TenantId, userId: string, clientId: string): Promise<string | null>;
  /** Records (or with null, clears) that choice. */
  choose(tenantId: TenantId, userId: string, clientId: string, orgId: string | null, now: number): Promise<void>;
  /** The organizations whose members may join with a verified address at `domain`. */
  withJoinDomain(tenantId: TenantId, domain: string): Promise<Organization[]>;
  createInvitation(invitation: OrganizationInvitation): Promise<void>;
  findInvitation(tenantId: TenantId, tokenHash: string): Promise<OrganizationInvitation | null>;
  /** The organization's invitations not accepted yet, newest first. */
  pendingInvitations(tenantId: TenantId, orgId: string): Promise<OrganizationInvitation[]>;
  /** Marks it accepted if it is still open at `now`: true for exactly one caller. */
  acceptInvitation(tenantId: TenantId, id: string, userId: string, now: number): Promise<boolean>;
  deleteInvitation(tenantId: TenantId, orgId: string, id: string): Promise<boolean>;
}

/** A shared account: the paying owner, adult members with their own sign-in, managed profiles. */
export interface Household {
  id: string;
  tenantId: TenantId;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
}

export type HouseholdRole = 'owner' | 'adult';

export interface HouseholdMember {
  householdId: string;
  userId: string;
  role: HouseholdRole;
  createdAt: number;
}

/** `adult` or `child`; a child profile carries restrictions and cannot leave itself without a PIN or the account's owner. */
export type HouseholdProfileKind = 'adult' | 'child';
export type PurchasePolicy = 'allowed' | 'pin' | 'blocked';

/** Who is using the account: a member's own profile (`userId` set) or a managed one without credentials. */
export interface HouseholdProfile {
  id: string;
  tenantId: TenantId;
  householdId: string;
  userId: string | null;
  name: string;
  kind: HouseholdProfileKind;
  /** The highest age rating of content this profile may see (e.g. 12); null: no bound. */
  maxAgeRating: number | null;
  purchases: PurchasePolicy;
  /** argon2id hash of the profile's PIN; null: none. */
  pinHash: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface HouseholdInvitation {
  id: string;
  tenantId: TenantId;
  householdId: string;
  /** Normalized address. */
  email: string;
  tokenHash: string;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedBy: string | null;
}

/** A browser a member of the household signed in on (its device cookie, as an HMAC). */
export interface HouseholdDevice {
  householdId: string;
  deviceHash: string;
  userId: string;
  name: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface HouseholdRepository {
  create(household: Household, owner: HouseholdMember): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<Household | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
  /**
   * Inside a transaction: takes the household's row lock (PostgreSQL; SQLite's write lock), so
   * two changes bounded by the plan (a member, a profile, a session) cannot both see room for one.
   */
  lock(tenantId: TenantId, id: string, now: number): Promise<boolean>;
  /** The household the user belongs to, with their membership; null for none. */
  membershipOf(tenantId: TenantId, userId: string): Promise<HouseholdMember | null>;
  members(tenantId: TenantId, householdId: string): Promise<HouseholdMember[]>;
  addMember(tenantId: TenantId, member: HouseholdMember): Promise<void>;
  removeMember(tenantId: TenantId, householdId: string, userId: string): Promise<boolean>;
  createProfile(profile: HouseholdProfile, ownerId: string): Promise<void>;
  profile(tenantId: TenantId, householdId: string, id: string): Promise<HouseholdProfile | null>;
  profiles(tenantId: TenantId, householdId: string): Promise<HouseholdProfile[]>;
  updateProfile(profile: HouseholdProfile, ownerId: string): Promise<void>;
  deleteProfile(tenantId: TenantId, householdId: string, id: string): Promise<boolean>;
  createInvitation(invitation: HouseholdInvitation): Promise<void>;
  findInvitation(tenantId: TenantId, tokenHash: string): Promise<HouseholdInvitation | null>;
  pendingInvitations(tenantId: TenantId, householdId: string, now: number): Promise<HouseholdInvitation[]>;
  /** Marks it accepted if still open at `now`: true for exactly one caller. */
  acceptInvitation(tenantId: TenantId, id: string, userId: string, now: number): Promise<boolean>;
  deleteInvitation(tenantId: TenantId, householdId: string, id: string): Promise<boolean>;
  devices(tenantId: TenantId, householdId: string): Promise<HouseholdDevice[]>;
  /** Registers the device or refreshes its last use. */
  putDevice(tenantId: TenantId, device: HouseholdDevice): Promise<void>;
  deleteDevice(tenantId: TenantId, householdId: string, deviceHash: string): Promise<boolean>;
  /** Live (unrevoked, unexpired) sessions of the household's members, most recently used first. */
  liveSessions(tenantId: TenantId, householdId: string, now: number): Promise<Session[]>;
  /** Sets the profile an OIDC provider session (`sessionUid`) of the Frontdoor session `sessionId` acts as. */
  linkProviderSession(tenantId: TenantId, link: { sessionUid: string; sessionId: string; profileId: string | null; expiresAt: number }): Promise<void>;
  /** The Frontdoor session and profile a provider session is linked to; undefined when not linked. */
  providerSessionLink(tenantId: TenantId, sessionUid: string, now: number): Promise<{ sessionId: string; profileId: string | null } | undefined>;
  /** A Frontdoor session switched profile: its provider sessions (and their tokens) follow. */
  relinkSessionProfile(tenantId: TenantId, sessionId: string, profileId: string | null): Promise<void>;
  /** Deletes links past their expiry (the longest refresh-token lifetime). */
  deleteExpiredLinks(now: number): Promise<number>;
}

/** An API that accepts access tokens (RFC 8707 resource indicator = `identifier`). */
export interface ApiResource {
  id: string;
  tenantId: TenantId;
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  accessTokenFormat: 'jwt' | 'opaque';
  accessTokenTtlSeconds: number;
  createdAt: number;
  updatedAt: number;
}

/** What a user consented to an app, remembered across sessions: the oidc-provider grant id. */
export interface RememberedGrant {
  tenantId: TenantId;
  userId: string;
  clientId: string;
  grantId: string;
  createdAt: number;
  updatedAt: number;
}

export type UserStatus = 'active' | 'disabled' | 'pending';

export interface User {
  id: string;
  tenantId: TenantId;
  status: UserStatus;
  /** Normalized: trimmed, lower-cased, IDN domain in ASCII (punycode). */
  email: string;
  emailVerified: boolean;
  profile: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
  /** The owner asked to delete the account: it is disabled and erased at this time unless they cancel. */
  eraseAfter?: number | null;
  /** The language the owner last used the hosted pages in (registration, sign-in), for mail sent while they are away. */
  locale?: string | null;
  /** The subscription plan (a key of the tenant's `settings.plans`): its roles are the user's too. */
  plan?: string | null;
}

export interface PasswordCredential {
  userId: string;
  tenantId: TenantId;
  /** PHC string; it records the algorithm and its parameters. */
  hash: string;
  updatedAt: number;
  /** The password may not sign in until it is reset through the verified email ("this wasn't me"). */
  resetRequired?: boolean;
  /** Failed password sign-ins since the last success (see FAILURE_HOLD_THRESHOLD). */
  consecutiveFailures?: number;
}

export interface Session {
  id: string;
  tenantId: TenantId;
  userId: string;
  /** SHA-256 (base64url) of the cookie value; the value itself is never stored. */
  tokenHash: string;
  createdAt: number;
  lastSeenAt: number;
  authenticatedAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
  revokedAt: number | null;
  /** How the user proved who they are in this session: RFC 8176 values, e.g. ["pwd", "otp", "mfa"]. */
  amr: string[];
  /** The authentication context class those methods reach (core/auth/acr.ts). */
  acr: string;
  /** The household profile this session acts as (core/households); null: the account itself. */
  profileId?: string | null;
  /** HMAC of the device cookie it started with, for household device limits. */
  deviceHash?: string | null;
}

/** An authenticator-app credential; one per user. Pending until a first code confirms it. */
export interface TotpCredential {
  tenantId: TenantId;
  userId: string;
  /** Base32; the repository keeps it sealed under the account's data key. */
  secret: string;
  confirmedAt: number | null;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  lastUsedStep: number | null;
  createdAt: number;
}

export interface TotpRepository {
  get(tenantId: TenantId, userId: string): Promise<TotpCredential | null>;
  /** Replaces any unconfirmed credential; refuses (returns false) when a confirmed one exists. */
  putPending(credential: TotpCredential): Promise<boolean>;
  confirm(tenantId: TenantId, userId: string, confirmedAt: number, step: number): Promise<boolean>;
  /** Records `step` as used only if it is later than the last used one (atomic): false = replay. */
  useStep(tenantId: TenantId, userId: string, step: number): Promise<boolean>;
  delete(tenantId: TenantId, userId: string): Promise<boolean>;
}

export interface RecoveryCodeRepository {
  /** Replaces the user's codes with these hashes (the old set stops working). */
  replace(tenantId: TenantId, userId: string, codeHashes: string[], now: number): Promise<void>;
  /** Marks the code used if it is the user's and unused (atomic): false otherwise. */
  use(tenantId: TenantId, userId: string, codeHash: string, now: number): Promise<boolean>;
  remaining(tenantId: TenantId, userId: string): Promise<number>;
  deleteAll(tenantId: TenantId, userId: string): Promise<void>;
}

/** A WebAuthn credential (passkey or security key) registered by a user. */
export interface Passkey {
  id: string;
  tenantId: TenantId;
  userId: string;
  /** base64url, as the authenticator reports it. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter; 0 for authenticators that keep none (most synced passkeys). */
  signCount: number;
  transports: string[];
  /** Backup eligible: a synced (multi-device) passkey rather than one bound to a device. */
  backupEligible: boolean;
  backedUp: boolean;
  /** The authenticator model's id as it declared it (self-asserted without attestation trust). */
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeyRepository {
  create(passkey: Passkey): Promise<void>;
  findByCredentialId(tenantId: TenantId, credentialId: string): Promise<Passkey | null>;
  listForUser(tenantId: TenantId, userId: string): Promise<Passkey[]>;
  countForUser(tenantId: TenantId, userId: string): Promise<number>;
  /**
   * Records a use. The counter must move forward when the authenticator keeps one (atomic: of two
   * assertions with the same counter only one is accepted); false = refused.
   */
  recordUse(id: string, signCount: number, backedUp: boolean, now: number): Promise<boolean>;
  rename(tenantId: TenantId, userId: string, id: string, name: string): Promise<boolean>;
  delete(tenantId: TenantId, userId: string, id: string): Promise<boolean>;
  deleteAllForUser(tenantId: TenantId, userId: string): Promise<number>;
  /** Users of the tenant (active ones) and how many of them hold at least one passkey. */
  adoption(): Promise<{ tenantId: TenantId; activeUsers: number; withPasskey: number }[]>;
}

export interface WebauthnChallengeRepository {
  /** Records a challenge as used; false when it was used before. */
  markUsed(tenantId: TenantId, challengeHash: string, expiresAt: number): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

/** A sign-in by email (code and magic link) requested from one browser; only hashes are stored. */
export interface EmailSignIn {
  id: string;
  tenantId: TenantId;
  /** Null when no account has the address: such a request can never complete. */
  userId: string | null;
  browserHash: string;
  linkHash: string | null;
  codeMac: string;
  attempts: number;
  returnTo: string | null;
  createdAt: number;
  codeExpiresAt: number;
  linkExpiresAt: number;
  consumedAt: number | null;
}

export interface EmailSignInRepository {
  create(request: EmailSignIn): Promise<void>;
  /** The open (unconsumed, link or code still live) request of this browser. */
  findByBrowser(tenantId: TenantId, browserHash: string, now: number): Promise<EmailSignIn | null>;
  /** The open request a magic link names, while the link is live. */
  findByLink(tenantId: TenantId, linkHash: string, now: number): Promise<EmailSignIn | null>;
  /** Counts a wrong code; returns the new count. */
  recordAttempt(id: string): Promise<number>;
  /** Ends every request of this browser and frees its key for a new one (a new mail replaces the old). */
  supersede(tenantId: TenantId, browserHash: string, now: number): Promise<void>;
  /** Ends the request (atomic): false when it was already ended. */
  consume(id: string, now: number): Promise<boolean>;
  /**
   * The link was opened on another device: the link stops working and a new code (shown there, to
   * be typed on the asking device) replaces the old, with fresh tries. False when the link was used.
   */
  swapLinkForCode(id: string, linkHash: string, codeMac: string, codeExpiresAt: number): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

/** A phone for text-message codes; one per user, pending until a code sent to it is typed back. */
export interface PhoneCredential {
  tenantId: TenantId;
  userId: string;
  /** E.164, e.g. +4915112345678. */
  phone: string;
  confirmedAt: number | null;
  createdAt: number;
  /** A new number the owner is changing to, waiting for its code (the confirmed `phone` stays in use meanwhile). */
  pendingPhone?: string | null;
}

export interface PhoneCredentialRepository {
  get(tenantId: TenantId, userId: string): Promise<PhoneCredential | null>;
  /** Replaces an unconfirmed phone; false when a confirmed one exists. */
  putPending(credential: PhoneCredential): Promise<boolean>;
  confirm(tenantId: TenantId, userId: string, now: number): Promise<boolean>;
  delete(tenantId: TenantId, userId: string): Promise<boolean>;
  /** Sets the number a confirmed phone is changing to (replacing one set before); false without a confirmed phone. */
  putPendingChange(tenantId: TenantId, userId: string, phone: string): Promise<boolean>;
  /** Makes the pending number the phone, if it is still `phone`; false otherwise. */
  confirmChange(tenantId: TenantId, userId: string, phone: string, now: number): Promise<boolean>;
}

export type SmsCodePurpose = 'confirm_phone' | 'second_factor';

/** A code sent by text message; only a keyed MAC of it is kept. */
export interface SmsCode {
  id: string;
  tenantId: TenantId;
  userId: string;
  purpose: SmsCodePurpose;
  /** The sign-in flow a second-factor code belongs to; '' for confirming the phone. */
  subject: string;
  codeMac: string;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface SmsCodeRepository {
  /** Stores a new code; any earlier open code for the same purpose and subject stops working. */
  replace(code: SmsCode): Promise<void>;
  /** The open code for this purpose and subject, if it is still live. */
  findOpen(tenantId: TenantId, userId: string, purpose: SmsCodePurpose, subject: string, now: number): Promise<SmsCode | null>;
  recordAttempt(id: string): Promise<number>;
  consume(id: string, now: number): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

export interface OutboxSms {
  id: string;
  tenantId: TenantId;
  to: string;
  text: string;
  createdAt: number;
}

export interface SmsOutboxRepository {
  add(sms: OutboxSms): Promise<void>;
  /** Newest first, for the development mailbox. */
  listRecent(limit: number): Promise<OutboxSms[]>;
}

/** A browser that may skip the second factor for its user until `expiresAt`. */
export interface TrustedDevice {
  id: string;
  tenantId: TenantId;
  userId: string;
  tokenHash: string;
  /** What the browser said it was, for the account page ("Firefox on macOS"). */
  name: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

export interface TrustedDeviceRepository {
  create(device: TrustedDevice): Promise<void>;
  /** The live device this token names, if it belongs to this user. */
  find(tenantId: TenantId, userId: string, tokenHash: string, now: number): Promise<TrustedDevice | null>;
  touch(id: string, now: number): Promise<void>;
  listForUser(tenantId: TenantId, userId: string, now: number): Promise<TrustedDevice[]>;
  delete(tenantId: TenantId, userId: string, id: string): Promise<boolean>;
  deleteAllForUser(tenantId: TenantId, userId: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/** Where a sign-in driven through the JSON API stands. */
export type ApiFlowState = 'first_factor' | 'email_code' | 'second_factor' | 'complete';

export interface ApiFlow {
  id: string;
  tenantId: TenantId;
  tokenHash: string;
  interactionUid: string | null;
  state: ApiFlowState;
  userId: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface ApiFlowRepository {
  create(flow: ApiFlow): Promise<void>;
  findByTokenHash(tenantId: TenantId, tokenHash: string, now: number): Promise<ApiFlow | null>;
  /** Moves the flow from `from` to `to` (atomic): false when it was no longer in `from`. */
  transition(id: string, from: ApiFlowState, to: ApiFlowState, userId: string | null): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

/** A password-verified sign-in waiting for its second factor; only the token's hash is stored. */
export interface SignInFlow {
  id: string;
  tenantId: TenantId;
  userId: string;
  tokenHash: string;
  amr: string[];
  /** Where to go once signed in (a path on our origin), e.g. back to an OIDC interaction. */
  returnTo: string | null;
  /** The class an app's step-up asked this flow to reach (only methods reaching it count); null: any second factor. */
  requiredAcr: string | null;
  attempts: number;
  createdAt: number;
  expiresAt: number;
}

export interface SignInFlowRepository {
  create(flow: SignInFlow): Promise<void>;
  findByTokenHash(tenantId: TenantId, tokenHash: string, now: number): Promise<SignInFlow | null>;
  /** Counts one failed attempt; returns the new count. */
  recordAttempt(id: string): Promise<number>;
  delete(id: string): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

export type ActionTokenPurpose = 'verify_email' | 'reset_password' | 'report_sign_in' | 'cancel_deletion' | 'change_email' | 'household_admission';

export interface ActionToken {
  tokenHash: string;
  tenantId: TenantId;
  userId: string;
  purpose: ActionTokenPurpose;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  /** Verification links from a registration carry the password hash chosen there (see registration.ts). */
  payload: string | null;
}

export interface AuditEvent {
  id: string;
  tenantId: TenantId;
  at: number;
  /** Who acted: `user:<id>`, `admin:<token id>`, `cli`, `system`, or `anonymous`. */
  actor: string;
  /** Whom or what it was about, usually a user id; null when unknown (e.g. unknown email). */
  subject: string | null;
  action: string;
  result: 'success' | 'failure';
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface OutboxMail {
  id: string;
  tenantId: TenantId;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: number;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
}

export interface AdminToken {
  id: string;
  name: string;
  tokenHash: string;
  kind: 'admin' | 'setup';
  createdAt: number;
  expiresAt: number | null;
  consumedAt: number | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null at the end. */
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------
// Repositories: one per aggregate, every query scoped by tenant.

export interface TenantRepository {
  create(tenant: Tenant): Promise<void>;
  get(id: TenantId): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  update(id: TenantId, patch: Partial<Pick<Tenant, 'name' | 'branding' | 'settings'>>, now: number): Promise<Tenant | null>;
  delete(id: TenantId): Promise<boolean>;
}

export interface ApplicationRepository {
  create(app: Application): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<Application | null>;
  findByClientId(tenantId: TenantId, clientId: string): Promise<Application | null>;
  list(tenantId: TenantId): Promise<Application[]>;
  update(tenantId: TenantId, id: string, patch: Partial<Pick<Application, 'name' | 'secretHash' | 'previousSecretHash' | 'previousSecretExpiresAt' | 'redirectUris' | 'postLogoutRedirectUris' | 'grantTypes' | 'firstParty' | 'oidc'>>, now: number): Promise<Application | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
}

export interface ApiResourceRepository {
  /** Throws FrontdoorError('request.conflict') when the identifier is taken in the tenant. */
  create(resource: ApiResource): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<ApiResource | null>;
  findByIdentifier(tenantId: TenantId, identifier: string): Promise<ApiResource | null>;
  list(tenantId: TenantId): Promise<ApiResource[]>;
  update(tenantId: TenantId, id: string, patch: Partial<Pick<ApiResource, 'name' | 'scopes' | 'accessTokenFormat' | 'accessTokenTtlSeconds'>>, now: number): Promise<ApiResource | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
}

export interface RememberedGrantRepository {
  get(tenantId: TenantId, userId: string, clientId: string): Promise<RememberedGrant | null>;
  put(grant: RememberedGrant): Promise<void>;
  listForUser(tenantId: TenantId, userId: string): Promise<RememberedGrant[]>;
  delete(tenantId: TenantId, userId: string, clientId: string): Promise<RememberedGrant | null>;
}

/** An app a user has granted access to (through the OIDC provider), for the account page. */
export interface ConnectedApp {
  clientId: string;
  /** OpenID scopes granted (openid, profile, email, offline_access, …). */
  scopes: string[];
  /** API resource identifier → granted scopes. */
  resources: Record<string, string[]>;
  firstGrantedAt: number;
}

export interface OidcGrantRepository {
  listForUser(tenantId: TenantId, userId: string, now: number): Promise<ConnectedApp[]>;
  /**
   * Revokes the user's grants — of one app, or of every app when `clientId` is null (then the
   * provider's own sessions of the user go too) — with every token issued under them, and the
   * remembered consent. Returns how many grants there were.
   */
  revokeForUser(tenantId: TenantId, userId: string, clientId: string | null): Promise<number>;
}

export interface UserListQuery {
  tenantId: TenantId;
  /** Only the account with this normalized address (addresses are sealed: no partial search). */
  email?: string;
  status?: UserStatus;
  limit: number;
  cursor?: string | null;
}

export interface UserRepository {
  /** Throws FrontdoorError('user.exists') when the email is taken in the tenant. */
  create(user: User): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<User | null>;
  findByEmail(tenantId: TenantId, email: string): Promise<User | null>;
  list(query: UserListQuery): Promise<Page<User>>;
  update(tenantId: TenantId, id: string, patch: Partial<Pick<User, 'status' | 'email' | 'emailVerified' | 'profile' | 'lastLoginAt' | 'eraseAfter' | 'locale' | 'plan'>>, now: number): Promise<User | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
  /** Accounts whose deletion grace period has ended, across tenants. */
  dueForErasure(now: number, limit: number): Promise<{ tenantId: TenantId; id: string }[]>;
  /** Registrations never confirmed (status pending, address unverified) created before `before`. */
  staleUnverified(tenantId: TenantId, before: number, limit: number): Promise<User[]>;
  /** Active accounts last used (signed in, or created if never) before `before`, not warned yet. */
  inactiveUnwarned(tenantId: TenantId, before: number, limit: number): Promise<User[]>;
  /** Marks the warning as sent unless it already was (one node mails); true when this call marked it. */
  claimInactivityWarning(tenantId: TenantId, id: string, now: number): Promise<boolean>;
  /** Accounts warned before `warnedBefore` and still unused since `before`. */
  inactiveWarned(tenantId: TenantId, before: number, warnedBefore: number, limit: number): Promise<User[]>;
}

export interface PasswordRepository {
  get(tenantId: TenantId, userId: string): Promise<PasswordCredential | null>;
  /** Stores a new password; it lifts a required reset. */
  set(credential: PasswordCredential): Promise<void>;
  /** Stops the current password from signing in until a reset (false when the user has none). */
  requireReset(tenantId: TenantId, userId: string, now: number): Promise<boolean>;
  /** Counts one failed sign-in (atomic); returns the new count, 0 when the user has no password. */
  recordFailure(tenantId: TenantId, userId: string): Promise<number>;
  /** Ends the run of failures (a success, a proof of the verified address, an admin). Returns the count it had. */
  clearFailures(tenantId: TenantId, userId: string): Promise<number>;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  findByTokenHash(tenantId: TenantId, tokenHash: string): Promise<Session | null>;
  listActiveForUser(tenantId: TenantId, userId: string, now: number): Promise<Session[]>;
  touch(tenantId: TenantId, id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>;
  /** The user proved who they are again in this session: a new authentication time and methods. */
  reauthenticate(tenantId: TenantId, id: string, authenticatedAt: number, amr: string[], acr: string): Promise<void>;
  revoke(tenantId: TenantId, id: string, now: number): Promise<boolean>;
  /** The household profile the session acts as from now on. */
  setProfile(tenantId: TenantId, id: string, profileId: string | null): Promise<void>;
  /** Revokes every live session of the user except `exceptId`; returns how many. */
  revokeAllForUser(tenantId: TenantId, userId: string, now: number, exceptId?: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

export interface ActionTokenRepository {
  create(token: ActionToken): Promise<void>;
  /** A live (unused, unexpired) token, without using it up. */
  findLive(tenantId: TenantId, tokenHash: string, purpose: ActionTokenPurpose, now: number): Promise<ActionToken | null>;
  /** Marks the token used and returns it, or null when unknown, expired, used or invalidated. Atomic. */
  consume(tenantId: TenantId, tokenHash: string, purpose: ActionTokenPurpose, now: number): Promise<ActionToken | null>;
  /** Invalidates every live token of this purpose for the user (a newer token, a password change). */
  invalidateForUser(tenantId: TenantId, userId: string, purpose: ActionTokenPurpose, now: number): Promise<number>;
}

export interface AuditQuery {
  tenantId: TenantId;
  subject?: string;
  action?: string;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string | null;
}

/** A successful sign-in of an account: where from and with what, for familiarity and the account page. */
export interface SignInEvent {
  id: string;
  tenantId: TenantId;
  userId: string;
  at: number;
  /** HMAC of the browser's device cookie; null when the client has none (the JSON API, a first visit). */
  deviceHash: string | null;
  /** What the browser said it was ("Firefox on macOS"). */
  deviceName: string;
  /** The address's network (/24 of IPv4, /48 of IPv6); the full address is not kept here. */
  network: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracyKm: number | null;
  /** How the user proved who they are (RFC 8176 amr). */
  methods: string[];
  sessionId: string | null;
  riskEventId: string | null;
}

export interface SignInEventRepository {
  /** In one statement. */
  addMany(events: SignInEvent[]): Promise<void>;
  /** Newest first. */
  listRecent(tenantId: TenantId, userId: string, limit: number): Promise<SignInEvent[]>;
  deleteOlderThan(before: number, tenantId?: TenantId): Promise<number>;
}

/** One stored assessment: the score, each signal's contribution and reason, and the action taken. */
export interface RiskEvent {
  id: string;
  tenantId: TenantId;
  /** The account the attempt was about, when it is known to exist. */
  userId: string | null;
  at: number;
  kind: string;
  /** `before` the credential was checked (source and pace), or `after` (who, from which device and place). */
  stage: 'before' | 'after';
  score: number;
  level: 'low' | 'medium' | 'high';
  action: 'allow' | 'notify' | 'challenge' | 'deny';
  reasons: { signal: string; points: number; reason: string }[];
  ip: string | null;
  country: string | null;
  requestId: string | null;
}

export interface RiskEventQuery {
  tenantId: TenantId;
  userId?: string;
  action?: RiskEvent['action'];
  kind?: string;
  minScore?: number;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string | null;
}

export interface RiskEventRepository {
  /** In one statement. */
  addMany(events: RiskEvent[]): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<RiskEvent | null>;
  /** Newest first. */
  query(query: RiskEventQuery): Promise<Page<RiskEvent>>;
  deleteOlderThan(before: number, tenantId?: TenantId): Promise<number>;
}

/** An audit row as its tenant's hash chain sees it: `content` is the row's columns, serialized as stored. */
export interface AuditChainRow {
  id: string;
  chainSeq: number | null;
  chainHash: string | null;
  content: string;
}

export interface AuditChainLink {
  seq: number;
  hash: string;
}

/** Something a tenant asks customers' consent for (e.g. `marketing_email`), at its current policy version. */
export interface ConsentPurpose {
  tenantId: TenantId;
  id: string;
  name: string;
  version: number;
  /** Grants of versions before this one no longer count (the policy changed so much the tenant asks again). */
  askAgainFrom: number;
  /** No longer offered; its records stay. */
  archived: boolean;
  /** Of the current version. */
  description: string;
  policyText: string;
  createdAt: number;
  updatedAt: number;
}

export interface ConsentPolicyVersion {
  purposeId: string;
  version: number;
  description: string;
  policyText: string;
  createdAt: number;
}

export type ConsentChannel = 'registration' | 'account' | 'sign_in' | 'api' | 'import';

/** One choice, as made: never updated; a withdrawal is a newer record. */
export interface ConsentRecord {
  id: string;
  tenantId: TenantId;
  userId: string;
  purposeId: string;
  policyVersion: number;
  granted: boolean;
  at: number;
  channel: ConsentChannel;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface ConsentRepository {
  listPurposes(tenantId: TenantId): Promise<ConsentPurpose[]>;
  getPurpose(tenantId: TenantId, id: string): Promise<ConsentPurpose | null>;
  /** Creates the purpose at version 1; throws FrontdoorError('consent.purpose_exists') when the id is taken. */
  createPurpose(purpose: ConsentPurpose): Promise<void>;
  /** The next version of the policy: `expectedVersion` must still be current (else false). */
  publishVersion(tenantId: TenantId, id: string, expectedVersion: number, next: { description: string; policyText: string; askAgain: boolean }, now: number): Promise<boolean>;
  update(tenantId: TenantId, id: string, patch: { name?: string; archived?: boolean }, now: number): Promise<boolean>;
  versions(tenantId: TenantId, purposeId: string): Promise<ConsentPolicyVersion[]>;
  append(record: ConsentRecord): Promise<void>;
  /** Every record of the user, oldest first. */
  history(tenantId: TenantId, userId: string): Promise<ConsentRecord[]>;
}

/** A signed statement that the tenant's audit chain had link `hash` at place `seq` (audit-checkpoint.ts). */
export interface AuditCheckpoint {
  tenantId: TenantId;
  seq: number;
  hash: string;
  signedAt: number;
  kid: string;
  /** Compact JWS over {iss, sub: tenant, seq, hash, iat}, signed with the tenant's signing key. */
  jws: string;
}

export interface AuditRepository {
  append(event: AuditEvent): Promise<void>;
  query(query: AuditQuery): Promise<Page<AuditEvent>>;
  /** Inside a transaction: the chain's last link (`genesis` at seq 0 before the first), locked until the transaction ends. */
  lockChainHead(tenantId: TenantId, genesis: string, now: number): Promise<AuditChainLink>;
  chainHead(tenantId: TenantId): Promise<AuditChainLink | null>;
  /** Rows not in the chain yet, in the order they were written. */
  unsealed(tenantId: TenantId, limit: number): Promise<AuditChainRow[]>;
  countUnsealed(tenantId: TenantId): Promise<number>;
  tenantsWithUnsealed(limit: number): Promise<TenantId[]>;
  /** Sets each row's place and hash (once: rows already in the chain are left alone) and the head. */
  seal(tenantId: TenantId, links: (AuditChainLink & { id: string })[], head: AuditChainLink, now: number): Promise<void>;
  /** Rows in the chain after `afterSeq`, in chain order. */
  chain(tenantId: TenantId, afterSeq: number, limit: number): Promise<AuditChainRow[]>;
  /** The link before the chain's first kept row; null while nothing was removed (the chain starts at its genesis). */
  chainStart(tenantId: TenantId): Promise<AuditChainLink | null>;
  /** The place of the first linked row written at or after `at` (by its time), or null. */
  firstLinkedAtOrAfter(tenantId: TenantId, at: number): Promise<number | null>;
  /**
   * Retention, inside a transaction holding the head's lock: removes the rows up to `start.seq` and
   * the checkpoints before it, and records `start` as where the chain now begins. Returns the rows removed.
   */
  removeThrough(tenantId: TenantId, start: AuditChainLink): Promise<number>;
  /** Keeps a checkpoint; one at a place is enough (a second for the same place is ignored). */
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  latestCheckpoint(tenantId: TenantId): Promise<AuditCheckpoint | null>;
  /** Every checkpoint of the tenant, in chain order. */
  checkpoints(tenantId: TenantId): Promise<AuditCheckpoint[]>;
}

export interface MailOutboxRepository {
  enqueue(mail: OutboxMail): Promise<void>;
  /** Newest first, for the development mailbox. */
  listRecent(limit: number): Promise<OutboxMail[]>;
  listUnsent(limit: number): Promise<OutboxMail[]>;
  /** Removes every mail of the tenant to this address, sent or not (an erased account's). */
  deleteForRecipient(tenantId: TenantId, recipient: string): Promise<number>;
  markSent(id: string, now: number): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
}

export interface AdminTokenRepository {
  create(token: AdminToken): Promise<void>;
  findByHash(tokenHash: string): Promise<AdminToken | null>;
  /** Atomically marks a setup token used; null when unknown, used or expired. */
  consumeSetup(tokenHash: string, now: number): Promise<AdminToken | null>;
  count(kind: AdminToken['kind']): Promise<number>;
}

/** `next`: published, not yet signing; `active`: signs; `retired`: published until retireAfter. */
export type SigningKeyStatus = 'next' | 'active' | 'retired';

/** A tenant's OIDC signing key (see core/keys/signing-keys.ts). */
export interface SigningKey {
  /** The JWK `kid`: RFC 7638 thumbprint of the public key. */
  id: string;
  tenantId: TenantId;
  alg: SigningAlg;
  status: SigningKeyStatus;
  /** The private JWK sealed by the signing-key service (AES-256-GCM); opaque to storage. */
  privateJwk: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  activatedAt: number | null;
  /** Set on retirement: when the key may leave the JWKS. */
  retireAfter: number | null;
  updatedAt: number;
}

export interface SigningKeyRepository {
  /** Throws on a second `active` or `next` key of one alg in a tenant (unique partial indexes). */
  create(key: SigningKey): Promise<void>;
  /** Every key of the tenant, oldest first. */
  list(tenantId: TenantId): Promise<SigningKey[]>;
  /** Inside a transaction: serializes key changes of the tenant until it ends; false when the tenant does not exist. */
  lock(tenantId: TenantId): Promise<boolean>;
  /** Moves one key from `from` to `to` (and sets the given times); false when it was no longer in `from`. */
  transition(tenantId: TenantId, id: string, from: SigningKeyStatus, to: SigningKeyStatus, patch: { activatedAt?: number; retireAfter?: number }, now: number): Promise<boolean>;
  /** Deletes retired keys whose retireAfter is at or before `now`; returns how many. */
  deleteExpired(tenantId: TenantId, now: number): Promise<number>;
  /** Id, status and updatedAt of the keys published at `now` (no key material): for a cheap version. */
  states(tenantId: TenantId, now: number): Promise<{ id: string; status: SigningKeyStatus; updatedAt: number }[]>;
}


// ---------------------------------------------------------------------------------------------
// Upstream identity providers (social and enterprise login).

export type ConnectionType = 'oidc' | 'oauth2' | 'saml';
export type ConnectionPreset = 'google' | 'microsoft' | 'apple' | 'github';

/** Upstream claim names for our attributes (defaults: the OpenID Connect standard claims). */
export interface ConnectionMapping {
  email?: string;
  emailVerified?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  picture?: string;
}

export interface ConnectionSettings {
  /** A `data:image/…` URL shown on the button (pages load no third-party resources). */
  iconUrl?: string;
  scopes: string[];
  /** oidc: the issuer; its discovery document is `{issuer}/.well-known/openid-configuration`. */
  issuer?: string;
  /** oauth2: the endpoints. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  /** oauth2, GitHub style: the list of the user's addresses with `verified` and `primary`. */
  emailsEndpoint?: string;
  mapping?: ConnectionMapping;
  /** Client ids of the apps whose sign-in shows it; absent: every app and the hosted pages. */
  apps?: string[];
  /** Email domains whose addresses are sent to this connection (home-realm discovery). */
  domains?: string[];
  organizationId?: string;
  /** Keep the upstream's `amr` (and let its `mfa` count as our second factor). */
  trustUpstreamAmr?: boolean;
  /** Keep the upstream's tokens, sealed under the user's data key, for apps that call its API. */
  storeUpstreamTokens?: boolean;
  responseMode?: 'query' | 'form_post';
  /** Apple: the client secret is an ES256 JWT signed with the team's key (the stored secret is that key, PKCS#8 PEM). */
  apple?: { teamId: string; keyId: string };
  /** Microsoft multi-tenant: the directory ids (`tid`) allowed; absent, any. */
  allowedTenants?: string[];
  /** saml: the identity provider, as its metadata names it. */
  saml?: SamlIdpSettings;
}

/** A SAML 2.0 identity provider (from its metadata or given field by field). */
export interface SamlIdpSettings {
  /** Its entity id: the `Issuer` its responses must carry. */
  entityId: string;
  /** Its single sign-on service for the HTTP-Redirect binding. */
  ssoUrl: string;
  /** The certificates whose keys may sign its responses, PEM (several while it rolls its key). */
  certificates: string[];
  /** How far its clock may be from ours (seconds; default 60). */
  clockSkewSeconds?: number;
}

export interface Connection {
  id: string;
  tenantId: TenantId;
  type: ConnectionType;
  preset: ConnectionPreset | null;
  name: string;
  clientId: string;
  hasSecret: boolean;
  settings: ConnectionSettings;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionRepository {
  /** False when one of its domains is another connection's already. */
  create(connection: Connection, secret: string | null): Promise<boolean>;
  get(tenantId: TenantId, id: string): Promise<Connection | null>;
  list(tenantId: TenantId): Promise<Connection[]>;
  /** False when a domain is another connection's; null when there is no such connection. */
  update(tenantId: TenantId, id: string, patch: Partial<Pick<Connection, 'name' | 'clientId' | 'settings' | 'enabled'>>, now: number): Promise<Connection | null | false>;
  setSecret(tenantId: TenantId, id: string, secret: string, now: number): Promise<boolean>;
  /** The opened client secret; only the upstream client reads it. */
  secretOf(tenantId: TenantId, id: string): Promise<string | null>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
  byDomain(tenantId: TenantId, domain: string): Promise<Connection | null>;
}

/** SAML assertions already used (replay): kept until they could no longer be accepted anyway. */
export interface SamlAssertionRepository {
  /** Records the assertion as used; false when it was used before. */
  markUsed(tenantId: TenantId, connectionId: string, assertionIdHash: string, expiresAt: number): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

export interface FederatedIdentity {
  id: string;
  tenantId: TenantId;
  connectionId: string;
  /** The upstream's `sub` (or account id for OAuth 2.0). */
  subject: string;
  userId: string;
  hasTokens: boolean;
  createdAt: number;
  lastUsedAt: number;
}

export interface FederatedIdentityRepository {
  find(tenantId: TenantId, connectionId: string, subject: string): Promise<FederatedIdentity | null>;
  /** False when that upstream identity is linked already (to anyone). */
  create(identity: FederatedIdentity, tokens: string | null): Promise<boolean>;
  listForUser(tenantId: TenantId, userId: string): Promise<FederatedIdentity[]>;
  /** A sign-in through it: last use, and the fresh tokens when the connection keeps them. */
  touch(tenantId: TenantId, id: string, now: number, tokens: string | null): Promise<void>;
  /** The sealed-at-rest tokens, opened. */
  tokensOf(tenantId: TenantId, id: string): Promise<string | null>;
  delete(tenantId: TenantId, userId: string, id: string): Promise<boolean>;
}

export interface Store {
  tenants: TenantRepository;
  apps: ApplicationRepository;
  apiResources: ApiResourceRepository;
  rememberedGrants: RememberedGrantRepository;
  oidcGrants: OidcGrantRepository;
  users: UserRepository;
  passwords: PasswordRepository;
  sessions: SessionRepository;
  actionTokens: ActionTokenRepository;
  audit: AuditRepository;
  mailOutbox: MailOutboxRepository;
  adminTokens: AdminTokenRepository;
  signingKeys: SigningKeyRepository;
  totp: TotpRepository;
  signInFlows: SignInFlowRepository;
  recoveryCodes: RecoveryCodeRepository;
  passkeys: PasskeyRepository;
  webauthnChallenges: WebauthnChallengeRepository;
  emailSignIns: EmailSignInRepository;
  phones: PhoneCredentialRepository;
  smsCodes: SmsCodeRepository;
  smsOutbox: SmsOutboxRepository;
  trustedDevices: TrustedDeviceRepository;
  apiFlows: ApiFlowRepository;
  signInEvents: SignInEventRepository;
  riskEvents: RiskEventRepository;
  consent: ConsentRepository;
  authorization: AuthorizationRepository;
  organizations: OrganizationRepository;
  households: HouseholdRepository;
  connections: ConnectionRepository;
  federatedIdentities: FederatedIdentityRepository;
  samlAssertions: SamlAssertionRepository;
  /** Account and role writes, this process's and every other's (storage/access-changes.ts). */
  accessChanges: AccessChangeFeed;
  /** Runs `work` with repositories bound to one transaction; rolls back when it throws. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Other ports.

/** A data key wrapped (encrypted) by a master key; `keyId` names the master key that wrapped it. */
export interface WrappedKey {
  keyId: string;
  wrapped: string;
}

/**
 * Wraps and unwraps data keys with the master key (envelope encryption). The local adapter holds
 * the master key in memory; a cloud KMS adapter would call the KMS. `context` is bound to the
 * wrapped key: a wrapped key copied to another owner does not unwrap.
 */
export interface KeyProvider {
  /** Id of the master key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(key: Buffer, context: string): Promise<WrappedKey>;
  /** Throws when no master key it holds wrapped it, or the context differs. */
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time verification; `needsRehash` is true when the stored parameters are below policy. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Burns the same work as a verification, for unknown accounts (timing must not tell). */
  verifyDummy(password: string): Promise<void>;
}

/** A write that may make facts a node keeps for decisions wrong: one account's (status, profile, plan, roles) or, with `userId` null, a tenant's roles. */
export interface AccessChange {
  tenantId: TenantId;
  userId: string | null;
}

/**
 * The account and role writes storage records, for the caches of decisions: this process's once
 * committed (`here`), every other process's (other nodes, the CLI) read back from the database
 * within a poll. `'everything'`: more arrived than a poll lists, drop all.
 */
export interface AccessChangeFeed {
  onChange(listener: (change: AccessChange | 'everything', here: boolean) => void): void;
  /**
   * The same number for as long as the feed has read the database without a break, null while it
   * does not: an entry cached under the current number has had every change since delivered; any
   * other entry may have missed one.
   */
  coverage(): number | null;
}

/** Tells the other nodes that a tenant's (or one account's) cached entries changed (Redis pub/sub with REDIS_URL). */
export interface CacheInvalidationBus {
  /** `userId` null: the tenant's entries. */
  publish(tenantId: string, userId: string | null): void;
  /** Called for every other node's publish. */
  onPeerChange(handler: (tenantId: string, userId: string | null) => void): void;
  /** Resolves once this node receives messages. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window frees a slot (0 when allowed). */
  retryAfterSeconds: number;
  count: number;
}

export interface RateLimiter {
  /** Counts one hit on `key` in its window (fixed in memory, sliding in Redis) and tells whether it is still within `limit`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /** Reads without counting. */
  peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
  /**
   * Distinct members of `key` seen in the last `windowSeconds` (sliding), after adding `member`
   * when it is not null: how many accounts one address tried, how many addresses tried one account.
   */
  distinct(key: string, member: string | null, windowSeconds: number): Promise<number>;
}

export type MailTemplate =
  | 'verify_email'
  | 'reset_password'
  | 'password_changed'
  | 'account_exists'
  | 'reset_unknown_account'
  | 'recovery_code_used'
  | 'mfa_reset'
  | 'sign_in_method_changed'
  | 'sign_in_code'
  | 'new_device_sign_in'
  | 'sign_in_hold'
  | 'attack_alert'
  | 'account_deletion_scheduled'
  | 'inactive_account_warning'
  | 'confirm_email_change'
  | 'email_changed'
  | 'organization_invitation'
  | 'household_invitation';

/** What `sign_in_method_changed` tells the user (its `change` parameter). */
export type SignInMethodChange = 'passkey_added' | 'passkey_removed' | 'totp_enabled' | 'totp_disabled' | 'phone_added' | 'phone_removed' | 'phone_changed';

/** Tells a user that a way to sign in was added or removed (a mail, so a takeover does not go unnoticed). */
export type SignInMethodNotifier = (tenant: Tenant, user: User, change: SignInMethodChange, locale: string) => Promise<void>;

export interface MailRequest {
  tenant: Tenant;
  to: string;
  template: MailTemplate;
  locale: string;
  /** Template parameters, e.g. { link }. */
  params: Record<string, string>;
}

/** Sends a text message; throws when the message could not be handed over. */
export interface SmsSender {
  send(message: { tenantId: TenantId; to: string; text: string }): Promise<void>;
}

export interface Mailer {
  /** Queues the mail (never sends inline: timing must not tell whether an account exists). */
  queue(request: MailRequest): Promise<void>;
}
