// Authenticator apps (TOTP, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, one step of clock
// drift either way), through the maintained `otpauth` library. The secret is sealed at rest (by
// the repository, under the account's data key); a code is accepted once (the step it matched is
// stored and must only move forward, atomically); an enrollment counts only after a first code
// confirms the user's app has the secret.
import { Secret, TOTP } from 'otpauth';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, SignInMethodNotifier, Store, Tenant, TenantId, User } from '../ports.ts';
import { newRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeHash } from './recovery-codes.ts';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const WINDOW_STEPS = 1;
const SECRET_BYTES = 20;

export interface TotpEnrollment {
  /** Base32, for typing into an app. */
  secret: string;
  /** `otpauth://totp/…`, for the QR code. */
  uri: string;
}

export interface TotpService {
  isEnrolled(tenantId: TenantId, userId: string): Promise<boolean>;
  /** A new secret for the user's app (replacing an unconfirmed one); refused when one is active. */
  beginEnrollment(tenant: Tenant, user: User, ctx: RequestContext): Promise<TotpEnrollment>;
  /** The pending enrollment's secret again (the setup page is reloaded); null when there is none. */
  pendingEnrollment(tenant: Tenant, user: User): Promise<TotpEnrollment | null>;
  /**
   * Activates the pending secret when `code` is right, and returns a first set of recovery codes
   * (shown once). Throws `mfa.invalid_code` otherwise.
   */
  confirmEnrollment(tenant: Tenant, user: User, code: unknown, ctx: RequestContext): Promise<{ recoveryCodes: string[] }>;
  /** Whether `code` is a current, not yet used code of the user's active credential. */
  verify(tenantId: TenantId, userId: string, code: unknown): Promise<boolean>;
  /** Removes the credential (and its recovery codes) after a current code proves the user still has it. */
  remove(tenant: Tenant, user: User, code: unknown, ctx: RequestContext): Promise<void>;
  /** A new set of recovery codes (the old set stops working), after a current code from the app. */
  regenerateRecoveryCodes(tenant: Tenant, user: User, code: unknown, ctx: RequestContext): Promise<string[]>;
  /** Signs in with a recovery code instead of the app: true when it was the user's and unused. */
  useRecoveryCode(tenantId: TenantId, userId: string, code: unknown): Promise<boolean>;
  recoveryCodesLeft(tenantId: TenantId, userId: string): Promise<number>;
}

/** Six digits; people paste codes with spaces, so those are dropped. Anything else is not a code. */
export function normalizeCode(code: unknown): string | null {
  if (typeof code !== 'string' || code.length > 20) return null;
  const digits = code.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

function totpFor(secretBase32: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The 30-second step `code` belongs to at `nowMs` (±1 step), or null when it matches none. */
export function matchingStep(secretBase32: string, code: string, nowMs: number): number | null {
  const delta = totpFor(secretBase32, 'x', 'x').validate({ token: code, timestamp: nowMs, window: WINDOW_STEPS });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
}

export function createTotpService(deps: { store: Store; clock: Clock; audit: AuditLog; notify: SignInMethodNotifier }): TotpService {
  const { store, clock, audit, notify } = deps;
  async function newRecoveryCodes(tenantId: TenantId, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await store.recoveryCodes.replace(tenantId, userId, codes.map((code) => recoveryCodeHash(normalizeRecoveryCode(code)!)), clock.now());
    return codes;
  }
  const enrollment = (tenant: Tenant, user: User, secret: string): TotpEnrollment => ({ secret, uri: totpFor(secret, user.email, tenant.name).toString() });

  return {
    async isEnrolled(tenantId, userId) {
      const credential = await store.totp.get(tenantId, userId);
      return credential?.confirmedAt != null;
    },

    async beginEnrollment(tenant, user, ctx) {
      const secret = new Secret({ size: SECRET_BYTES }).base32;
      const stored = await store.totp.putPending({ tenantId: tenant.id, userId: user.id, secret, confirmedAt: null, lastUsedStep: null, createdAt: clock.now() });
      if (!stored) throw new FrontdoorError('mfa.already_enrolled');
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_enrollment_started', result: 'success', subject: user.id, details: { method: 'totp' } });
      return enrollment(tenant, user, secret);
    },

    async pendingEnrollment(tenant, user) {
      const credential = await store.totp.get(tenant.id, user.id);
      if (!credential || credential.confirmedAt !== null) return null;
      return enrollment(tenant, user, credential.secret);
    },

    async confirmEnrollment(tenant, user, code, ctx) {
      const credential = await store.totp.get(tenant.id, user.id);
      if (!credential || credential.confirmedAt !== null) throw new FrontdoorError('mfa.no_pending_enrollment');
      const digits = normalizeCode(code);
      const now = clock.now();
      const step = digits === null ? null : matchingStep(credential.secret, digits, now);
      if (step === null || !(await store.totp.confirm(tenant.id, user.id, now, step))) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_enrolled', result: 'failure', reason: 'invalid_code', subject: user.id, details: { method: 'totp' } });
        throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
      }
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_enrolled', result: 'success', subject: user.id, details: { method: 'totp' } });
      await notify(tenant, user, 'totp_enabled', ctx.locale);
      return { recoveryCodes: await newRecoveryCodes(tenant.id, user.id) };
    },

    async verify(tenantId, userId, code) {
      const credential = await store.totp.get(tenantId, userId);
      const digits = normalizeCode(code);
      if (!credential || credential.confirmedAt === null || digits === null) return false;
      const step = matchingStep(credential.secret, digits, clock.now());
      // The step must move forward: a code seen once (or an older one) never works again.
      return step !== null && (await store.totp.useStep(tenantId, userId, step));
    },

    async remove(tenant, user, code, ctx) {
      // Under `required` the app may go only when a passkey or a phone remains as the second factor.
      const phone = await store.phones.get(tenant.id, user.id);
      const others = (await store.passkeys.countForUser(tenant.id, user.id)) + (phone?.confirmedAt ? 1 : 0);
      if ((tenant.settings.mfa ?? 'optional') === 'required' && others === 0) {
        throw new FrontdoorError('mfa.required_by_policy', { field: 'code' });
      }
      if (!(await this.verify(tenant.id, user.id, code))) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_removed', result: 'failure', reason: 'invalid_code', subject: user.id, details: { method: 'totp' } });
        throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
      }
      await store.totp.delete(tenant.id, user.id);
      await store.recoveryCodes.deleteAll(tenant.id, user.id);
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_removed', result: 'success', subject: user.id, details: { method: 'totp' } });
      await notify(tenant, user, 'totp_disabled', ctx.locale);
    },

    async regenerateRecoveryCodes(tenant, user, code, ctx) {
      if (!(await this.verify(tenant.id, user.id, code))) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.recovery_codes_regenerated', result: 'failure', reason: 'invalid_code', subject: user.id });
        throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
      }
      const codes = await newRecoveryCodes(tenant.id, user.id);
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.recovery_codes_regenerated', result: 'success', subject: user.id });
      return codes;
    },

    async useRecoveryCode(tenantId, userId, code) {
      const normalized = normalizeRecoveryCode(code);
      if (normalized === null || !(await this.isEnrolled(tenantId, userId))) return false;
      return store.recoveryCodes.use(tenantId, userId, recoveryCodeHash(normalized), clock.now());
    },

    recoveryCodesLeft(tenantId, userId) {
      return store.recoveryCodes.remaining(tenantId, userId);
    },
  };
}
