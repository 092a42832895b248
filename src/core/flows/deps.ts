import type { AuditLog } from '../audit/audit-log.ts';
import type { PasswordBlocklist } from '../credentials/password-policy.ts';
import type { Clock, Mailer, PasswordHasher, Store, TenantId } from '../ports.ts';
import type { AttemptGuard } from '../risk/attempt-guard.ts';
import type { BotChallengeService } from '../risk/bot-challenge.ts';
import type { RiskService } from '../risk/risk-service.ts';
import type { SecurityEventBus } from '../events/security-events.ts';
import type { PasskeyService } from '../credentials/passkeys.ts';
import type { TotpService } from '../credentials/totp.ts';
import type { SmsOtpService } from '../credentials/sms-otp.ts';
import type { SessionService } from '../sessions/session-service.ts';

/** Absolute URLs that mails point at; built by the HTTP layer, which owns the routes. */
export interface LinkBuilder {
  verifyEmail(tenantId: TenantId, token: string): string;
  resetPassword(tenantId: TenantId, token: string): string;
  login(tenantId: TenantId): string;
  magicLink(tenantId: TenantId, token: string): string;
  forgotPassword(tenantId: TenantId): string;
  reportSignIn(tenantId: TenantId, token: string): string;
  cancelDeletion(tenantId: TenantId, token: string): string;
  confirmEmailChange(tenantId: TenantId, token: string): string;
  organizationInvitation(tenantId: TenantId, token: string): string;
  householdInvitation(tenantId: TenantId, token: string): string;
}

export interface FlowDeps {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  blocklist: PasswordBlocklist;
  mailer: Mailer;
  guard: AttemptGuard;
  /** The risk engine: assesses attempts, keeps sign-in history and failure counts. */
  risk: RiskService;
  botChallenges: BotChallengeService;
  /** Security events (new-device sign-ins, reports, attacks) for metrics, logs and later webhooks. */
  events: SecurityEventBus;
  audit: AuditLog;
  sessions: SessionService;
  totp: TotpService;
  passkeys: PasskeyService;
  sms: SmsOtpService;
  links: LinkBuilder;
  /** MAC key for one-time codes sent by mail or SMS (a plain hash of six digits reverses at once). */
  codeKey: Buffer;
  ttl: { verifyEmailSeconds: number; resetPasswordSeconds: number };
}
