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
import { browserSignals } from '../risk-signals.ts';
import { requestContext } from '../request-context.ts';

/**
 * True when this session may take a sensitive action now: its sign-in is recent enough and the risk
 * engine, judging this browser and place against the account's history, sees no reason to doubt it.
 * Otherwise answers the request with a redirect to the confirmation page (which comes back to
 * `next`) and returns false.
 */
export async function recentEnough(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  current: { session: Session; user: User },
  next = tenantPath(tenant.id, '/account'),
): Promise<boolean> {
  const ctx = requestContext(request, `user:${current.user.id}`);
  const verdict = await services.flows.risk.assessSensitiveAction(tenant, current.user, await browserSignals(services, request, reply, tenant, null), ctx);
  if (verdict === 'allow' && isRecentlyAuthenticated(services.flows, tenant, current.session)) return true;
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
  if (options.sensitive && !(await recentEnough(services, request, reply, tenant, current, options.next?.(tenant)))) return null;
  return { tenant, current };
}
