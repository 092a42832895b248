// Text-message codes as a second factor, through the SmsSender port. A user adds one phone (E.164,
// normalized by the maintained libphonenumber-js), confirmed by a code sent to it; then a sign-in's
// second step can send a code there. Codes: six digits, ten minutes, five tries, only a keyed MAC
// stored, bound to their purpose (confirming the phone, or one sign-in flow). Messages end with the
// origin-bound line of the WebOTP format (`@host #code`), so phones autofill the code only on our
// own origin. SMS is the weakest second factor (SIM swaps); a tenant can turn it off.
import { randomInt } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, PhoneCredential, SignInMethodNotifier, SmsCodePurpose, SmsSender, Store, Tenant, TenantId, User } from '../ports.ts';
import type { AttemptGuard } from '../risk/attempt-guard.ts';
import { hmac, newId, safeEqual } from '../secrets.ts';
import { normalizeCode } from './totp.ts';

export const SMS_CODE_SECONDS = 600;
export const SMS_CODE_MAX_ATTEMPTS = 5;
/** The code subject of a number change (an enrollment's is empty), so neither code confirms the other. */
const CHANGE_SUBJECT = 'change';

/** E.164 (`+4915112345678`) for a valid number, else null. Without `+`, the tenant's default country applies. */
export function normalizePhone(input: unknown, defaultCountry?: string): string | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 40) return null;
  const parsed = parsePhoneNumberFromString(input, defaultCountry ? (defaultCountry.toUpperCase() as CountryCode) : undefined);
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** A phone as pages show it: the country code and the last two digits. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed ? `+${parsed.countryCallingCode}` : '+';
  return `${country} ••• ${e164.slice(-2)}`;
}

export interface SmsOtpService {
  /** Whether the tenant offers text-message codes (and a sender is configured). */
  offered(tenant: Tenant): boolean;
  isEnrolled(tenantId: TenantId, userId: string): Promise<boolean>;
  phoneOf(tenantId: TenantId, userId: string): Promise<PhoneCredential | null>;
  /** Stores the phone as pending and texts it a code; refused while a confirmed phone exists. */
  beginEnrollment(tenant: Tenant, user: User, phone: unknown, ctx: RequestContext): Promise<void>;
  /** Confirms the pending phone with the code texted to it. */
  confirmEnrollment(tenant: Tenant, user: User, code: unknown, ctx: RequestContext): Promise<void>;
  remove(tenant: Tenant, user: User, ctx: RequestContext): Promise<void>;
  /** Texts a code to a new number for a confirmed phone; the old number keeps working until it is confirmed. */
  beginChange(tenant: Tenant, user: User, phone: unknown, ctx: RequestContext): Promise<void>;
  /** Moves to the new number with the code texted to it; the old number is told by text, the owner by mail. */
  confirmChange(tenant: Tenant, user: User, code: unknown, ctx: RequestContext): Promise<void>;
  /** Texts a code for one sign-in flow's second step. */
  sendSignInCode(tenant: Tenant, userId: string, flowId: string, ctx: RequestContext): Promise<void>;
  /** Whether `code` is the live code texted for this flow (a wrong one counts against its five tries). */
  verifySignInCode(tenant: Tenant, userId: string, flowId: string, code: unknown): Promise<boolean>;
}

export function createSmsOtpService(deps: {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  guard: AttemptGuard;
  sender: SmsSender | null;
  codeKey: Buffer;
  baseUrl: URL;
  notify: SignInMethodNotifier;
}): SmsOtpService {
  const { store, clock, audit } = deps;
  const mac = (id: string, code: string) => hmac(deps.codeKey, `sms:${id}:${code}`);

  async function sendCode(tenant: Tenant, user: { id: string }, phone: string, purpose: SmsCodePurpose, subject: string, ctx: RequestContext): Promise<void> {
    if (!deps.sender) throw new FrontdoorError('sms.unavailable');
    await deps.guard.check({ kind: 'sms_send', tenantId: tenant.id, ip: ctx.ip, account: user.id });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const id = newId('smc');
    const now = clock.now();
    await store.smsCodes.replace({ id, tenantId: tenant.id, userId: user.id, purpose, subject, codeMac: mac(id, code), attempts: 0, createdAt: now, expiresAt: now + SMS_CODE_SECONDS * 1000, consumedAt: null });
    const text = `${code} is your ${tenant.name} code. Do not share it.\n\n@${deps.baseUrl.hostname} #${code}`;
    try {
      await deps.sender.send({ tenantId: tenant.id, to: phone, text });
    } catch (cause) {
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.sms_sent', result: 'failure', reason: 'sender', subject: user.id, details: { purpose } });
      throw new FrontdoorError('sms.unavailable', { cause, detail: cause instanceof Error ? cause.message : 'send failed' });
    }
    await audit.record(ctx, { tenantId: tenant.id, action: 'user.sms_sent', result: 'success', subject: user.id, details: { purpose } });
  }

  /** Checks a code for this purpose and subject: one use, five tries, ten minutes. */
  async function checkCode(tenant: Tenant, userId: string, purpose: SmsCodePurpose, subject: string, input: unknown): Promise<boolean> {
    const now = clock.now();
    const open = await store.smsCodes.findOpen(tenant.id, userId, purpose, subject, now);
    const digits = normalizeCode(input);
    if (!open || digits === null) return false;
    if (!safeEqual(mac(open.id, digits), open.codeMac)) {
      if ((await store.smsCodes.recordAttempt(open.id)) >= SMS_CODE_MAX_ATTEMPTS) await store.smsCodes.consume(open.id, now);
      return false;
    }
    return store.smsCodes.consume(open.id, now);
  }

  return {
    offered(tenant) {
      return deps.sender !== null && (tenant.settings.smsSecondFactor ?? true);
    },
    async isEnrolled(tenantId, userId) {
      const phone = await store.phones.get(tenantId, userId);
      return phone !== null && phone.confirmedAt !== null;
    },
    async phoneOf(tenantId, userId) {
      return store.phones.get(tenantId, userId);
    },
    async beginEnrollment(tenant, user, input, ctx) {
      if (!this.offered(tenant)) throw new FrontdoorError('sms.unavailable');
      const phone = normalizePhone(input, tenant.settings.phoneDefaultCountry);
      if (!phone) throw new FrontdoorError('phone.invalid', { field: 'phone' });
      if (!(await store.phones.putPending({ tenantId: tenant.id, userId: user.id, phone, confirmedAt: null, createdAt: clock.now() }))) throw new FrontdoorError('mfa.already_enrolled');
      await sendCode(tenant, user, phone, 'confirm_phone', '', ctx);
    },
    async confirmEnrollment(tenant, user, code, ctx) {
      const pending = await store.phones.get(tenant.id, user.id);
      if (!pending || pending.confirmedAt !== null) throw new FrontdoorError('mfa.no_pending_enrollment');
      await deps.guard.check({ kind: 'second_factor', tenantId: tenant.id, ip: ctx.ip, account: user.id });
      if (!(await checkCode(tenant, user.id, 'confirm_phone', '', code))) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_enrolled', result: 'failure', reason: 'invalid_code', subject: user.id, details: { method: 'sms' } });
        throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
      }
      await store.phones.confirm(tenant.id, user.id, clock.now());
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_enrolled', result: 'success', subject: user.id, details: { method: 'sms' } });
      await deps.notify(tenant, user, 'phone_added', ctx.locale);
    },
    async remove(tenant, user, ctx) {
      const had = await store.phones.get(tenant.id, user.id);
      if (!(await store.phones.delete(tenant.id, user.id))) return;
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.mfa_removed', result: 'success', subject: user.id, details: { method: 'sms' } });
      if (had?.confirmedAt !== null) await deps.notify(tenant, user, 'phone_removed', ctx.locale);
    },
    async beginChange(tenant, user, input, ctx) {
      if (!this.offered(tenant)) throw new FrontdoorError('sms.unavailable');
      const phone = normalizePhone(input, tenant.settings.phoneDefaultCountry);
      if (!phone) throw new FrontdoorError('phone.invalid', { field: 'phone' });
      const current = await store.phones.get(tenant.id, user.id);
      if (!current || current.confirmedAt === null) throw new FrontdoorError('mfa.no_pending_enrollment');
      if (current.phone === phone) throw new FrontdoorError('phone.unchanged', { field: 'phone' });
      if (!(await store.phones.putPendingChange(tenant.id, user.id, phone))) throw new FrontdoorError('mfa.no_pending_enrollment');
      await sendCode(tenant, user, phone, 'confirm_phone', CHANGE_SUBJECT, ctx);
    },
    async confirmChange(tenant, user, code, ctx) {
      const current = await store.phones.get(tenant.id, user.id);
      if (!current?.pendingPhone || current.confirmedAt === null) throw new FrontdoorError('mfa.no_pending_enrollment');
      await deps.guard.check({ kind: 'second_factor', tenantId: tenant.id, ip: ctx.ip, account: user.id });
      if (!(await checkCode(tenant, user.id, 'confirm_phone', CHANGE_SUBJECT, code))) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.phone_changed', result: 'failure', reason: 'invalid_code', subject: user.id });
        throw new FrontdoorError('mfa.invalid_code', { field: 'code' });
      }
      if (!(await store.phones.confirmChange(tenant.id, user.id, current.pendingPhone, clock.now()))) throw new FrontdoorError('mfa.no_pending_enrollment');
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.phone_changed', result: 'success', subject: user.id });
      // The old number hears of it too: whoever holds the account may not hold the mailbox.
      if (deps.sender) {
        const text = `The phone number for ${tenant.name} sign-in codes was changed to ${maskPhone(current.pendingPhone)}. If this was not you, reset your password: ${new URL(`/t/${encodeURIComponent(tenant.id)}/forgot`, deps.baseUrl).href}`;
        // A notice that cannot be sent does not undo the change (the mail below still goes); it is on the record.
        await deps.sender.send({ tenantId: tenant.id, to: current.phone, text }).catch(() =>
          audit.record(ctx, { tenantId: tenant.id, action: 'user.sms_sent', result: 'failure', reason: 'sender', subject: user.id, details: { purpose: 'phone_changed_notice' } }),
        );
      }
      await deps.notify(tenant, user, 'phone_changed', ctx.locale);
    },
    async sendSignInCode(tenant, userId, flowId, ctx) {
      const phone = await store.phones.get(tenant.id, userId);
      if (!phone || phone.confirmedAt === null || !this.offered(tenant)) throw new FrontdoorError('sms.unavailable');
      await sendCode(tenant, { id: userId }, phone.phone, 'second_factor', flowId, ctx);
    },
    async verifySignInCode(tenant, userId, flowId, code) {
      if (!this.offered(tenant)) return false;
      return checkCode(tenant, userId, 'second_factor', flowId, code);
    },
  };
}
