// Changing the address an account signs in with. The signed-in owner (recently authenticated) names
// the new address; a link goes there, and only following it moves the account, so nobody can point
// an account at an address they do not read. The old address is told afterwards, with the way back
// if it was not them. An address already in use gets a note instead of a link, and the page says
// the same either way, so the form does not tell which addresses have accounts.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import { issueActionToken } from '../flows/tokens.ts';
import type { Clock, Mailer, Store, Tenant, User } from '../ports.ts';
import { hashToken } from '../secrets.ts';
import { requireEmail } from './email.ts';

export const EMAIL_CHANGE_TTL_SECONDS = 24 * 3600;

type Deps = { store: Store; clock: Clock; audit: AuditLog; mailer: Mailer; links: Pick<LinkBuilder, 'confirmEmailChange' | 'login' | 'forgotPassword'> };

export async function requestEmailChange(deps: Deps, tenant: Tenant, user: User, newEmailInput: unknown, ctx: RequestContext): Promise<void> {
  const newEmail = requireEmail(newEmailInput, 'new_email');
  if (newEmail === user.email) throw new FrontdoorError('request.invalid', { field: 'new_email', detail: 'the address is already the account’s' });
  const now = deps.clock.now();
  const taken = await deps.store.users.findByEmail(tenant.id, newEmail);
  if (taken) {
    await deps.mailer.queue({ tenant, to: newEmail, template: 'account_exists', locale: ctx.locale, params: { loginLink: deps.links.login(tenant.id), resetLink: deps.links.forgotPassword(tenant.id) } });
  } else {
    const token = await issueActionToken(deps.store, { tenantId: tenant.id, userId: user.id, purpose: 'change_email', now, ttlSeconds: EMAIL_CHANGE_TTL_SECONDS, payload: newEmail });
    await deps.mailer.queue({ tenant, to: newEmail, template: 'confirm_email_change', locale: ctx.locale, params: { link: deps.links.confirmEmailChange(tenant.id, token) } });
  }
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_change_requested', result: 'success', subject: user.id });
}

/** The change a link is for, while it still works: the new address. */
export async function pendingEmailChange(store: Store, tenantId: string, token: string, now: number): Promise<string | null> {
  const live = await store.actionTokens.findLive(tenantId, hashToken(token), 'change_email', now);
  return live?.payload ?? null;
}

/** Follows the link: the account signs in with the new address from now on, and the old one is told. */
export async function confirmEmailChange(deps: Deps, tenant: Tenant, token: string, ctx: RequestContext): Promise<User> {
  const now = deps.clock.now();
  const { before, after } = await deps.store.transaction(async (store) => {
    const used = await store.actionTokens.consume(tenant.id, hashToken(token), 'change_email', now);
    if (!used?.payload) throw new FrontdoorError('token.invalid');
    const current = await store.users.get(tenant.id, used.userId);
    if (!current) throw new FrontdoorError('token.invalid');
    // Taken meanwhile: users.update fails with user.exists on the unique index.
    const changed = await store.users.update(tenant.id, current.id, { email: used.payload, emailVerified: true }, now);
    if (!changed) throw new FrontdoorError('token.invalid');
    return { before: current, after: changed };
  });
  await deps.mailer.queue({ tenant, to: before.email, template: 'email_changed', locale: ctx.locale, params: { resetLink: deps.links.forgotPassword(tenant.id), newEmail: maskEmail(after.email) } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.email_changed', result: 'success', subject: after.id });
  return after;
}

/** `a***@example.com`: enough for the owner to recognise, not a new address handed to whoever reads the old mailbox. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}
