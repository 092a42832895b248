// "Confirm it is you" before a sensitive account action: a sign-in older than the tenant's
// recent-authentication window, or a browser and place the risk engine doubts, sends the browser to
// /account/confirm (password or passkey), which refreshes the session's authentication time and
// returns to the account page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { passkeysEnabled } from '../../core/credentials/passkeys.ts';
import { passwordsEnabled } from '../../core/credentials/password-policy.ts';
import { reauthenticateWithPasskey, reauthenticateWithPassword } from '../../core/flows/reauthentication.ts';
import type { RequestContext } from '../../core/context.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderReauthPage } from '../../pages/views/passkeys.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import { requestContext } from '../request-context.ts';
import { browserSignals } from '../risk-signals.ts';
import { signedInPost } from './signed-in.ts';
import { ceremonyAnswer, currentSession, formErrors, formField, isFormError, loadTenant, pageContext, sameTenantPath, sendPage, withRetryAfter } from './page-support.ts';

const page = { config: { page: true } };

export function registerReauthenticationRoutes(app: FastifyInstance, services: Services): void {
  const nextOf = (tenant: Tenant, value: unknown) => sameTenantPath(tenant, value) ?? tenantPath(tenant.id, '/account');

  async function confirmPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, current: { session: Session; user: User }, next: string, extra: { errors?: FormErrors; status?: number } = {}) {
    const [passkeys, password] = await Promise.all([services.store.passkeys.countForUser(tenant.id, current.user.id), services.store.passwords.get(tenant.id, current.user.id)]);
    const hasPasskey = passkeysEnabled(tenant) && passkeys > 0;
    const passkey = hasPasskey
      ? { action: tenantPath(tenant.id, '/account/confirm/passkey'), options: await services.flows.passkeys.authenticationOptions(tenant, { purpose: 'reauth', sessionId: current.session.id, userId: current.user.id }) }
      : undefined;
    const ctx = pageContext(services, request, reply, tenant);
    // An account without a password (codes by email, an upstream provider) confirms by signing in again.
    const passwords = passwordsEnabled(tenant) && password !== null;
    return sendPage(
      reply,
      renderReauthPage(ctx, { next, email: current.user.email, passwords, ...(passkey ? { passkey } : {}), ...(extra.errors ? { errors: extra.errors } : {}) }),
      extra.status ?? 200,
    );
  }

  // Proving it again from this browser and place makes them the account's own, like a sign-in: the
  // sensitive action that asked for the proof is not doubted again for the same reasons.
  const joinHistory = (request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, session: Session, ctx: RequestContext) =>
    browserSignals(services, request, reply, tenant, null).then((client) => services.flows.risk.recordSignIn(tenant, user, { methods: session.amr, sessionId: session.id }, client, ctx));

  const done = (reply: FastifyReply, next: string) => reply.redirect(`${next}${next.includes('?') ? '&' : '?'}notice=reauthenticated`, 303);

  app.get('/t/:tenant/account/confirm', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    return confirmPage(request, reply, tenant, current, nextOf(tenant, (request.query as Record<string, unknown>).next));
  });

  app.post('/t/:tenant/account/confirm', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const next = nextOf(tenant, formField(request.body, 'next'));
    try {
      const ctx = requestContext(request, `user:${current.user.id}`);
      const session = await reauthenticateWithPassword(services.flows, { tenant, user: current.user, session: current.session, password: formField(request.body, 'password') }, ctx);
      await joinHistory(request, reply, tenant, current.user, session, ctx);
      return done(reply, next);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return confirmPage(request, reply, tenant, current, next, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  app.post('/t/:tenant/account/confirm/passkey', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const next = nextOf(tenant, formField(request.body, 'next'));
    try {
      const ctx = requestContext(request, `user:${current.user.id}`);
      const session = await reauthenticateWithPasskey(services.flows, { tenant, user: current.user, session: current.session, response: ceremonyAnswer(request) }, ctx);
      await joinHistory(request, reply, tenant, current.user, session, ctx);
      return done(reply, next);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return confirmPage(request, reply, tenant, current, next, { errors: { form: error.code }, status: withRetryAfter(reply, error) });
    }
  });
}
