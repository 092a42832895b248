// Invitations to an organization by email: the link mailed to the address is single use, expires
// after INVITATION_DAYS, and joins only an account signed in with that address, verified. Only the
// hash of the link's token is kept; the address is sealed (repositories/organizations.ts).
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { LinkBuilder } from '../flows/deps.ts';
import type { Clock, Mailer, Organization, OrganizationInvitation, Store, Tenant, User } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';
import { normalizeEmail } from '../users/email.ts';
import { checkMemberRoles, requireOrganization } from './organizations.ts';

export const INVITATION_DAYS = 7;
const DAY = 86_400_000;

type Deps = { store: Store; clock: Clock; audit: AuditLog; mailer: Mailer; links: Pick<LinkBuilder, 'organizationInvitation'> };

/** Invites an address to the organization (as `member` unless roles are given) and mails it the link. */
export async function inviteToOrganization(deps: Deps, tenant: Tenant, orgId: string, input: { email: unknown; roles?: unknown }, ctx: RequestContext): Promise<OrganizationInvitation> {
  const org = await requireOrganization(deps.store, tenant.id, orgId);
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : null;
  if (!email) throw new FrontdoorError('request.invalid', { field: 'email' });
  const roles = checkMemberRoles(input.roles ?? ['member']);
  const token = randomToken();
  const now = deps.clock.now();
  const invitation: OrganizationInvitation = { id: newId('inv'), tenantId: tenant.id, orgId, email, roles, tokenHash: hashToken(token), invitedBy: ctx.actor, createdAt: now, expiresAt: now + INVITATION_DAYS * DAY, acceptedAt: null, acceptedBy: null };
  await deps.store.organizations.createInvitation(invitation);
  await deps.mailer.queue({ tenant, to: email, template: 'organization_invitation', locale: ctx.locale, params: { organization: org.name, link: deps.links.organizationInvitation(tenant.id, token), days: String(INVITATION_DAYS) } });
  // The address stays out of the audit row (it is personal data of someone without an account yet).
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.organization_invitation_sent', result: 'success', subject: orgId, details: { invitation: invitation.id, roles } });
  return invitation;
}

/** The open invitation a link's token names (not accepted, not expired), with its organization. */
export async function openInvitation(store: Store, clock: Clock, tenantId: string, token: unknown): Promise<{ invitation: OrganizationInvitation; organization: Organization } | null> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
  const invitation = await store.organizations.findInvitation(tenantId, hashToken(token));
  if (!invitation || invitation.acceptedAt !== null || invitation.expiresAt <= clock.now()) return null;
  const organization = await store.organizations.get(tenantId, invitation.orgId);
  return organization ? { invitation, organization } : null;
}

/** Whether this signed-in account may take the invitation: the invited address, verified. */
export function invitationIsFor(invitation: OrganizationInvitation, user: User): boolean {
  return user.emailVerified && user.email === invitation.email;
}

/** Joins the organization with the invitation's roles (added to any the user holds there already). */
export async function acceptOrganizationInvitation(deps: Omit<Deps, 'mailer' | 'links'>, tenant: Tenant, user: User, token: unknown, ctx: RequestContext): Promise<Organization> {
  const open = await openInvitation(deps.store, deps.clock, tenant.id, token);
  if (!open) throw new FrontdoorError('token.invalid');
  if (!invitationIsFor(open.invitation, user)) throw new FrontdoorError('organization.invitation_other_address');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    // Single use: of two acceptances only one marks it.
    if (!(await tx.organizations.acceptInvitation(tenant.id, open.invitation.id, user.id, now))) throw new FrontdoorError('token.invalid');
    const current = await tx.organizations.member(tenant.id, open.invitation.orgId, user.id);
    const roles = [...new Set([...(current?.roles ?? []), ...open.invitation.roles])].sort();
    await tx.organizations.putMember(tenant.id, { orgId: open.invitation.orgId, userId: user.id, roles, createdAt: current?.createdAt ?? now, updatedAt: now });
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.organization_joined', result: 'success', subject: user.id, details: { orgId: open.invitation.orgId, invitation: open.invitation.id } });
  return open.organization;
}
