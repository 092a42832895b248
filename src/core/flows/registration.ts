// Registration answers the same whether or not the email is taken: the password is hashed either
// way, and the owner of an existing address gets a mail instead of an error on the page.
//
// Pre-registration takeover: an attacker who registers someone else's address first must not end up
// knowing the password of the account the owner later verifies. So a pending account has no password
// of its own: each registration's verification link carries the hash chosen at that registration,
// and completing verification requires typing that password (verification.ts).
import type { RequestContext } from '../context.ts';
import { checkNewPassword, effectiveMinLength, passwordsEnabled } from '../credentials/password-policy.ts';
import { recordConsentChoices } from '../consent/consent.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant, User } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';
import { requireEmail } from '../users/email.ts';
import type { FlowDeps } from './deps.ts';
import { NO_CLIENT_SIGNALS, type ClientSignals } from '../risk/risk-service.ts';
import { isDisposableDomain } from '../risk/signals/disposable-email.ts';
import { issueActionToken } from './tokens.ts';
import { giveDefaultRoles } from '../authz/roles.ts';

export interface RegistrationInput {
  tenant: Tenant;
  email: unknown;
  password: unknown;
  /** What the browser showed (device, pace, bot challenge), for the risk engine. */
  client?: ClientSignals;
  /** The consent purposes ticked on the form (purpose id → ticked), recorded for a new account. */
  consents?: Record<string, boolean>;
  /** Profile attributes the registration page asks for (profile-schema.ts `registrationProfile`, already checked). */
  profile?: Record<string, unknown>;
}

export function registrationMinLength(tenant: Tenant): number {
  return effectiveMinLength(tenant.settings, false);
}

/** What a password-free verification link is bound to: the browser that registered. */
export const BROWSER_BOUND = 'browser:';

/**
 * Registers an address. With passwords, the link is bound to the password chosen here; without
 * (tenant setting `passwords: false`), to this browser: the returned token goes into its cookie,
 * and the link signs in only there (elsewhere it confirms the address and nobody is signed in).
 */
export async function register(deps: FlowDeps, input: RegistrationInput, ctx: RequestContext): Promise<{ browserToken: string | null }> {
  const { tenant } = input;
  const email = requireEmail(input.email);
  const withPassword = passwordsEnabled(tenant);
  if (withPassword && typeof input.password !== 'string') throw new FrontdoorError('request.invalid', { field: 'password' });
  await deps.guard.check({ kind: 'registration', tenantId: tenant.id, ip: ctx.ip, account: email });
  // Fake sign-ups: a throwaway address refused where the tenant says so; otherwise the risk engine
  // weighs it with the source's pace and sign-up velocity, and may ask for the bot challenge.
  if (deps.risk.policyOf(tenant).policy.disposableEmail === 'refuse' && isDisposableDomain(email)) throw new FrontdoorError('email.disposable', { field: 'email' });
  await deps.risk.before(tenant, { kind: 'registration', account: email, email }, input.client ?? NO_CLIENT_SIGNALS, ctx);
  await deps.risk.recordRegistration(tenant, ctx);
  let binding: string;
  let browserToken: string | null = null;
  if (withPassword) {
    const password = checkNewPassword(input.password as string, { email, minLength: registrationMinLength(tenant), blocklist: deps.blocklist });
    binding = await deps.hasher.hash(password);
  } else {
    browserToken = randomToken();
    binding = `${BROWSER_BOUND}${hashToken(browserToken)}`;
  }
  const passwordHash = binding;
  const now = deps.clock.now();

  const existing = await deps.store.users.findByEmail(tenant.id, email);
  if (existing) {
    await answerExistingAddress(deps, tenant, existing, passwordHash, ctx);
    return { browserToken };
  }

  const user: User = {
    id: newId('usr'),
    tenantId: tenant.id,
    status: 'pending',
    email,
    emailVerified: false,
    profile: input.profile ?? {},
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    locale: ctx.locale,
  };
  let token: string;
  try {
    token = await deps.store.transaction(async (store) => {
      await store.users.create(user);
      await giveDefaultRoles(store, tenant, user.id, now);
      return issueActionToken(store, { tenantId: tenant.id, userId: user.id, purpose: 'verify_email', now, ttlSeconds: deps.ttl.verifyEmailSeconds, payload: passwordHash });
    });
  } catch (error) {
    // A concurrent registration of the same address won the insert: answer as for an existing one.
    if (error instanceof FrontdoorError && error.code === 'user.exists') {
      const winner = await deps.store.users.findByEmail(tenant.id, email);
      if (winner) await answerExistingAddress(deps, tenant, winner, passwordHash, ctx);
      return { browserToken };
    }
    throw error;
  }
  await deps.mailer.queue({ tenant, to: email, template: 'verify_email', locale: ctx.locale, params: { link: deps.links.verifyEmail(tenant.id, token) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.registered', result: 'success', subject: user.id });
  // Only for an account this registration created: choices posted for an existing address are not its owner's.
  if (input.consents) await recordConsentChoices(deps, tenant, user.id, input.consents, 'registration', ctx);
  return { browserToken };
}

async function answerExistingAddress(deps: FlowDeps, tenant: Tenant, existing: User, passwordHash: string, ctx: RequestContext): Promise<void> {
  const now = deps.clock.now();
  if (existing.status === 'pending' && !existing.emailVerified) {
    // Not verified yet: this registration gets its own link, bound to its own password. Older links
    // stay valid so an attacker's later registration cannot cancel the owner's link.
    const token = await issueActionToken(deps.store, {
      tenantId: tenant.id,
      userId: existing.id,
      purpose: 'verify_email',
      now,
      ttlSeconds: deps.ttl.verifyEmailSeconds,
      payload: passwordHash,
      keepOlder: true,
    });
    await deps.mailer.queue({ tenant, to: existing.email, template: 'verify_email', locale: ctx.locale, params: { link: deps.links.verifyEmail(tenant.id, token) } });
  } else {
    await deps.mailer.queue({
      tenant,
      to: existing.email,
      template: 'account_exists',
      locale: ctx.locale,
      params: { loginLink: deps.links.login(tenant.id), resetLink: deps.links.forgotPassword(tenant.id) },
    });
  }
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.registered', result: 'failure', reason: 'email_exists', subject: existing.id });
}
