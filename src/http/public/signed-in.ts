// The start of every account form post: the tenant, the CSRF check, and the signed-in user — or the
// request already answered (sign in first; for a sensitive action, confirm it is you first —
// /account/confirm, see reauthentication.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { verifyCsrf } from './csrf.ts';
import { currentSession, loadTenant } from './page-support.ts';
import { isRecentlyAuthenticated } from '../../core/flows/reauthentication.ts';

/**
 * True when the session's sign-in is recent enough for a sensitive action. Otherwise answers the
 * request with a redirect to the confirmation page (which comes back to `next`) and returns false.
 */
export function recentEnough(services: Services, reply: FastifyReply, tenant: Tenant, session: Session, next = tenantPath(tenant.id, '/account')): boolean {
  if (isRecentlyAuthenticated(services.flows, tenant, session)) return true;
  reply.redirect(`${tenantPath(tenant.id, '/account/confirm')}?next=${encodeURIComponent(next)}`, 303);
  return false;
}

export async function signedInPost(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { sensitive?: boolean; next?: (tenant: Tenant) => string } = {},
): Promise<{ tenant: Tenant; current: { session: Session; user: User } } | null> {
  const tenant = await loadTenant(services, request);
  verifyCsrf(request, services.csrfKey, tenant.id);
  const current = await currentSession(services, request, tenant);
  if (!current) {
    reply.redirect(tenantPath(tenant.id, '/login'), 303);
    return null;
  }
  if (options.sensitive && !recentEnough(services, reply, tenant, current.session, options.next?.(tenant))) return null;
  return { tenant, current };
}
