// Domain objects → the admin wire format (snake_case keys, ISO-8601 times). Shared by the admin API
// and the CLI's --json output, so both speak the same shape. Secrets have no field here: an
// application's secret hash and a user's password hash cannot be serialized by construction.
import { clientAuthMethod } from '../../core/apps/app-admin.ts';
import type { EndpointGroup } from '../../core/risk/request-limits.ts';
import type { ApiResource, Application, AuditEvent, RiskEvent, MfaPolicy, PlanSettings, Session, Tenant, TenantBranding, TenantSettings, User } from '../../core/ports.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();

export interface WireBranding {
  logo_url?: string;
  primary_color?: string;
}

export interface WireSettings {
  password_min_length?: number;
  password_min_length_with_mfa?: number;
  require_verified_email?: boolean;
  mfa?: MfaPolicy;
  passwords?: boolean;
  authenticator_app?: boolean;
  mfa_nudge_after_sign_ins?: number;
  remember_device_days?: number;
  recent_auth_minutes?: number;
  account_deletion_grace_days?: number;
  default_roles?: string[];
  plans?: Record<string, { roles?: string[]; household?: { max_members?: number; max_profiles?: number; max_devices?: number; max_concurrent_sessions?: number } }>;
  retention?: { unverified_account_days?: number; inactive_account_days?: number; inactive_warning_days?: number; risk_event_days?: number; sign_in_history_days?: number; audit_event_days?: number };
  sms_second_factor?: boolean;
  phone_default_country?: string;
  email_sign_in?: boolean;
  passkeys?: boolean;
  passkey_rp_id?: string;
  passkey_origins?: string[];
  passkey_aaguid_allow?: string[];
  passkey_aaguid_deny?: string[];
  risk?: WireRiskSettings;
  rate_limits?: { per_address?: Partial<Record<EndpointGroup, number>>; per_tenant?: Partial<Record<EndpointGroup, number>> };
}

export interface WireRiskSettings {
  weights?: Record<string, number>;
  thresholds?: { challenge?: number; deny?: number };
  notify_new_device?: boolean;
  disposable_email?: 'challenge' | 'refuse';
  ip_allow?: string[];
  ip_deny?: string[];
  country_allow?: string[];
  country_deny?: string[];
  alert_emails?: string[];
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function brandingToWire(branding: TenantBranding): WireBranding {
  return defined({ logo_url: branding.logoUrl, primary_color: branding.primaryColor });
}

export function settingsToWire(settings: TenantSettings): WireSettings {
  return defined({
    password_min_length: settings.passwordMinLength,
    password_min_length_with_mfa: settings.passwordMinLengthWithMfa,
    require_verified_email: settings.requireVerifiedEmail,
    mfa: settings.mfa,
    passwords: settings.passwords,
    authenticator_app: settings.authenticatorApp,
    mfa_nudge_after_sign_ins: settings.mfaNudgeAfterSignIns,
    remember_device_days: settings.rememberDeviceDays,
    recent_auth_minutes: settings.recentAuthMinutes,
    account_deletion_grace_days: settings.accountDeletionGraceDays,
    default_roles: settings.defaultRoles,
    plans: settings.plans ? plansToWire(settings.plans) : undefined,
    retention: settings.retention
      ? defined({
          unverified_account_days: settings.retention.unverifiedAccountDays,
          inactive_account_days: settings.retention.inactiveAccountDays,
          inactive_warning_days: settings.retention.inactiveWarningDays,
          risk_event_days: settings.retention.riskEventDays,
          sign_in_history_days: settings.retention.signInHistoryDays,
          audit_event_days: settings.retention.auditEventDays,
        })
      : undefined,
    sms_second_factor: settings.smsSecondFactor,
    phone_default_country: settings.phoneDefaultCountry,
    email_sign_in: settings.emailSignIn,
    passkeys: settings.passkeys,
    passkey_rp_id: settings.passkeyRpId,
    passkey_origins: settings.passkeyOrigins,
    passkey_aaguid_allow: settings.passkeyAaguidAllow,
    passkey_aaguid_deny: settings.passkeyAaguidDeny,
    risk: settings.risk
      ? defined({
          weights: settings.risk.weights,
          thresholds: settings.risk.thresholds,
          notify_new_device: settings.risk.notifyNewDevice,
          disposable_email: settings.risk.disposableEmail,
          ip_allow: settings.risk.ipAllow,
          ip_deny: settings.risk.ipDeny,
          country_allow: settings.risk.countryAllow,
          country_deny: settings.risk.countryDeny,
          alert_emails: settings.risk.alertEmails,
        })
      : undefined,
    rate_limits: settings.rateLimits ? defined({ per_address: settings.rateLimits.perAddress, per_tenant: settings.rateLimits.perTenant }) : undefined,
  });
}

export function brandingFromWire(branding: WireBranding): TenantBranding {
  return defined({ logoUrl: branding.logo_url, primaryColor: branding.primary_color });
}

export function settingsFromWire(settings: WireSettings): TenantSettings {
  return defined({
    passwordMinLength: settings.password_min_length,
    passwordMinLengthWithMfa: settings.password_min_length_with_mfa,
    requireVerifiedEmail: settings.require_verified_email,
    mfa: settings.mfa,
    passwords: settings.passwords,
    authenticatorApp: settings.authenticator_app,
    mfaNudgeAfterSignIns: settings.mfa_nudge_after_sign_ins,
    rememberDeviceDays: settings.remember_device_days,
    recentAuthMinutes: settings.recent_auth_minutes,
    accountDeletionGraceDays: settings.account_deletion_grace_days,
    defaultRoles: settings.default_roles,
    plans: settings.plans ? plansFromWire(settings.plans) : undefined,
    retention: settings.retention
      ? defined({
          unverifiedAccountDays: settings.retention.unverified_account_days,
          inactiveAccountDays: settings.retention.inactive_account_days,
          inactiveWarningDays: settings.retention.inactive_warning_days,
          riskEventDays: settings.retention.risk_event_days,
          signInHistoryDays: settings.retention.sign_in_history_days,
          auditEventDays: settings.retention.audit_event_days,
        })
      : undefined,
    smsSecondFactor: settings.sms_second_factor,
    phoneDefaultCountry: settings.phone_default_country,
    emailSignIn: settings.email_sign_in,
    passkeys: settings.passkeys,
    passkeyRpId: settings.passkey_rp_id,
    passkeyOrigins: settings.passkey_origins,
    passkeyAaguidAllow: settings.passkey_aaguid_allow?.map((a) => a.toLowerCase()),
    passkeyAaguidDeny: settings.passkey_aaguid_deny?.map((a) => a.toLowerCase()),
    risk: settings.risk
      ? defined({
          weights: settings.risk.weights,
          thresholds: settings.risk.thresholds,
          notifyNewDevice: settings.risk.notify_new_device,
          disposableEmail: settings.risk.disposable_email,
          ipAllow: settings.risk.ip_allow,
          ipDeny: settings.risk.ip_deny,
          countryAllow: settings.risk.country_allow,
          countryDeny: settings.risk.country_deny,
          alertEmails: settings.risk.alert_emails,
        })
      : undefined,
    rateLimits: settings.rate_limits ? defined({ perAddress: settings.rate_limits.per_address, perTenant: settings.rate_limits.per_tenant }) : undefined,
  });
}

export function tenantToWire(tenant: Tenant) {
  return {
    id: tenant.id,
    name: tenant.name,
    branding: brandingToWire(tenant.branding),
    settings: settingsToWire(tenant.settings),
    created_at: iso(tenant.createdAt),
    updated_at: iso(tenant.updatedAt),
  };
}

export function applicationToWire(app: Application) {
  return {
    id: app.id,
    client_id: app.clientId,
    name: app.name,
    public: app.public,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    grant_types: app.grantTypes,
    first_party: app.firstParty,
    token_endpoint_auth_method: clientAuthMethod(app),
    id_token_signed_response_alg: app.oidc.idTokenSignedResponseAlg ?? 'ES256',
    subject_type: app.oidc.subjectType ?? 'public',
    jwks: app.oidc.jwks ?? null,
    backchannel_logout_uri: app.oidc.backchannelLogoutUri ?? null,
    frontchannel_logout_uri: app.oidc.frontchannelLogoutUri ?? null,
    client_credentials_scopes: app.oidc.clientCredentialsScopes ?? {},
    access_token_claims: app.oidc.accessTokenClaims ?? [],
    has_secret: app.secretHash !== null,
    previous_secret_expires_at: app.previousSecretExpiresAt === null ? null : iso(app.previousSecretExpiresAt),
    created_at: iso(app.createdAt),
    updated_at: iso(app.updatedAt),
  };
}

export function apiResourceToWire(resource: ApiResource) {
  return {
    id: resource.id,
    identifier: resource.identifier,
    name: resource.name,
    scopes: resource.scopes,
    access_token_format: resource.accessTokenFormat,
    access_token_ttl_seconds: resource.accessTokenTtlSeconds,
    created_at: iso(resource.createdAt),
    updated_at: iso(resource.updatedAt),
  };
}

export function userToWire(user: User) {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    status: user.status,
    profile: user.profile,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
    last_login_at: user.lastLoginAt === null ? null : iso(user.lastLoginAt),
  };
}

export function sessionToWire(session: Session) {
  return {
    id: session.id,
    created_at: iso(session.createdAt),
    last_seen_at: iso(session.lastSeenAt),
    ip: session.ip,
    user_agent: session.userAgent,
  };
}

export function riskEventToWire(event: RiskEvent) {
  return {
    id: event.id,
    at: iso(event.at),
    user_id: event.userId,
    kind: event.kind,
    stage: event.stage,
    score: event.score,
    level: event.level,
    action: event.action,
    reasons: event.reasons,
    ip: event.ip,
    country: event.country,
    request_id: event.requestId,
  };
}

export function auditEventToWire(event: AuditEvent) {
  return {
    id: event.id,
    at: iso(event.at),
    actor: event.actor,
    subject: event.subject,
    action: event.action,
    result: event.result,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    details: event.details,
  };
}

function plansToWire(plans: Record<string, PlanSettings>): NonNullable<WireSettings["plans"]> {
  return Object.fromEntries(
    Object.entries(plans).map(([key, plan]) => [
      key,
      defined({
        roles: plan.roles,
        household: plan.household
          ? defined({ max_members: plan.household.maxMembers, max_profiles: plan.household.maxProfiles, max_devices: plan.household.maxDevices, max_concurrent_sessions: plan.household.maxConcurrentSessions })
          : undefined,
      }),
    ]),
  );
}

function plansFromWire(plans: NonNullable<WireSettings["plans"]>): Record<string, PlanSettings> {
  return Object.fromEntries(
    Object.entries(plans).map(([key, plan]) => [
      key,
      defined({
        roles: plan.roles,
        household: plan.household
          ? defined({ maxMembers: plan.household.max_members, maxProfiles: plan.household.max_profiles, maxDevices: plan.household.max_devices, maxConcurrentSessions: plan.household.max_concurrent_sessions })
          : undefined,
      }) as PlanSettings,
    ]),
  );
}
