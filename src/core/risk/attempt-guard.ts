// The single "assess this attempt" hook in front of every sensitive flow. This first cut counts
// attempts per IP and per account in fixed windows; the risk engine replaces the decision later
// without the flows changing. Accounts are keyed by normalized email, known or not, so the limits
// themselves reveal nothing about which accounts exist.
import { FrontdoorError } from '../errors.ts';
import type { RateLimiter, TenantId } from '../ports.ts';

export type AttemptKind = 'login' | 'registration' | 'reset' | 'verification_resend' | 'verification' | 'second_factor' | 'passkey' | 'email_sign_in' | 'email_code' | 'sms_send';

export interface Attempt {
  kind: AttemptKind;
  tenantId: TenantId;
  ip: string | null;
  /** Normalized email or another per-account key; null when the attempt names no account. */
  account: string | null;
}

export interface Assessment {
  action: 'allow' | 'deny';
  retryAfterSeconds: number;
  reasons: string[];
}

interface Limit {
  limit: number;
  windowSeconds: number;
}

export interface AttemptLimits {
  perIp: Record<AttemptKind, Limit>;
  perAccount: Record<AttemptKind, Limit>;
  /** Failed sign-ins per account before waits start (then until the window ends). */
  loginFailuresPerAccount: Limit;
}

export const defaultAttemptLimits: AttemptLimits = {
  perIp: {
    login: { limit: 30, windowSeconds: 60 },
    registration: { limit: 20, windowSeconds: 3600 },
    reset: { limit: 10, windowSeconds: 900 },
    verification_resend: { limit: 10, windowSeconds: 900 },
    verification: { limit: 30, windowSeconds: 900 },
    second_factor: { limit: 30, windowSeconds: 900 },
    // Assertions cannot be guessed; this only bounds the signature checks one address can cause.
    passkey: { limit: 60, windowSeconds: 60 },
    email_sign_in: { limit: 10, windowSeconds: 900 },
    email_code: { limit: 30, windowSeconds: 900 },
    sms_send: { limit: 10, windowSeconds: 900 },
  },
  perAccount: {
    login: { limit: 60, windowSeconds: 900 },
    registration: { limit: 5, windowSeconds: 3600 },
    reset: { limit: 3, windowSeconds: 900 },
    verification_resend: { limit: 3, windowSeconds: 900 },
    verification: { limit: 5, windowSeconds: 900 },
    // Codes are 6 digits: 10 tries per account per 15 min (and 5 per sign-in) keep guessing hopeless.
    second_factor: { limit: 10, windowSeconds: 900 },
    passkey: { limit: 30, windowSeconds: 900 },
    // Each mail costs the tenant and lands in someone's inbox: few per address.
    email_sign_in: { limit: 5, windowSeconds: 900 },
    // Six digits, five tries per code: ten per account per 15 minutes keep guessing hopeless.
    email_code: { limit: 10, windowSeconds: 900 },
    // Each text costs money and can be abused to flood a phone ("SMS pumping").
    sms_send: { limit: 5, windowSeconds: 900 },
  },
  loginFailuresPerAccount: { limit: 10, windowSeconds: 900 },
};

export interface AttemptGuard {
  /**
   * Counts the attempt and decides; throws `rate_limited` (with Retry-After) when denied. From a
   * `familiarDevice` the account's failure limit does not apply (no lockout of the owner).
   */
  check(attempt: Attempt, options?: { familiarDevice?: boolean }): Promise<Assessment>;
  recordFailure(attempt: Attempt): Promise<void>;
  recordSuccess(attempt: Attempt): Promise<void>;
}

export function createAttemptGuard(deps: { limiter: RateLimiter; limits?: AttemptLimits }): AttemptGuard {
  const limits = deps.limits ?? defaultAttemptLimits;
  const failureKey = (a: Attempt) => `fail:${a.kind}:${a.tenantId}:${a.account}`;

  async function assess(attempt: Attempt, familiarDevice: boolean): Promise<Assessment> {
    const reasons: string[] = [];
    let retryAfterSeconds = 0;
    const deny = (reason: string, seconds: number) => {
      reasons.push(reason);
      retryAfterSeconds = Math.max(retryAfterSeconds, seconds);
    };
    if (attempt.ip) {
      const { limit, windowSeconds } = limits.perIp[attempt.kind];
      const r = await deps.limiter.hit(`ip:${attempt.kind}:${attempt.tenantId}:${attempt.ip}`, limit, windowSeconds);
      if (!r.allowed) deny('ip_rate', r.retryAfterSeconds);
    }
    // The owner on a device the account knows is never held back by what others do to the account.
    if (attempt.account && !(familiarDevice && attempt.kind === 'login')) {
      const { limit, windowSeconds } = limits.perAccount[attempt.kind];
      const r = await deps.limiter.hit(`acct:${attempt.kind}:${attempt.tenantId}:${attempt.account}`, limit, windowSeconds);
      if (!r.allowed) deny('account_rate', r.retryAfterSeconds);
      if (attempt.kind === 'login') {
        const f = limits.loginFailuresPerAccount;
        const failures = await deps.limiter.peek(failureKey(attempt), f.limit, f.windowSeconds);
        if (failures.count >= f.limit) deny('account_failures', Math.max(1, failures.retryAfterSeconds));
      }
    }
    return { action: reasons.length > 0 ? 'deny' : 'allow', retryAfterSeconds, reasons };
  }

  return {
    async check(attempt, options) {
      const assessment = await assess(attempt, options?.familiarDevice ?? false);
      if (assessment.action === 'deny') {
        throw new FrontdoorError('rate_limited', { retryAfterSeconds: Math.max(1, assessment.retryAfterSeconds), detail: assessment.reasons.join(',') });
      }
      return assessment;
    },
    async recordFailure(attempt) {
      if (!attempt.account) return;
      const f = limits.loginFailuresPerAccount;
      await deps.limiter.hit(failureKey(attempt), f.limit, f.windowSeconds);
    },
    async recordSuccess(attempt) {
      if (attempt.account) await deps.limiter.reset(failureKey(attempt));
    },
  };
}
