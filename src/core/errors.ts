// One error class for the whole domain. The code is stable: HTTP maps it once, pages use it as
// the i18n key, tests assert on it. `detail` and `cause` are for logs only, never for responses.

export type ErrorCode =
  | 'request.invalid'
  | 'request.too_large'
  | 'request.unsupported_media_type'
  | 'request.not_found'
  | 'request.csrf'
  | 'rate_limited'
  | 'server.busy'
  | 'server.error'
  | 'auth.unauthorized'
  | 'auth.forbidden'
  | 'auth.invalid_credentials'
  | 'auth.account_disabled'
  | 'auth.email_not_verified'
  | 'session.required'
  | 'email.invalid'
  | 'password.too_short'
  | 'password.too_long'
  | 'password.common'
  | 'password.contains_email'
  | 'password.mismatch'
  | 'token.invalid'
  | 'tenant.not_found'
  | 'tenant.exists'
  | 'app.not_found'
  | 'resource.not_found'
  | 'resource.exists'
  | 'consent.purpose_not_found'
  | 'consent.purpose_exists'
  | 'interaction.invalid'
  | 'user.not_found'
  | 'user.exists'
  | 'session.not_found'
  | 'admin.setup_token_invalid'
  | 'config.invalid'
  | 'mfa.invalid_code'
  | 'mfa.already_enrolled'
  | 'mfa.no_pending_enrollment'
  | 'mfa.flow_expired'
  | 'mfa.required_by_policy'
  | 'passkey.failed'
  | 'passkey.unknown_credential'
  | 'passkey.not_allowed'
  | 'passkey.exists'
  | 'passkey.not_found'
  | 'passkey.disabled'
  | 'email_code.invalid'
  | 'email_code.expired'
  | 'email_sign_in.disabled'
  | 'phone.invalid'
  | 'phone.unchanged'
  | 'sms.unavailable'
  | 'mfa.passkey_required'
  | 'mfa.enrollment_required'
  | 'password.disabled'
  | 'risk.denied'
  | 'risk.challenge'
  | 'auth.password_reset_required'
  | 'email.disposable'
  | 'profile.invalid'
  | 'profile.unknown_attribute'
  | 'profile.schema_invalid'
  | 'role.not_found'
  | 'role.exists'
  | 'group.not_found'
  | 'group.exists'
  | 'organization.not_found'
  | 'organization.member_not_found'
  | 'organization.last_owner'
  | 'organization.invitation_other_address'
  | 'household.not_found'
  | 'household.plan_required'
  | 'household.already_member'
  | 'household.member_not_found'
  | 'household.profile_not_found'
  | 'household.member_limit'
  | 'household.profile_limit'
  | 'household.session_limit'
  | 'household.device_limit'
  | 'household.pin_invalid'
  | 'household.pin_format'
  | 'household.owner_required'
  | 'household.invitation_other_address'
  | 'household.confirmation_required'
  | 'connection.not_found'
  | 'connection.domain_taken'
  | 'federation.state_invalid'
  | 'federation.denied'
  | 'federation.invalid_response'
  | 'federation.unavailable'
  | 'federation.email_unverified'
  | 'federation.account_unverified'
  | 'federation.identity_taken'
  | 'federation.link_expired'
  | 'federation.last_method'
  | 'federation.no_connection';

const defaultStatus: Record<ErrorCode, number> = {
  'request.invalid': 400,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
  'request.not_found': 404,
  'request.csrf': 403,
  rate_limited: 429,
  'server.busy': 503,
  'server.error': 500,
  'auth.unauthorized': 401,
  'auth.forbidden': 403,
  'auth.invalid_credentials': 401,
  'auth.account_disabled': 401,
  'auth.email_not_verified': 403,
  'session.required': 401,
  'email.invalid': 400,
  'profile.invalid': 400,
  'profile.unknown_attribute': 400,
  'profile.schema_invalid': 400,
  'role.not_found': 404,
  'role.exists': 409,
  'group.not_found': 404,
  'group.exists': 409,
  'organization.not_found': 404,
  'organization.member_not_found': 404,
  'organization.last_owner': 409,
  'organization.invitation_other_address': 403,
  'household.not_found': 404,
  'household.plan_required': 409,
  'household.already_member': 409,
  'household.member_not_found': 404,
  'household.profile_not_found': 404,
  'household.member_limit': 409,
  'household.profile_limit': 409,
  'household.session_limit': 409,
  'household.device_limit': 409,
  'household.pin_invalid': 400,
  'household.pin_format': 400,
  'household.owner_required': 403,
  'household.invitation_other_address': 403,
  'household.confirmation_required': 403,
  'connection.not_found': 404,
  'connection.domain_taken': 409,
  'federation.state_invalid': 400,
  'federation.denied': 401,
  'federation.invalid_response': 400,
  'federation.unavailable': 504,
  'federation.email_unverified': 403,
  'federation.account_unverified': 409,
  'federation.identity_taken': 409,
  'federation.link_expired': 400,
  'federation.last_method': 409,
  'federation.no_connection': 404,
  'password.too_short': 400,
  'password.too_long': 400,
  'password.common': 400,
  'password.contains_email': 400,
  'password.mismatch': 400,
  'token.invalid': 400,
  'tenant.not_found': 404,
  'tenant.exists': 409,
  'app.not_found': 404,
  'resource.not_found': 404,
  'resource.exists': 409,
  'consent.purpose_not_found': 404,
  'consent.purpose_exists': 409,
  'interaction.invalid': 400,
  'user.not_found': 404,
  'user.exists': 409,
  'session.not_found': 404,
  'admin.setup_token_invalid': 401,
  'config.invalid': 500,
  'mfa.invalid_code': 400,
  'mfa.already_enrolled': 409,
  'mfa.no_pending_enrollment': 400,
  'mfa.flow_expired': 400,
  'mfa.required_by_policy': 400,
  'passkey.failed': 400,
  'passkey.unknown_credential': 400,
  'passkey.not_allowed': 400,
  'passkey.exists': 409,
  'passkey.not_found': 404,
  'passkey.disabled': 400,
  'email_code.invalid': 400,
  'email_code.expired': 400,
  'email_sign_in.disabled': 400,
  'phone.invalid': 400,
  'phone.unchanged': 400,
  'sms.unavailable': 503,
  'mfa.passkey_required': 400,
  'mfa.enrollment_required': 403,
  'password.disabled': 400,
  'risk.denied': 403,
  'risk.challenge': 403,
  'auth.password_reset_required': 403,
  'email.disposable': 400,
};

export interface FrontdoorErrorOptions {
  status?: number;
  /** Diagnostic text for logs; never sent to a client. */
  detail?: string;
  cause?: unknown;
  /** Which input field the error is about (forms tie the message to it). */
  field?: string;
  /** Seconds to wait, for rate limits. */
  retryAfterSeconds?: number;
  /** The risk score behind a `risk.challenge`: the bot challenge's difficulty follows it. */
  riskScore?: number;
}

export class FrontdoorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly riskScore: number | undefined;

  constructor(code: ErrorCode, options: FrontdoorErrorOptions = {}) {
    super(code, { cause: options.cause });
    this.name = 'FrontdoorError';
    this.code = code;
    this.status = options.status ?? defaultStatus[code];
    this.detail = options.detail;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.riskScore = options.riskScore;
  }
}

export function isFrontdoorError(value: unknown): value is FrontdoorError {
  return value instanceof FrontdoorError;
}
