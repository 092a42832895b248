// Social and enterprise login on the hosted pages: the start of a sign-in at an upstream provider,
// its callback (GET, or POST for providers that answer with form_post and for SAML, whose
// AssertionConsumerService it is), our SAML SP metadata, and the page that links an
// upstream identity to an existing account once the person proves it is theirs.
//
// What the callback must match (state, nonce, PKCE verifier, where to return) lives in a cookie
// sealed with AES-256-GCM (`__Host-fd-fed-{tenant}`, HttpOnly, ten minutes), bound to the tenant:
// a callback in another browser, a forged or replayed `state`, or an expired start finds nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { connectionUrls, offeredFor, requireConnection } from '../../core/federation/connections.ts';
import { linkFederatedIdentity, resolveFederatedSignIn, unlinkFederatedIdentity } from '../../core/federation/federated-sign-in.ts';
import { requestEmailSignIn } from '../../core/flows/email-sign-in.ts';
import { login } from '../../core/flows/login.ts';
import { passwordsEnabled } from '../../core/credentials/password-policy.ts';
import type { Connection, Tenant, User } from '../../core/ports.ts';
import { openString, sealString } from '../../core/secrets.ts';
import { maskEmail } from '../../core/users/email-change.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderContinuePage } from '../../pages/views/email-sign-in.ts';
import { renderLinkAccountPage } from '../../pages/views/federation.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { browserSignals } from '../risk-signals.ts';
import { verifyCsrf } from './csrf.ts';
import { setEmailSignInCookie } from './email-sign-in.ts';
import {
  afterPassword,
  afterPasswordSignIn,
  afterSignInSteps,
  clearFlowStyleCookie,
  currentSession,
  formErrors,
  formField,
  isFormError,
  loadTenant,
  pageContext,
  sendPage,
  startUserSession,
  withRetryAfter,
} from './page-support.ts';
import { sendAccountPage } from './pages.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };
/** How long a started upstream sign-in, or a link waiting for proof, stays open. */
const FLOW_SECONDS = 600;
/** Cookies stay under the browsers' 4 KB: sealing adds a third, the rest of the link ~300 bytes. */
const MAX_CARRIED_TOKENS = 2400;
const INTERACTION_PATH = /^\/t\/[^/]+\/interaction\/[^/]+$/;

interface StartedSignIn {
  connection: string;
  state: string;
  nonce: string | null;
  verifier: string;
  returnTo: string | null;
  expiresAt: number;
}

interface PendingLink {
  connection: string;
  subject: string;
  user: string;
  returnTo: string | null;
  /** The proof must be a sign-in made after this. */
  askedAt: number;
  /** The upstream's tokens when the connection keeps them (sealed with the rest of the cookie). */
  tokens?: string;
  expiresAt: number;
}

export const federationCookieName = (tenantId: string) => `__Host-fd-fed-${tenantId}`;
export const linkCookieName = (tenantId: string) => `__Host-fd-link-${tenantId}`;

function sealCookie(services: Services, purpose: string, tenantId: string, value: object): string {
  return sealString(services.federation.cookieKey, JSON.stringify(value), `${purpose}:${tenantId}`);
}

function openCookie<T extends { expiresAt: number }>(services: Services, purpose: string, tenantId: string, value: unknown): T | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) return null;
  try {
    const opened = JSON.parse(openString(services.federation.cookieKey, value, `${purpose}:${tenantId}`)) as T;
    return opened.expiresAt > services.clock.now() ? opened : null;
  } catch {
    return null;
  }
}

export function callbackUrl(services: Services, tenantId: string, connectionId: string): string {
  return connectionUrls(services.config.baseUrl, tenantId, connectionId).callback;
}

/** form_post and SAML answers are a cross-site POST: only a SameSite=None cookie comes along. */
function startCookieSameSite(connection: Connection): 'none' | 'lax' {
  return connection.type === 'saml' || connection.settings.responseMode === 'form_post' ? 'none' : 'lax';
}

/** Sends the browser to the provider, remembering (sealed, in its cookie) what the callback must match. */
export async function startFederatedSignIn(services: Services, reply: FastifyReply, tenant: Tenant, connection: Connection, returnTo: string | null): Promise<FastifyReply> {
  const begun = await services.federation.upstream.begin(connection, callbackUrl(services, tenant.id, connection.id));
  const started: StartedSignIn = { connection: connection.id, state: begun.state, nonce: begun.nonce, verifier: begun.codeVerifier, returnTo, expiresAt: services.clock.now() + FLOW_SECONDS * 1000 };
  reply.setCookie(federationCookieName(tenant.id), sealCookie(services, 'federation', tenant.id, started), { path: '/', httpOnly: true, secure: true, sameSite: startCookieSameSite(connection), maxAge: FLOW_SECONDS });
  return reply.redirect(begun.url, 303);
}

export function registerFederationRoutes(app: FastifyInstance, services: Services, metrics: Metrics): void {
  const account = (tenant: Tenant) => tenantPath(tenant.id, '/account');
  const linkCompletePath = (tenant: Tenant) => tenantPath(tenant.id, '/connections/link/complete');

  async function enabledConnection(tenant: Tenant, id: string): Promise<Connection> {
    const connection = await requireConnection(services.store, tenant.id, id);
    if (!connection.enabled) throw new FrontdoorError('connection.not_found');
    return connection;
  }

  app.get('/t/:tenant/connections/:connectionId/start', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const connection = await enabledConnection(tenant, (request.params as { connectionId: string }).connectionId);
    // The hosted pages offer only connections meant for every app.
    if (!offeredFor(connection, null)) throw new FrontdoorError('connection.not_found');
    metrics.signInMethods.inc({ method: 'federated', stage: 'started' });
    return startFederatedSignIn(services, reply, tenant, connection, null);
  });

  async function callback(request: FastifyRequest, reply: FastifyReply) {
    const tenant = await loadTenant(services, request);
    const connection = await enabledConnection(tenant, (request.params as { connectionId: string }).connectionId);
    const ctx = requestContext(request);
    const started = openCookie<StartedSignIn>(services, 'federation', tenant.id, request.cookies[federationCookieName(tenant.id)]);
    // One answer per start: the cookie goes whatever happens next.
    reply.clearCookie(federationCookieName(tenant.id), { path: '/', httpOnly: true, secure: true, sameSite: startCookieSameSite(connection) });
    const refuse = async (error: FrontdoorError) => {
      metrics.signInMethods.inc({ method: 'federated', stage: 'failed' });
      await services.audit.record(ctx, { tenantId: tenant.id, action: 'user.federated_sign_in', result: 'failure', reason: error.code, details: { connection: connection.id } });
      return error;
    };
    if (!started || started.connection !== connection.id) throw await refuse(new FrontdoorError('federation.state_invalid', { detail: 'no sign-in started in this browser' }));

    const query = new URL(request.url, services.config.baseUrl).searchParams;
    const body = request.method === 'POST' ? new URLSearchParams(Object.entries((request.body ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')) : null;
    let outcome;
    try {
      const identity = await services.federation.upstream.complete(connection, callbackUrl(services, tenant.id, connection.id), { method: request.method === 'POST' ? 'POST' : 'GET', query, body }, { state: started.state, nonce: started.nonce, codeVerifier: started.verifier });
      outcome = await resolveFederatedSignIn(services.flows, { tenant, connection, identity }, ctx);
      if (outcome.kind === 'link_required') {
        const now = services.clock.now();
        const pending: PendingLink = { connection: connection.id, subject: identity.subject, user: outcome.user.id, returnTo: started.returnTo, askedAt: now, expiresAt: now + FLOW_SECONDS * 1000 };
        // Tokens too large for a cookie are not carried: the next sign-in through it keeps them.
        if (connection.settings.storeUpstreamTokens && identity.tokens && identity.tokens.length <= MAX_CARRIED_TOKENS) pending.tokens = identity.tokens;
        reply.setCookie(linkCookieName(tenant.id), sealCookie(services, 'federation-link', tenant.id, pending), { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: FLOW_SECONDS });
        return moveOn(request, reply, tenant, tenantPath(tenant.id, '/connections/link'));
      }
    } catch (error) {
      if (error instanceof FrontdoorError && error.code.startsWith('federation.') && !['federation.email_unverified', 'federation.account_unverified'].includes(error.code)) throw await refuse(error);
      if (error instanceof FrontdoorError) metrics.signInMethods.inc({ method: 'federated', stage: 'failed' });
      throw error;
    }
    metrics.signInMethods.inc({ method: 'federated', stage: 'completed' });
    return moveOn(request, reply, tenant, await afterFederatedSignIn(request, reply, tenant, outcome.user, outcome.amr, started.returnTo ?? account(tenant)));
  }

  /** After a form_post callback (a cross-site POST) a page moves on, so the next request is a same-site one that carries the new session cookie. */
  function moveOn(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, next: string) {
    if (request.method === 'POST') return sendPage(reply, renderContinuePage(pageContext(services, request, reply, tenant), { next }));
    return reply.redirect(next, 303);
  }

  /** The session — or the tenant's second factor first, unless a trusted upstream already did one. Returns where to go. */
  async function afterFederatedSignIn(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, amr: string[], next: string): Promise<string> {
    const interaction = INTERACTION_PATH.test(next);
    if (amr.includes('mfa')) {
      await startUserSession(services, request, reply, tenant, user, amr);
      return afterSignInSteps(services, tenant, user, interaction ? `${next}/resume` : next);
    }
    const result = await afterPassword(services, request, reply, tenant, user, next, amr);
    if ('secondFactorPath' in result) {
      metrics.secondFactors.inc({ method: 'any', result: 'started' });
      return interaction && result.secondFactor === 'verify' ? `${next}/second-factor` : result.secondFactorPath;
    }
    return afterSignInSteps(services, tenant, user, interaction ? `${next}/resume` : next);
  }

  // Our SAML service-provider metadata, for the identity provider's administrator (no secrets in it).
  app.get('/t/:tenant/connections/:connectionId/saml/metadata', async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const connection = await requireConnection(services.store, tenant.id, (request.params as { connectionId: string }).connectionId);
    if (connection.type !== 'saml') throw new FrontdoorError('connection.not_found');
    return reply.type('application/samlmetadata+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(services.federation.saml.serviceProviderMetadata(connection));
  });

  app.get('/t/:tenant/connections/:connectionId/callback', page, callback);
  app.post('/t/:tenant/connections/:connectionId/callback', page, callback);

  // ---- linking to an existing account ---------------------------------------------------------
  async function pendingLink(request: FastifyRequest, tenant: Tenant): Promise<{ link: PendingLink; user: User; connection: Connection }> {
    const link = openCookie<PendingLink>(services, 'federation-link', tenant.id, request.cookies[linkCookieName(tenant.id)]);
    if (!link) throw new FrontdoorError('federation.link_expired');
    const [user, connection] = await Promise.all([services.store.users.get(tenant.id, link.user), services.store.connections.get(tenant.id, link.connection)]);
    if (!user || user.status !== 'active' || !connection?.enabled) throw new FrontdoorError('federation.link_expired');
    return { link, user, connection };
  }

  function showLinkPage(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, pending: { user: User; connection: Connection }, errors?: FormErrors, status = 200) {
    const model = { connection: pending.connection.name, email: maskEmail(pending.user.email), passwords: passwordsEnabled(tenant), ...(errors ? { errors } : {}) };
    return sendPage(reply, renderLinkAccountPage(pageContext(services, request, reply, tenant), model), status);
  }

  app.get('/t/:tenant/connections/link', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    return showLinkPage(request, reply, tenant, await pendingLink(request, tenant));
  });

  // Proof by a code mailed to the account's address (sign-in by email; a second factor follows when the policy asks).
  app.post('/t/:tenant/connections/link/email', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const { user } = await pendingLink(request, tenant);
    const { browserToken } = await requestEmailSignIn(services.flows, { tenant, email: user.email, returnTo: linkCompletePath(tenant), stepUp: true }, requestContext(request));
    setEmailSignInCookie(reply, tenant.id, browserToken);
    return reply.redirect(tenantPath(tenant.id, '/login/email/code'), 303);
  });

  // Proof by the account's password (the same sign-in as the sign-in page: risk engine, second factor).
  app.post('/t/:tenant/connections/link/password', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const pending = await pendingLink(request, tenant);
    try {
      const signIn = await login(services.flows, { tenant, email: pending.user.email, password: formField(request.body, 'password'), client: await browserSignals(services, request, reply, tenant, 'sign_in') }, requestContext(request));
      if (signIn.user.id !== pending.user.id) throw new FrontdoorError('federation.link_expired');
      const next = await afterPasswordSignIn(services, request, reply, tenant, signIn, linkCompletePath(tenant));
      if ('redirect' in next) return reply.redirect(next.redirect, 303);
      if ('secondFactorPath' in next) return reply.redirect(next.secondFactorPath, 303);
      return reply.redirect(linkCompletePath(tenant), 303);
    } catch (error) {
      if (!isFormError(error) || error.code === 'federation.link_expired') throw error;
      return showLinkPage(request, reply, tenant, pending, formErrors(error, () => 'password'), withRetryAfter(reply, error));
    }
  });

  // The link itself: only for the account the link was asked for, signed in to after it was asked.
  app.get('/t/:tenant/connections/link/complete', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const { link, user, connection } = await pendingLink(request, tenant);
    const current = await currentSession(services, request, tenant);
    if (!current || current.user.id !== user.id || current.session.authenticatedAt < link.askedAt) throw new FrontdoorError('federation.link_expired', { detail: 'no proof of control of the account' });
    await linkFederatedIdentity(services.flows, { tenant, connection, subject: link.subject, user, tokens: link.tokens ?? null }, requestContext(request, `user:${user.id}`));
    clearFlowStyleCookie(reply, linkCookieName(tenant.id));
    // A page that moves on: this answers a redirect chain that began at a form post.
    const next = link.returnTo && INTERACTION_PATH.test(link.returnTo) ? `${link.returnTo}/resume` : `${account(tenant)}?notice=identity_linked`;
    return sendPage(reply, renderContinuePage(pageContext(services, request, reply, tenant), { next }));
  });

  // ---- the account page: unlink ---------------------------------------------------------------
  app.post('/t/:tenant/account/identities/:identityId/unlink', page, async (request, reply) => {
    // A sensitive action: a stolen session alone must not strip a way to sign in.
    const found = await signedInPost(services, request, reply, { sensitive: true });
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await unlinkFederatedIdentity(services.flows, tenant, current.user, (request.params as { identityId: string }).identityId, requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!(error instanceof FrontdoorError) || error.code !== 'federation.last_method') throw error;
      return sendAccountPage(services, request, reply, tenant, current, { errors: { form: error.code }, status: error.status });
    }
    return reply.redirect(`${account(tenant)}?notice=identity_unlinked`, 303);
  });
}
