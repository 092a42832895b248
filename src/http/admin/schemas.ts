// Request and response schemas of the admin API. The same TypeBox objects validate every request
// (unknown properties refused, every string bounded) and produce the OpenAPI 3.1 document.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { GRANT_TYPES } from '../../core/apps/app-admin.ts';
import { MIN_LENGTH_FLOOR, PASSWORD_MAX_CODE_POINTS } from '../../core/credentials/password-policy.ts';
import { TENANT_ID_PATTERN } from '../../core/tenants/tenant-admin.ts';

/** The Fastify instance admin routes are registered on: TypeBox-typed requests. */
export type AdminApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** No C0/C1 control characters (NUL, newlines, escapes) in names, emails and search terms. */
export const NO_CONTROL_CHARACTERS = '^[^\\x00-\\x1F\\x7F-\\x9F]*$';
const OPAQUE = '^[A-Za-z0-9_-]*$';

const closed = { additionalProperties: false } as const;

export const text = (maxLength: number, options: { minLength?: number; description?: string } = {}) =>
  Type.String({ maxLength, pattern: NO_CONTROL_CHARACTERS, ...options });
const opaqueId = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: OPAQUE, description });
const timestamp = (description: string) => Type.String({ format: 'date-time', description });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const redirectUris = Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: NO_CONTROL_CHARACTERS }), { maxItems: 20 });
const profile = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100, description: 'Free-form profile attributes.' });
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

export const TenantBranding = Type.Object({ logo_url: Type.Optional(logoUrl), primary_color: Type.Optional(primaryColor) }, closed);
export const TenantSettings = Type.Object(
  {
    password_min_length: Type.Optional(minLength),
    password_min_length_with_mfa: Type.Optional(minLengthWithMfa),
    require_verified_email: Type.Optional(requireVerified),
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

const applicationProperties = {
  id: Type.String({ description: 'Application id (`app_…`), used in admin URLs.' }),
  client_id: Type.String({ description: 'OAuth 2.0 client_id.' }),
  name: Type.String(),
  public: Type.Boolean({ description: 'Public clients (SPAs, native apps) have no secret.' }),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  first_party: Type.Boolean(),
  created_at: timestamp('When the application was created.'),
  updated_at: timestamp('When the application was last changed.'),
};

export const Application = Type.Object(applicationProperties, closed);
export const CreatedApplication = Type.Object(
  { ...applicationProperties, client_secret: nullable(Type.String({ description: 'Shown once, now; null for public clients.' })) },
  closed,
);
export const ApplicationList = Type.Object({ items: Type.Array(Application) }, closed);

export const CreateApplicationBody = Type.Object(
  {
    name: text(100, { minLength: 1 }),
    redirect_uris: redirectUris,
    post_logout_redirect_uris: Type.Optional(redirectUris),
    grant_types: Type.Optional(Type.Array(Type.Enum([...GRANT_TYPES]), { maxItems: GRANT_TYPES.length, description: 'Default: authorization_code, refresh_token.' })),
    public: Type.Optional(Type.Boolean({ description: 'No client secret (default false).' })),
    first_party: Type.Optional(Type.Boolean({ description: 'First-party apps may skip consent (default true).' })),
  },
  closed,
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
    email_prefix: Type.Optional(text(254, { minLength: 1, description: 'Emails starting with this (case-insensitive).' })),
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
