// Request and response schemas of the admin API. The same TypeBox objects validate every request
// (unknown properties refused, every string bounded) and produce the OpenAPI 3.1 document.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { GRANT_TYPES } from '../../core/apps/app-admin.ts';
import { MIN_LENGTH_FLOOR, PASSWORD_MAX_CODE_POINTS } from '../../core/credentials/password-policy.ts';
import { TENANT_ID_PATTERN } from '../../core/tenants/tenant-admin.ts';
import { SIGNALS } from '../../core/risk/engine.ts';
import { DEFAULT_REQUEST_LIMITS, type EndpointGroup } from '../../core/risk/request-limits.ts';

/** The Fastify instance admin routes are registered on: TypeBox-typed requests. */
export type AdminApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** No C0/C1 control characters (NUL, newlines, escapes) in names, emails and search terms. */
export const NO_CONTROL_CHARACTERS = '^[^\\x00-\\x1F\\x7F-\\x9F]*$';
const OPAQUE = '^[A-Za-z0-9_-]*$';

export const closed = { additionalProperties: false } as const;

export const text = (maxLength: number, options: { minLength?: number; description?: string } = {}) =>
  Type.String({ maxLength, pattern: NO_CONTROL_CHARACTERS, ...options });
export const opaqueId = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: OPAQUE, description });
export const timestamp = (description: string) => Type.String({ format: 'date-time', description });
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const redirectUris = Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: NO_CONTROL_CHARACTERS }), { maxItems: 20 });
const profile = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100, description: 'Profile attributes, checked against the tenant’s profile schema (`GET …/profile-schema`).' });
const cursor = Type.String({ minLength: 1, maxLength: 512, pattern: OPAQUE, description: 'The `next_cursor` of the previous page.' });
const limit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size (1–200, default 50).' });

// ---------------------------------------------------------------------------------------------
// Shared

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Stable error code, e.g. `user.not_found`.' }),
    message: Type.String({ description: 'Human-readable text; may change, do not match on it.' }),
    field: Type.Optional(Type.String({ description: 'The input field the error is about.' })),
  },
  closed,
);

export const NoContent = Type.Null({ description: 'No content.' });

export const TenantParams = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 64, description: 'Tenant id (URL slug).' }) }, closed);
export const AppParams = Type.Object({ tenantId: TenantParams.properties.tenantId, appId: opaqueId('Application id (`app_…`).') }, closed);
export const UserParams = Type.Object({ tenantId: TenantParams.properties.tenantId, userId: opaqueId('User id (`usr_…`).') }, closed);
export const SessionParams = Type.Object(
  { tenantId: TenantParams.properties.tenantId, userId: UserParams.properties.userId, sessionId: opaqueId('Session id (`ses_…`).') },
  closed,
);

// ---------------------------------------------------------------------------------------------
// Tenants

const passwordLength = (description: string) => Type.Integer({ minimum: MIN_LENGTH_FLOOR, maximum: PASSWORD_MAX_CODE_POINTS, description });
const logoUrl = Type.String({ maxLength: 2000, pattern: '^https://[^\\x00-\\x20\\x7F-\\x9F]+$', description: 'https URL of the logo.' });
const primaryColor = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'CSS colour, #rrggbb.' });
const minLength = passwordLength('Minimum password length when the password is the only factor (default 15).');
const minLengthWithMfa = passwordLength('Minimum password length when the account has a second factor (default 8).');
const requireVerified = Type.Boolean({ description: 'Refuse sign-in until the email address is verified.' });
const mfaPolicy = Type.Enum(['off', 'optional', 'required', 'adaptive'], {
  description:
    'Second factor: off (not offered), optional (default: asked of users who set one up), required (every user sets one up at the next sign-in), adaptive (not asked at sign-in; asked when an app asks for more with acr_values, and before sensitive account actions).',
});
const passwords = Type.Boolean({ description: 'Passwords offered (default true). False: customers register with their address alone and sign in by passkey or a code by email; password sign-in, reset and change are off.' });
const authenticatorApp = Type.Boolean({ description: 'Authenticator apps (TOTP) offered as a second factor (default true).' });
const mfaNudge = Type.Integer({ minimum: 0, maximum: 1000, description: 'After this many sign-ins without a second factor, offer setting one up once (skippable); 0 = never (the default).' });

const rememberDeviceDays = Type.Integer({ minimum: 0, maximum: 365, description: 'Days a browser may skip the second factor after "Remember this device" (default 30; 0 turns the option off).' });
const smsSecondFactor = Type.Boolean({ description: 'Text-message codes offered as a second factor, when an SMS webhook is configured (default true).' });
const phoneDefaultCountry = Type.String({ pattern: '^[A-Z]{2}$', description: 'Country (ISO 3166-1 alpha-2) assumed for phone numbers typed without a country code.' });
const retentionDays = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: 3650, description }));
const retentionSettings = Type.Object(
  {
    unverified_account_days: retentionDays('Accounts never confirmed and never signed in to (sign-ups, and accounts created without a verified address) are deleted after this many days (default 30; 0 = keep).'),
    inactive_account_days: retentionDays('Accounts unused this long are deleted, after a warning mail (default 0 = never).'),
    inactive_warning_days: retentionDays('Days before that deletion the owner is mailed (default 14); signing in keeps the account.'),
    risk_event_days: retentionDays('Risk assessments are kept this many days (default 90).'),
    sign_in_history_days: retentionDays("Each account's sign-in history (devices, places) is kept this many days (default 180)."),
    audit_event_days: retentionDays('Audit rows are kept this many days (default 0 = kept): the oldest part of the chain is removed, and a signed checkpoint vouches for where it now begins.'),
  },
  { ...closed, description: 'How long what is kept about customers is kept; left out: the default. Applied hourly by every node.' },
);
const roleNameRef = Type.String({ maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.:-]{0,63}$', description: 'A role name of this tenant.' });
const defaultRoles = Type.Array(roleNameRef, { maxItems: 50, uniqueItems: true, description: 'Roles every new account gets (e.g. `customer`).' });
const bound = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description }));
const householdLimits = Type.Object(
  {
    max_members: bound('Adult members besides the owner (default 5).'),
    max_profiles: bound("Profiles in all, every member's own and the managed ones (default 6)."),
    max_devices: bound('Devices (browsers) registered to the household; left out: no bound.'),
    max_concurrent_sessions: bound("Members' sessions signed in at once; left out: no bound. The next sign-in is offered to sign out another device."),
  },
  { ...closed, description: 'A user on this plan may own a household (shared account) within these bounds.' },
);
const plans = Type.Record(
  Type.String({ maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
  Type.Object({ roles: Type.Optional(Type.Array(roleNameRef, { maxItems: 50, uniqueItems: true })), household: Type.Optional(householdLimits) }, closed),
  {
    maxProperties: 50,
    description: "Subscription plans by key (e.g. `premium`): a user on a plan (`PUT …/users/{id}/plan`) holds its roles, and may own a household when the plan has one.",
  },
);
const accountDeletionGraceDays = Type.Integer({ minimum: 0, maximum: 90, description: 'Days between a customer deleting their account and its erasure, during which a mailed link keeps it; 0 (the default) erases at once.' });
const recentAuthMinutes = Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes a sign-in counts as recent for sensitive account actions (adding or removing a passkey or phone, setting up an authenticator app); default 5.' });
const emailSignInOffered = Type.Boolean({ description: 'Sign-in by a one-time code and magic link sent by email offered (default true).' });
const passkeysOffered = Type.Boolean({ description: 'Passkeys offered: sign-in button and autofill, account page, second factor (default true).' });
const passkeyRpId = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$',
  description: 'WebAuthn relying party id: a host name equal to, or a registrable suffix of, the host of every passkey origin (default: the host of the base URL).',
});
const passkeyOrigins = Type.Array(Type.String({ maxLength: 300, pattern: '^https?://[^/\\s]+$', description: 'An origin, e.g. https://id.example.com' }), {
  minItems: 1,
  maxItems: 20,
  uniqueItems: true,
  description: 'Origins allowed to answer WebAuthn ceremonies (default: the origin of the base URL).',
});
const aaguidList = (description: string) =>
  Type.Array(Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }), { maxItems: 500, uniqueItems: true, description });
const aaguidAllow = aaguidList('Only authenticator models (AAGUIDs) on this list may register a passkey. Without attestation trust the AAGUID is what the authenticator declares.');
const aaguidDeny = aaguidList('Authenticator models (AAGUIDs) that may not register a passkey.');

const riskList = (items: ReturnType<typeof Type.String>, description: string) => Type.Array(items, { maxItems: 500, uniqueItems: true, description });
const cidr = Type.String({ minLength: 2, maxLength: 49, pattern: '^[0-9A-Fa-f:.]+(?:/\\d{1,3})?$', description: 'An IP address or CIDR range, e.g. 203.0.113.0/24 or 2001:db8::/32' });
const countryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });
const riskSettings = Type.Object(
  {
    weights: Type.Optional(
      Type.Record(Type.String({ pattern: `^(?:${SIGNALS.map((s) => s.name).join('|')})$` }), Type.Integer({ minimum: 0, maximum: 100 }), {
        additionalProperties: false,
        description: `Points per signal at full strength (0–100), by signal name (${SIGNALS.map((s) => s.name).join(', ')}); left out: the default.`,
      }),
    ),
    thresholds: Type.Optional(
      Type.Object(
        {
          challenge: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Score at and above which an attempt is challenged (default 40).' })),
          deny: Type.Optional(Type.Integer({ minimum: 1, maximum: 101, description: 'Score at and above which an attempt that already failed the bot challenge is refused (default 90; 101 = never).' })),
        },
        closed,
      ),
    ),
    notify_new_device: Type.Optional(Type.Boolean({ description: 'Mail the user after a sign-in from a device the account had not used (default true).' })),
    disposable_email: Type.Optional(Type.Enum(['challenge', 'refuse'], { description: 'Registrations at a disposable email provider: `challenge` (default: the signal counts toward the bot challenge) or `refuse`.' })),
    ip_allow: Type.Optional(riskList(cidr, 'Addresses never challenged or refused (signals are still recorded).')),
    ip_deny: Type.Optional(riskList(cidr, 'Addresses always refused.')),
    country_allow: Type.Optional(riskList(countryCode, 'Countries never challenged or refused, by IP geolocation.')),
    country_deny: Type.Optional(riskList(countryCode, 'Countries always refused, by IP geolocation.')),
    alert_emails: Type.Optional(
      Type.Array(text(320, { minLength: 3 }), { maxItems: 20, uniqueItems: true, description: 'Addresses mailed when an attack is seen: credential stuffing from one source, a tenant-wide failure spike (each at most once an hour), an account put on hold after 100 failures.' }),
    ),
  },
  { ...closed, description: 'The risk engine: signal weights, thresholds, new-device mail, allow and deny lists, who is alerted to attacks. Replaced as a whole by PATCH.' },
);

const requestLimitTable = (whose: string, defaults: Record<EndpointGroup, number>) => {
  const field = (group: EndpointGroup) =>
    Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, description: `Requests per minute to the ${group} endpoints ${whose}; 0 = no limit (default ${defaults[group] || 'none'}).` }));
  return Type.Object(
    {
      token: field('token'),
      authorization: field('authorization'),
      userinfo: field('userinfo'),
      introspection: field('introspection'),
      oidc: field('oidc'),
      api: field('api'),
      pages: field('pages'),
    } satisfies Record<EndpointGroup, unknown>,
    closed,
  );
};
const rateLimitSettings = Type.Object(
  {
    per_address: Type.Optional(requestLimitTable('from one client address', DEFAULT_REQUEST_LIMITS.perAddress)),
    per_tenant: Type.Optional(requestLimitTable('of this tenant as a whole', DEFAULT_REQUEST_LIMITS.perTenant)),
  },
  {
    ...closed,
    description:
      'Requests per minute (sliding window, shared across nodes with Redis) by endpoint group: token (/oidc/token), authorization (/oidc/auth, PAR, device authorization), userinfo, introspection (introspection and revocation), oidc (the other OIDC endpoints), api (/api/…), pages (hosted pages). Past a limit: 429 with Retry-After. Left out: the default.',
  },
);

export const TenantBranding = Type.Object({ logo_url: Type.Optional(logoUrl), primary_color: Type.Optional(primaryColor) }, closed);
export const TenantSettings = Type.Object(
  {
    password_min_length: Type.Optional(minLength),
    password_min_length_with_mfa: Type.Optional(minLengthWithMfa),
    require_verified_email: Type.Optional(requireVerified),
    mfa: Type.Optional(mfaPolicy),
    passwords: Type.Optional(passwords),
    authenticator_app: Type.Optional(authenticatorApp),
    mfa_nudge_after_sign_ins: Type.Optional(mfaNudge),
    remember_device_days: Type.Optional(rememberDeviceDays),
    recent_auth_minutes: Type.Optional(recentAuthMinutes),
    account_deletion_grace_days: Type.Optional(accountDeletionGraceDays),
    default_roles: Type.Optional(defaultRoles),
    plans: Type.Optional(plans),
    retention: Type.Optional(retentionSettings),
    sms_second_factor: Type.Optional(smsSecondFactor),
    phone_default_country: Type.Optional(phoneDefaultCountry),
    email_sign_in: Type.Optional(emailSignInOffered),
    passkeys: Type.Optional(passkeysOffered),
    passkey_rp_id: Type.Optional(passkeyRpId),
    passkey_origins: Type.Optional(passkeyOrigins),
    passkey_aaguid_allow: Type.Optional(aaguidAllow),
    passkey_aaguid_deny: Type.Optional(aaguidDeny),
    risk: Type.Optional(riskSettings),
    rate_limits: Type.Optional(rateLimitSettings),
  },
  closed,
);

export const Tenant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    branding: TenantBranding,
    settings: TenantSettings,
    created_at: timestamp('When the tenant was created.'),
    updated_at: timestamp('When the tenant was last changed.'),
  },
  closed,
);

export const CreateTenantBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 40, pattern: TENANT_ID_PATTERN.source, description: 'URL slug: 1–40 of a-z, 0-9 and -.' }),
    name: Type.Optional(text(100, { description: 'Display name; defaults to the id.' })),
    branding: Type.Optional(TenantBranding),
    settings: Type.Optional(TenantSettings),
  },
  closed,
);

/** PATCH merges into the stored branding and settings (JSON merge patch: null removes a key). */
export const UpdateTenantBody = Type.Object(
  {
    name: Type.Optional(text(100, { minLength: 1 })),
    branding: Type.Optional(Type.Object({ logo_url: Type.Optional(nullable(logoUrl)), primary_color: Type.Optional(nullable(primaryColor)) }, closed)),
    settings: Type.Optional(
      Type.Object(
        {
          password_min_length: Type.Optional(nullable(minLength)),
          password_min_length_with_mfa: Type.Optional(nullable(minLengthWithMfa)),
          require_verified_email: Type.Optional(nullable(requireVerified)),
          mfa: Type.Optional(nullable(mfaPolicy)),
          passwords: Type.Optional(nullable(passwords)),
          authenticator_app: Type.Optional(nullable(authenticatorApp)),
          mfa_nudge_after_sign_ins: Type.Optional(nullable(mfaNudge)),
          remember_device_days: Type.Optional(nullable(rememberDeviceDays)),
          recent_auth_minutes: Type.Optional(nullable(recentAuthMinutes)),
          account_deletion_grace_days: Type.Optional(nullable(accountDeletionGraceDays)),
          default_roles: Type.Optional(nullable(defaultRoles)),
          plans: Type.Optional(nullable(plans)),
          retention: Type.Optional(nullable(retentionSettings)),
          sms_second_factor: Type.Optional(nullable(smsSecondFactor)),
          phone_default_country: Type.Optional(nullable(phoneDefaultCountry)),
          email_sign_in: Type.Optional(nullable(emailSignInOffered)),
          passkeys: Type.Optional(nullable(passkeysOffered)),
          passkey_rp_id: Type.Optional(nullable(passkeyRpId)),
          passkey_origins: Type.Optional(nullable(passkeyOrigins)),
          passkey_aaguid_allow: Type.Optional(nullable(aaguidAllow)),
          passkey_aaguid_deny: Type.Optional(nullable(aaguidDeny)),
          risk: Type.Optional(nullable(riskSettings)),
          rate_limits: Type.Optional(nullable(rateLimitSettings)),
        },
        closed,
      ),
    ),
  },
  { ...closed, minProperties: 1 },
);

export const TenantList = Type.Object({ items: Type.Array(Tenant) }, closed);

// ---------------------------------------------------------------------------------------------
// Applications

const absoluteUri = (description: string) => Type.String({ minLength: 1, maxLength: 2000, pattern: NO_CONTROL_CHARACTERS, description });
const scopeName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$' });
const authMethod = Type.Enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'], {
  description: 'Token endpoint authentication (default: client_secret_basic; none for public apps).',
});
const signingAlg = Type.Enum(['ES256', 'EdDSA', 'RS256'], { description: 'ID token signing algorithm (default ES256).' });
const publicJwks = Type.Object(
  { keys: Type.Array(Type.Record(Type.String({ maxLength: 20 }), Type.Unknown(), { maxProperties: 30 }), { minItems: 1, maxItems: 10 }) },
  { ...closed, description: 'Public keys (JWK Set) for private_key_jwt.' },
);
const subjectType = Type.Enum(['public', 'pairwise'], { description: '`pairwise`: this app gets its own `sub` per user (default public).' });
const clientCredentialsScopes = Type.Record(absoluteUri('API resource identifier.'), Type.Array(scopeName, { maxItems: 100 }), {
  maxProperties: 50,
  description: 'API resource identifier → the scopes this app may get with client_credentials. No entry: no token for that API.',
});

const accessTokenClaims = Type.Array(Type.Enum(['roles', 'permissions']), {
  maxItems: 2,
  uniqueItems: true,
  description: "Claims this app's access tokens for an API carry besides `scope`: `roles` (the user's role names) and `permissions` (theirs for that API). Default none.",
});

const applicationProperties = {
  id: Type.String({ description: 'Application id (`app_…`), used in admin URLs.' }),
  client_id: Type.String({ description: 'OAuth 2.0 client_id.' }),
  name: Type.String(),
  public: Type.Boolean({ description: 'Public clients (SPAs, native apps) have no secret.' }),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  first_party: Type.Boolean(),
  token_endpoint_auth_method: authMethod,
  id_token_signed_response_alg: signingAlg,
  subject_type: subjectType,
  jwks: nullable(publicJwks),
  backchannel_logout_uri: nullable(Type.String()),
  frontchannel_logout_uri: nullable(Type.String()),
  client_credentials_scopes: clientCredentialsScopes,
  access_token_claims: accessTokenClaims,
  has_secret: Type.Boolean({ description: 'Whether a client secret is set (it is never shown again).' }),
  previous_secret_expires_at: nullable(timestamp('Until when the secret before the last rotation still works.')),
  created_at: timestamp('When the application was created.'),
  updated_at: timestamp('When the application was last changed.'),
};

export const Application = Type.Object(applicationProperties, closed);
export const CreatedApplication = Type.Object(
  { ...applicationProperties, client_secret: nullable(Type.String({ description: 'Shown once, now; null for public clients and private_key_jwt.' })) },
  closed,
);
export const ApplicationWithSecret = Type.Object({ ...applicationProperties, client_secret: Type.String({ description: 'The new secret; shown once, now.' }) }, closed);
export const ApplicationList = Type.Object({ items: Type.Array(Application) }, closed);

const oidcSettingsProperties = {
  token_endpoint_auth_method: Type.Optional(authMethod),
  id_token_signed_response_alg: Type.Optional(signingAlg),
  subject_type: Type.Optional(subjectType),
  jwks: Type.Optional(publicJwks),
  backchannel_logout_uri: Type.Optional(absoluteUri('Called with a logout token when the user signs out (OIDC Back-Channel Logout).')),
  frontchannel_logout_uri: Type.Optional(absoluteUri('Loaded in a hidden frame when the user signs out (OIDC Front-Channel Logout).')),
  client_credentials_scopes: Type.Optional(clientCredentialsScopes),
  access_token_claims: Type.Optional(accessTokenClaims),
};

export const CreateApplicationBody = Type.Object(
  {
    name: text(100, { minLength: 1 }),
    redirect_uris: redirectUris,
    post_logout_redirect_uris: Type.Optional(redirectUris),
    grant_types: Type.Optional(Type.Array(Type.Enum([...GRANT_TYPES]), { maxItems: GRANT_TYPES.length, description: 'Default: authorization_code, refresh_token.' })),
    public: Type.Optional(Type.Boolean({ description: 'No client secret (default false).' })),
    first_party: Type.Optional(Type.Boolean({ description: 'First-party apps may skip consent (default true).' })),
    client_id: Type.Optional(Type.String({ minLength: 3, maxLength: 64, pattern: OPAQUE, description: 'A chosen client id (default: random).' })),
    ...oidcSettingsProperties,
  },
  closed,
);

const clearable = <T extends TSchema>(schema: T) => Type.Optional(nullable(schema));
export const UpdateApplicationBody = Type.Object(
  {
    name: Type.Optional(text(100, { minLength: 1 })),
    redirect_uris: Type.Optional(redirectUris),
    post_logout_redirect_uris: Type.Optional(redirectUris),
    grant_types: Type.Optional(Type.Array(Type.Enum([...GRANT_TYPES]), { minItems: 1, maxItems: GRANT_TYPES.length })),
    first_party: Type.Optional(Type.Boolean()),
    token_endpoint_auth_method: clearable(authMethod),
    id_token_signed_response_alg: clearable(signingAlg),
    subject_type: clearable(subjectType),
    jwks: clearable(publicJwks),
    backchannel_logout_uri: clearable(absoluteUri('')),
    frontchannel_logout_uri: clearable(absoluteUri('')),
    client_credentials_scopes: clearable(clientCredentialsScopes),
    access_token_claims: clearable(accessTokenClaims),
  },
  { ...closed, minProperties: 1, description: 'Given fields replace the current ones; null sets an OIDC setting back to its default.' },
);

export const RotateSecretBody = Type.Object(
  {
    overlap_seconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600, description: 'How long the current secret keeps working (default 86400; 0 ends it now).' }),
    ),
  },
  closed,
);

// ---------------------------------------------------------------------------------------------
// API resources

export const ApiResourceParams = Type.Object({ tenantId: TenantParams.properties.tenantId, resourceId: opaqueId('API resource id (`api_…`).') }, closed);
const resourceScopes = Type.Array(Type.Object({ name: scopeName, description: Type.Optional(text(200)) }, closed), { maxItems: 100 });
const tokenFormat = Type.Enum(['jwt', 'opaque'], { description: '`jwt` (RFC 9068, verifiable offline; default) or `opaque` (introspect to check).' });
const tokenTtl = Type.Integer({ minimum: 60, maximum: 24 * 3600, description: 'Access token lifetime in seconds (default 600).' });

export const ApiResource = Type.Object(
  {
    id: Type.String(),
    identifier: Type.String({ description: 'The resource indicator (RFC 8707) apps send, and the `aud` of its tokens.' }),
    name: Type.String(),
    scopes: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }, closed)),
    access_token_format: tokenFormat,
    access_token_ttl_seconds: Type.Integer(),
    created_at: timestamp('When the resource was created.'),
    updated_at: timestamp('When the resource was last changed.'),
  },
  closed,
);
export const ApiResourceList = Type.Object({ items: Type.Array(ApiResource) }, closed);
export const CreateApiResourceBody = Type.Object(
  {
    identifier: absoluteUri('Absolute URI naming the API, e.g. https://api.example.com/orders. Cannot change later.'),
    name: text(100, { minLength: 1 }),
    scopes: Type.Optional(resourceScopes),
    access_token_format: Type.Optional(tokenFormat),
    access_token_ttl_seconds: Type.Optional(tokenTtl),
  },
  closed,
);
export const UpdateApiResourceBody = Type.Object(
  {
    name: Type.Optional(text(100, { minLength: 1 })),
    scopes: Type.Optional(resourceScopes),
    access_token_format: Type.Optional(tokenFormat),
    access_token_ttl_seconds: Type.Optional(tokenTtl),
  },
  { ...closed, minProperties: 1 },
);

// ---------------------------------------------------------------------------------------------
// Users

const userStatus = Type.Enum(['active', 'disabled', 'pending']);

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    status: userStatus,
    profile,
    created_at: timestamp('When the user was created.'),
    updated_at: timestamp('When the user was last changed.'),
    last_login_at: nullable(timestamp('Last successful sign-in.')),
  },
  closed,
);

export const UserPage = Type.Object({ items: Type.Array(User), next_cursor: nullable(Type.String()) }, closed);

export const UserListQuery = Type.Object(
  {
    email: Type.Optional(text(254, { minLength: 1, description: 'Only the user with this address (case-insensitive). Addresses are stored encrypted, so only a whole address can be searched for.' })),
    status: Type.Optional(userStatus),
    limit: Type.Optional(limit),
    cursor: Type.Optional(cursor),
  },
  closed,
);

export const CreateUserBody = Type.Object(
  {
    email: text(320, { minLength: 1 }),
    // Bounded far above any acceptable password, so the policy (not the schema) answers password.too_long.
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'Optional initial password; checked against the password policy.' })),
    email_verified: Type.Optional(Type.Boolean({ description: 'Mark the address verified (the user becomes active).' })),
    profile: Type.Optional(profile),
  },
  closed,
);

export const UpdateUserBody = Type.Object(
  {
    profile: Type.Optional(profile),
    email_verified: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.Enum(['active', 'disabled'], { description: 'Disabling ends every session of the user.' })),
  },
  { ...closed, minProperties: 1 },
);

export const Session = Type.Object(
  {
    id: Type.String(),
    created_at: timestamp('When the session started.'),
    last_seen_at: timestamp('Last activity (updated at most once a minute).'),
    ip: nullable(Type.String()),
    user_agent: nullable(Type.String()),
  },
  closed,
);
export const SessionList = Type.Object({ items: Type.Array(Session) }, closed);
export const MfaReset = Type.Object({ removed: Type.Boolean({ description: 'Whether the user had a second factor.' }) }, closed);
export const RevokedSessions = Type.Object({ revoked: Type.Integer({ description: 'How many sessions were ended.' }) }, closed);

// ---------------------------------------------------------------------------------------------
// Audit

export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    at: timestamp('When it happened (UTC).'),
    actor: Type.String({ description: '`user:<id>`, `admin:<token id>`, `cli`, `system` or `anonymous`.' }),
    subject: nullable(Type.String()),
    action: Type.String(),
    result: Type.Enum(['success', 'failure']),
    reason: nullable(Type.String()),
    ip: nullable(Type.String()),
    user_agent: nullable(Type.String()),
    request_id: nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  closed,
);

export const AuditPage = Type.Object({ items: Type.Array(AuditEvent), next_cursor: nullable(Type.String()) }, closed);

export const AuditQuery = Type.Object(
  {
    subject: Type.Optional(text(200, { minLength: 1, description: 'Events about this subject (usually a user id).' })),
    action: Type.Optional(text(100, { minLength: 1, description: 'Events of this action, e.g. `admin.user_created`.' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; events at or after.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; events before.' })),
    limit: Type.Optional(limit),
    cursor: Type.Optional(cursor),
  },
  closed,
);

export const RiskEvent = Type.Object(
  {
    id: Type.String(),
    at: timestamp('When the attempt was assessed (UTC).'),
    user_id: nullable(Type.String({ description: 'The account, once the credential proved who it is (null before: the source is judged without naming anyone).' })),
    kind: Type.String({ description: '`sign_in`, `registration`, `recovery`, `verification_resend`, `sensitive_action` or `token_refresh`.' }),
    stage: Type.Enum(['before', 'after'], { description: '`before` the credential was checked (the source), or `after` (who it is).' }),
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    level: Type.Enum(['low', 'medium', 'high']),
    action: Type.Enum(['allow', 'notify', 'challenge', 'deny'], { description: 'What was done: let through, let through and told the user, asked for a bot challenge or a second proof, refused.' }),
    reasons: Type.Array(
      Type.Object({ signal: Type.String(), points: Type.Integer({ minimum: 0, maximum: 100 }), reason: Type.String({ description: 'Why, in words for the admin and support.' }) }, closed),
      { description: 'Each signal that fired, with the points it added; strongest first.' },
    ),
    ip: nullable(Type.String()),
    country: nullable(Type.String({ description: 'By offline IP geolocation (DB-IP Lite, CC BY 4.0).' })),
    request_id: nullable(Type.String({ description: 'Links to the audit events of the same request (their `request_id`); the audit event of a sign-in also names this event in `details.riskEventId`.' })),
  },
  closed,
);

export const RiskEventPage = Type.Object({ items: Type.Array(RiskEvent), next_cursor: nullable(Type.String()) }, closed);

export const RiskEventQuery = Type.Object(
  {
    user_id: Type.Optional(text(200, { minLength: 1, description: 'Assessments of this account.' })),
    action: Type.Optional(Type.Enum(['allow', 'notify', 'challenge', 'deny'])),
    kind: Type.Optional(text(40, { minLength: 1 })),
    min_score: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Only assessments scoring at least this.' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; at or after.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; before.' })),
    limit: Type.Optional(limit),
    cursor: Type.Optional(cursor),
  },
  closed,
);

// ---------------------------------------------------------------------------------------------
// Bootstrap

export const BootstrapBody = Type.Object(
  {
    setup_token: Type.String({ minLength: 1, maxLength: 128, pattern: OPAQUE, description: 'From `frontdoor admin bootstrap`; single use, expires after an hour.' }),
    name: Type.Optional(text(100, { minLength: 1, description: 'Label of the admin token.' })),
  },
  closed,
);
export const BootstrapResponse = Type.Object({ token: Type.String({ description: 'Admin bearer token; shown once.' }) }, closed);

/** Error responses every authenticated route can give. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([401, 403, ...statuses].map((status) => [status, ErrorResponse]));
}

// ---- consent ----------------------------------------------------------------------------------

// Policy texts are prose: line breaks and tabs allowed, other control characters not.
const prose = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$', description });
const purposeId = Type.String({ maxLength: 40, pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Purpose id: lower-case letters, digits and `_`, e.g. `marketing_email`. Cannot change later.' });

export const ConsentPurposeParams = Type.Object({ tenantId: TenantParams.properties.tenantId, purposeId }, closed);

export const ConsentPurpose = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String({ description: 'What the customer is asked, next to the checkbox (current version).' }),
    policy_text: Type.String({ description: 'The full policy the customer agrees to (current version).' }),
    version: Type.Integer({ description: 'Current policy version, from 1.' }),
    ask_again_from: Type.Integer({ description: 'Grants of versions before this one no longer count: those customers are asked again.' }),
    archived: Type.Boolean({ description: 'No longer offered; its records stay.' }),
    created_at: timestamp('When the purpose was created.'),
    updated_at: timestamp('Last change.'),
  },
  closed,
);
export const ConsentPurposeList = Type.Object({ items: Type.Array(ConsentPurpose) }, closed);

export const CreateConsentPurposeBody = Type.Object(
  {
    id: purposeId,
    name: text(100, { minLength: 1 }),
    description: prose(500, 'What the customer is asked, shown next to the checkbox.'),
    policy_text: prose(20_000, 'The full policy text of version 1.'),
  },
  closed,
);

export const UpdateConsentPurposeBody = Type.Object(
  {
    name: Type.Optional(text(100, { minLength: 1 })),
    archived: Type.Optional(Type.Boolean()),
    policy: Type.Optional(
      Type.Object(
        {
          description: prose(500, 'What the customer is asked in the new version.'),
          policy_text: prose(20_000, 'The new policy text.'),
          ask_again: Type.Boolean({ description: 'true: grants of earlier versions stop counting and customers are asked again; false: they carry over.' }),
        },
        { ...closed, description: 'Publishes the next policy version.' },
      ),
    ),
  },
  closed,
);

export const ConsentPolicyVersionList = Type.Object(
  { items: Type.Array(Type.Object({ version: Type.Integer(), description: Type.String(), policy_text: Type.String(), created_at: timestamp('When this version was published.') }, closed)) },
  closed,
);

const consentChannel = Type.Enum(['registration', 'account', 'sign_in', 'api', 'import'], { description: 'Where the choice was made (`sign_in`: asked again after a sign-in because the policy changed).' });

export const ConsentRecordWire = Type.Object(
  {
    id: Type.String(),
    purpose: Type.String(),
    policy_version: Type.Integer(),
    granted: Type.Boolean(),
    at: timestamp('When the choice was made.'),
    channel: consentChannel,
    request_id: nullable(Type.String()),
    ip: nullable(Type.String()),
    user_agent: nullable(Type.String()),
  },
  closed,
);

export const UserConsents = Type.Object(
  {
    current: Type.Array(
      Type.Object(
        {
          purpose: Type.String(),
          granted: Type.Boolean({ description: 'The customer agrees to the purpose now (to a version the tenant still accepts).' }),
          ask_again: Type.Boolean({ description: 'The customer agreed to an earlier version that no longer counts.' }),
          policy_version: nullable(Type.Integer({ description: 'The version of their latest choice.' })),
          since: nullable(timestamp('When they made their latest choice.')),
        },
        closed,
      ),
    ),
    history: Type.Array(ConsentRecordWire, { description: 'Every record, oldest first. Records are never changed.' }),
  },
  closed,
);

export const RecordConsentsBody = Type.Object(
  {
    choices: Type.Record(purposeId, Type.Boolean(), { description: 'Purpose id → granted. Only changes are recorded.', maxProperties: 50 }),
    channel: Type.Optional(Type.Enum(['api', 'import'], { description: '`import` for choices collected before Frontdoor; default `api`.' })),
  },
  closed,
);

// ---------------------------------------------------------------------------------------------
// Profile schema

const attributeName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'Attribute name: lower case, digits and `_`; the OIDC claim name where one exists.' });

export const ProfileAttribute = Type.Object(
  {
    type: Type.Enum(['string', 'integer', 'number', 'boolean']),
    title: Type.Optional(text(100, { minLength: 1, description: 'The label on the account and registration pages.' })),
    description: Type.Optional(text(300, { description: 'A hint under the label.' })),
    format: Type.Optional(Type.Enum(['date', 'email', 'uri'], { description: 'Strings only.' })),
    enum: Type.Optional(Type.Array(text(100, { minLength: 1 }), { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Strings only: the allowed values, offered as a list.' })),
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 2000 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    'x-frontdoor-collect': Type.Optional(Type.Enum(['registration', 'later'], { description: 'Asked on the registration page, or kept and edited later (default). Attributes in `required` are always asked at registration.' })),
    'x-frontdoor-editable': Type.Optional(Type.Boolean({ description: 'The customer may change it on the account page (default true).' })),
    'x-frontdoor-sensitive': Type.Optional(Type.Boolean({ description: 'Changing it needs a recent sign-in (default false).' })),
  },
  closed,
);

export const ProfileSchemaBody = Type.Object(
  {
    type: Type.Enum(['object']),
    // A record's keys are checked by pattern only when nothing else may stand beside them.
    properties: Type.Record(attributeName, ProfileAttribute, { maxProperties: 100, additionalProperties: false }),
    required: Type.Optional(Type.Array(attributeName, { maxItems: 100, uniqueItems: true, description: 'Attributes registration must ask for (keep it short: the address alone is the default).' })),
    additionalProperties: Type.Optional(Type.Literal(false, { description: 'Always false: attributes not listed are refused.' })),
  },
  { ...closed, description: 'A JSON Schema of the profile: one property per attribute, with Frontdoor’s `x-frontdoor-*` keywords.' },
);

export const ProfileRuleWire = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'A name for the rule; a skipped rule is remembered by it.' }),
    ask: Type.Array(attributeName, { minItems: 1, maxItems: 10, uniqueItems: true, description: 'Attributes to ask for (those the profile lacks), editable ones of the profile schema.' }),
    after_sign_ins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Once the account has signed in this many times.' })),
    client_id: Type.Optional(text(200, { minLength: 1, description: 'When this app asks for a sign-in.' })),
    scope: Type.Optional(text(100, { minLength: 1, description: 'When an app asks for this scope, e.g. `address`.' })),
    required: Type.Optional(Type.Boolean({ description: 'Not skippable: the sign-in into the app waits for the answer (default false).' })),
  },
  closed,
);

export const ProfileRulesBody = Type.Object({ rules: Type.Array(ProfileRuleWire, { maxItems: 50 }) }, closed);
