// What the provider asks of the person during an authorization request: sign in (the `login`
// prompt) and agree to share (the `consent` prompt). A Frontdoor session answers the login prompt
// without a form unless the app demands a fresh sign-in; first-party apps never ask for consent.
// Every form is bound to its interaction: the CSRF token is computed for this interaction id, and
// the provider's interaction cookie must name the same id.
import { duePrompt, type DuePrompt, type PromptContext } from '../../core/users/profile-rules.ts';
import { renderProfilePromptPage } from '../../pages/views/profile-prompt.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import { answer, promptFields } from '../public/profile-prompt.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { login } from '../../core/flows/login.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { HOUSEHOLD_PROFILE_REASON, interactionPath, PROFILE_PROMPT_REASON, STEP_UP_REASON } from '../../oidc/provider.ts';
import { householdPickerDue, registerHouseholdPickerRoute, showHouseholdPicker } from './household-picker.ts';
import { cspWithFormTargets } from '../../pages/csp.ts';
import type { ProviderRegistry } from '../../oidc/registry.ts';
import { renderLoginPage } from '../../pages/views/login.ts';
import { renderConsentPage } from '../../pages/views/oidc.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { csrfToken, verifyCsrf } from '../public/csrf.ts';
import {
  afterPasswordSignIn,
  signInFailureResult,
  ceremonyAnswer,
  afterSignInDestination,
  clearFlowCookie,
  completeSignInWithCode,
  currentSession,
  emailSignInCookieName,
  flowCookieName,
  formErrors,
  formField,
  isFormError,
  pageContext,
  rememberDeviceIfAsked,
  secondFactorMethods,
  sendSecondFactorSms,
  sendPage,
  setFlowCookie,
  signInAlternatives,
  startUserSession,
  unknownPasskeySignal,
  withRetryAfter,
  homeRealmRedirect,
} from '../public/page-support.ts';
import { startFederatedSignIn } from '../public/federation.ts';
import { offeredFor, requireConnection } from '../../core/federation/connections.ts';
import { browserSignals, formRisk } from '../risk-signals.ts';
import { afterEmailSignIn, clearEmailSignInCookie, setEmailSignInCookie } from '../public/email-sign-in.ts';
import { completeEmailCode, openEmailSignIn, requestEmailSignIn } from '../../core/flows/email-sign-in.ts';
import { renderEmailCodePage } from '../../pages/views/email-sign-in.ts';
import { completeSecondFactorWithPasskey, signInWithPasskey } from '../../core/flows/passkey.ts';
import type { PasskeySignal } from '../../pages/views/passkeys.ts';
import { authenticatorAppOffered, beginSecondFactor, needsSecondFactor, openSecondFactor, strongestReachableAcr } from '../../core/flows/second-factor.ts';
import { ACR, ACR_VALUES, acrSatisfies } from '../../core/auth/acr.ts';
import { organizationRequiresMfa } from '../../core/orgs/organizations.ts';
import { isRecentlyAuthenticated } from '../../core/flows/reauthentication.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderSecondFactorPage } from '../../pages/views/second-factor.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

const page = { config: { page: true } };
/** How long after signing in a detour (the passkey offer) may still finish the sign-in it interrupted. */
const RESUME_WITHIN_MS = 10 * 60_000;
/** Reasons of the login prompt that a session cannot answer: the app wants a fresh sign-in, or someone else. */
const FRESH_SIGN_IN = new Set(['login_prompt', 'id_token_hint', 'claims_id_token_sub', 'essential_acr', 'essential_acrs']);

function csrfScope(tenantId: string, uid: string): string {
  return `${tenantId}:interaction:${uid}`;
}

export function registerInteractionRoutes(app: FastifyInstance, services: Services, registry: ProviderRegistry, metrics: Metrics): void {
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<{ provider: Provider; tenant: Tenant; details: Details; uid: string }> {
    const { tenant: tenantId, uid } = request.params as { tenant: string; uid: string };
    const { provider, tenant } = await registry.get(tenantId);
    let details: Details;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (cause) {
      throw new FrontdoorError('interaction.invalid', { cause, detail: 'no interaction for this browser' });
    }
    if (details.uid !== uid) throw new FrontdoorError('interaction.invalid', { detail: 'interaction id does not match the cookie' });
    return { provider, tenant, details, uid };
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, provider: Provider, result: InteractionResults): Promise<FastifyReply> {
    const to = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  }

  async function appName(provider: Provider, details: Details): Promise<string> {
    const clientId = String(details.params.client_id ?? '');
    const client = await provider.Client.find(clientId);
    return client?.clientName ?? clientId;
  }

  /** The session is fresh enough for `max_age` (seconds), when the app set one. */
  function freshEnough(session: Session, details: Details): boolean {
    const maxAge = details.params.max_age;
    if (maxAge === undefined) return true;
    return services.clock.now() - session.authenticatedAt <= Number(maxAge) * 1000;
  }

  function loginResult(session: Session): InteractionResults {
    return { login: { accountId: session.userId, acr: session.acr, amr: session.amr, ts: Math.floor(session.authenticatedAt / 1000), remember: true } };
  }

  async function showLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: Provider,
    tenant: Tenant,
    details: Details,
    extra: { errors?: ReturnType<typeof formErrors>; email?: string; status?: number; passkeySignal?: PasskeySignal | undefined; challengeScore?: number | undefined } = {},
  ) {
    const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, csrfScope(tenant.id, details.uid)) };
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
    reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
    const alternatives = await signInAlternatives(services, tenant, `${interactionPath(tenant.id, details.uid)}/login`, String(details.params.client_id ?? ''));
    return sendPage(
      reply,
      renderLoginPage(ctx, {
        action: `${interactionPath(tenant.id, details.uid)}/login`,
        appName: await appName(provider, details),
        ...alternatives,
        risk: await formRisk(services, request, reply, tenant, 'sign_in', 'sign_in', extra.challengeScore),
        ...(extra.passkeySignal ? { passkeySignal: extra.passkeySignal } : {}),
        ...(extra.email ?? hint ? { email: extra.email ?? hint } : {}),
        ...(extra.errors ? { errors: extra.errors, showResendVerification: extra.errors.form === 'auth.email_not_verified' } : {}),
      }),
      extra.status ?? 200,
    );
  }

  async function grantConsent(provider: Provider, tenant: Tenant, details: Details, accountId: string): Promise<string> {
    const clientId = String(details.params.client_id);
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const now = services.clock.now();
    await services.store.rememberedGrants.put({ tenantId: tenant.id, userId: accountId, clientId, grantId, createdAt: now, updatedAt: now });
    return grantId;
  }

  /** Where a profile prompt would be: this app, these scopes. */
  function promptContext(details: Details): PromptContext {
    return { clientId: String(details.params.client_id), scopes: typeof details.params.scope === 'string' ? details.params.scope.split(' ') : [] };
  }

  async function showProfilePrompt(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: Provider,
    tenant: Tenant,
    details: Details,
    prompt: DuePrompt,
    error: { values: Record<string, unknown>; errors: FormErrors } | null = null,
  ) {
    const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, csrfScope(tenant.id, details.uid)) };
    reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
    return sendPage(
      reply,
      renderProfilePromptPage(ctx, {
        action: `${interactionPath(tenant.id, details.uid)}/profile`,
        appName: await appName(provider, details),
        skippable: !prompt.rule.required,
        fields: promptFields(tenant, prompt, error?.values ?? {}, error?.errors),
        ...(error ? { errors: error.errors } : {}),
      }),
      error ? 400 : 200,
    );
  }

  /**
   * What a step-up should reach: the weakest class in `acr_values`, but no more than the user can
   * give — and at least mfa when signing a member in for an organization that requires it, which
   * is not capped (`organizationMfa`).
   */
  async function stepUpTarget(tenant: Tenant, user: User, details: Details, organizationMfa: boolean): Promise<string | null> {
    const floor = organizationMfa ? ACR.mfa : null;
    const asked = (typeof details.params.acr_values === 'string' ? details.params.acr_values.split(' ') : []).filter((v) => ACR_VALUES.includes(v));
    if (asked.length === 0) return floor;
    const weakestAsked = asked.reduce((a, b) => (acrSatisfies(a, [b]) ? b : a));
    const reachable = await strongestReachableAcr(services.flows, tenant, user);
    const target = acrSatisfies(reachable, [weakestAsked]) ? weakestAsked : reachable;
    return floor && !acrSatisfies(target, [floor]) ? floor : target;
  }

  /** The organization the app signs the user in for (`organization=`), if any. */
  function organizationOf(details: Details): string | undefined {
    return typeof details.params.organization === 'string' ? details.params.organization : undefined;
  }

  /**
   * Signing a member in for an organization that requires a second factor, and they have none:
   * they set the authenticator app up now (the hosted set-up of policy `required`, which then comes
   * back to this interaction). Setting a factor up is a sensitive change, so only a sign-in of the
   * last few minutes goes straight there; an older session gives the password first. A tenant that
   * offers no app cannot satisfy the organization: the app gets access_denied.
   */
  async function enrollForOrganization(request: FastifyRequest, reply: FastifyReply, provider: Provider, tenant: Tenant, details: Details, current: { session: Session; user: User }) {
    const { user, session } = current;
    if (!authenticatorAppOffered(tenant)) {
      await services.audit.record(requestContext(request, `user:${user.id}`), { tenantId: tenant.id, action: 'oidc.organization_sign_in', result: 'failure', reason: 'second_factor_required', subject: user.id, details: { clientId: String(details.params.client_id), organization: organizationOf(details) ?? null } });
      return finish(request, reply, provider, { error: 'access_denied', error_description: 'the organization requires a second factor' });
    }
    if (!isRecentlyAuthenticated(services.flows, tenant, session)) return showLogin(request, reply, provider, tenant, details, { email: user.email });
    const { token } = await beginSecondFactor(services.flows, { tenant, user, returnTo: interactionPath(tenant.id, details.uid), amr: session.amr, requiredAcr: ACR.mfa });
    setFlowCookie(reply, tenant.id, token);
    metrics.secondFactors.inc({ method: 'any', result: 'started' });
    return reply.redirect(tenantPath(tenant.id, '/login/second-factor'), 303);
  }

  app.get('/t/:tenant/interaction/:uid', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    const current = await currentSession(services, request, tenant);

    if (details.prompt.name === 'login') {
      const reasons = new Set(details.prompt.reasons);
      const mustSignIn = [...reasons].some((r) => FRESH_SIGN_IN.has(r));
      if (current && !mustSignIn && freshEnough(current.session, details)) {
        // Step-up: the app asked for more than this session has. A user with a second factor is
        // asked for it (no password again); one without gets the session as it is, and the
        // tokens say so — the app decides what a password-only sign-in may do.
        // The target is the weakest class the app accepts, capped at what this user can reach; a
        // session already there is finished as it is (no loop asking for what cannot be given).
        // An organization that requires a second factor is the exception: its members reach mfa,
        // setting a factor up first if they have none.
        const stepUp = reasons.has(STEP_UP_REASON);
        const organizationMfa = stepUp && (await organizationRequiresMfa(services.store, tenant.id, current.user.id, organizationOf(details)));
        const target = stepUp ? await stepUpTarget(tenant, current.user, details, organizationMfa) : null;
        if (target && !acrSatisfies(current.session.acr, [target]) && (await needsSecondFactor(services.flows, tenant, current.user))) {
          const { token } = await beginSecondFactor(services.flows, { tenant, user: current.user, returnTo: interactionPath(tenant.id, details.uid), requiredAcr: target });
          setFlowCookie(reply, tenant.id, token);
          metrics.secondFactors.inc({ method: 'any', result: 'started' });
          return reply.redirect(`${interactionPath(tenant.id, details.uid)}/second-factor`, 303);
        }
        if (organizationMfa && !acrSatisfies(current.session.acr, [ACR.mfa])) return enrollForOrganization(request, reply, provider, tenant, details, current);
        return finish(request, reply, provider, loginResult(current.session));
      }
      return showLogin(request, reply, provider, tenant, details);
    }

    if (details.prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      if (!current || current.user.id !== accountId) throw new FrontdoorError('interaction.invalid', { detail: 'consent without the signed-in session' });
      // Who of the household is using the app, first; then progressive profiling: what the tenant
      // asks for before this app gets its tokens.
      if (details.prompt.reasons.includes(HOUSEHOLD_PROFILE_REASON) && householdPickerDue(request, tenant, details, current.session)) {
        return showHouseholdPicker(services, request, reply, tenant, details, current, { appName: await appName(provider, details), csrfScope: csrfScope(tenant.id, details.uid) });
      }
      if (details.prompt.reasons.includes(PROFILE_PROMPT_REASON)) {
        const prompt = await duePrompt(services.flows, tenant, current.user, promptContext(details));
        if (prompt) return showProfilePrompt(request, reply, provider, tenant, details, prompt);
      }
      // First-party apps are consented by the tenant, even when the app asks with prompt=consent;
      // a prompt that was only about the profile has nothing left to consent to.
      const app = await services.store.apps.findByClientId(tenant.id, String(details.params.client_id));
      if (app?.firstParty || details.prompt.reasons.every((reason) => reason === PROFILE_PROMPT_REASON || reason === HOUSEHOLD_PROFILE_REASON)) {
        return finish(request, reply, provider, { consent: { grantId: await grantConsent(provider, tenant, details, current.user.id) } });
      }
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      const resources = await Promise.all(
        Object.entries(missing.missingResourceScopes ?? {}).map(async ([indicator, scopes]) => {
          const resource = await services.store.apiResources.findByIdentifier(tenant.id, indicator);
          return scopes.map((scope) => ({ resource: resource?.name ?? indicator, scope, description: resource?.scopes.find((s) => s.name === scope)?.description ?? '' }));
        }),
      );
      const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, csrfScope(tenant.id, details.uid)) };
      reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
      return sendPage(
        reply,
        renderConsentPage(ctx, {
          appName: await appName(provider, details),
          action: `${interactionPath(tenant.id, details.uid)}/consent`,
          scopes: missing.missingOIDCScope ?? [],
          claims: missing.missingOIDCClaims ?? [],
          apiScopes: resources.flat(),
        }),
      );
    }
    throw new FrontdoorError('interaction.invalid', { detail: `unknown prompt ${details.prompt.name}` });
  });

  app.post('/t/:tenant/interaction/:uid/login', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    const email = formField(request.body, 'email');
    try {
      // Home-realm discovery: an address of a domain with its own provider goes there.
      const realm = await homeRealmRedirect(services, request, reply, tenant, `${interactionPath(tenant.id, details.uid)}/login`, String(details.params.client_id ?? ''));
      if (realm) return realm;
      const signIn = await login(services.flows, { tenant, email, password: formField(request.body, 'password'), client: await browserSignals(services, request, reply, tenant, 'sign_in') }, requestContext(request));
      const { user } = signIn;
      metrics.signIns.inc({ result: 'success' });
      metrics.signInMethods.inc({ method: 'password', stage: 'completed' });
      const next = await afterPasswordSignIn(services, request, reply, tenant, signIn, interactionPath(tenant.id, details.uid));
      if ('redirect' in next) return reply.redirect(next.redirect, 303);
      // The second step stays inside the interaction, so finishing it answers this very request.
      if ('secondFactorPath' in next) {
        metrics.secondFactors.inc({ method: 'any', result: 'started' });
        // A code is asked inside the interaction, so the right one finishes it; setting an app up
        // first (policy `required`) happens on the hosted page, which then comes back here.
        return reply.redirect(next.secondFactor === 'verify' ? `${interactionPath(tenant.id, details.uid)}/second-factor` : next.secondFactorPath, 303);
      }
      // The passkey offer, when it applies, comes first; it then resumes this interaction.
      const resume = `${interactionPath(tenant.id, details.uid)}/resume`;
      const destination = await afterSignInDestination(services, request, tenant, user, resume);
      if (destination !== resume) return reply.redirect(destination, 303);
      return finish(request, reply, provider, loginResult(next.session));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signIns.inc({ result: signInFailureResult(error) });
      const status = withRetryAfter(reply, error);
      return showLogin(request, reply, provider, tenant, details, { errors: formErrors(error), email: email ?? '', status, challengeScore: error.riskScore });
    }
  });

  app.post('/t/:tenant/interaction/:uid/login/passkey', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    let response: unknown = null;
    try {
      response = ceremonyAnswer(request);
      const { user, amr } = await signInWithPasskey(services.flows, { tenant, response }, requestContext(request));
      metrics.signInMethods.inc({ method: 'passkey', stage: 'completed' });
      const session = await startUserSession(services, request, reply, tenant, user, amr);
      return finish(request, reply, provider, loginResult(session));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signInMethods.inc({ method: 'passkey', stage: 'failed' });
      const status = withRetryAfter(reply, error);
      const passkeySignal = error.code === 'passkey.unknown_credential' ? unknownPasskeySignal(services, tenant, response) : undefined;
      return showLogin(request, reply, provider, tenant, details, { errors: formErrors(error), status, passkeySignal });
    }
  });

  // ---- an upstream provider, inside the interaction: its callback comes back to /resume -----------
  app.get('/t/:tenant/interaction/:uid/connections/:connectionId/start', page, async (request, reply) => {
    const { tenant, details } = await load(request, reply);
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    const connection = await requireConnection(services.store, tenant.id, (request.params as { connectionId: string }).connectionId);
    if (!offeredFor(connection, String(details.params.client_id ?? ''))) throw new FrontdoorError('connection.not_found');
    metrics.signInMethods.inc({ method: 'federated', stage: 'started' });
    return startFederatedSignIn(services, reply, tenant, connection, interactionPath(tenant.id, details.uid));
  });

  // ---- a code by email, inside the interaction ---------------------------------------------------
  app.post('/t/:tenant/interaction/:uid/login/email', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    const email = formField(request.body, 'email');
    try {
      const { browserToken } = await requestEmailSignIn(services.flows, { tenant, email, returnTo: interactionPath(tenant.id, details.uid) }, requestContext(request));
      metrics.signInMethods.inc({ method: 'email_code', stage: 'started' });
      setEmailSignInCookie(reply, tenant.id, browserToken);
      return reply.redirect(`${interactionPath(tenant.id, details.uid)}/email-code`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return showLogin(request, reply, provider, tenant, details, { errors: formErrors(error), email: email ?? '', status: withRetryAfter(reply, error) });
    }
  });

  function showEmailCode(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, details: Details, extra: { errors?: ReturnType<typeof formErrors>; status?: number } = {}) {
    const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, csrfScope(tenant.id, details.uid)) };
    reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
    return sendPage(reply, renderEmailCodePage(ctx, { action: `${interactionPath(tenant.id, details.uid)}/email-code`, ...(extra.errors ? { errors: extra.errors } : {}) }), extra.status ?? 200);
  }

  app.get('/t/:tenant/interaction/:uid/email-code', page, async (request, reply) => {
    const { tenant, details } = await load(request, reply);
    if (details.prompt.name !== 'login' || !(await openEmailSignIn(services.flows, tenant, request.cookies[emailSignInCookieName(tenant.id)]))) {
      return reply.redirect(interactionPath(tenant.id, details.uid), 303);
    }
    return showEmailCode(request, reply, tenant, details);
  });

  app.post('/t/:tenant/interaction/:uid/email-code', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    try {
      const done = await completeEmailCode(services.flows, { tenant, browserToken: request.cookies[emailSignInCookieName(tenant.id)], code: formField(request.body, 'code') }, requestContext(request));
      const { next, session } = await afterEmailSignIn(services, request, reply, tenant, done.user, interactionPath(tenant.id, details.uid), metrics, 'email_code');
      // Signed in on this very response: finish the app's sign-in without a detour.
      if (session) return finish(request, reply, provider, loginResult(session));
      return reply.redirect(next, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.signInMethods.inc({ method: 'email_code', stage: 'failed' });
      if (error.code === 'email_code.expired') clearEmailSignInCookie(reply, tenant.id);
      return showEmailCode(request, reply, tenant, details, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  // After a detour that began with a fresh sign-in (the passkey offer): finish with that session.
  app.get('/t/:tenant/interaction/:uid/resume', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    const current = await currentSession(services, request, tenant);
    // Only a sign-in made during this very interaction finishes it (so an app's prompt=login is
    // still answered by a fresh sign-in, not by an older session).
    const startedAt = typeof details.iat === 'number' ? details.iat * 1000 : Number.POSITIVE_INFINITY;
    const signedInHere = current !== null && current.session.authenticatedAt >= startedAt - 1000 && services.clock.now() - current.session.authenticatedAt <= RESUME_WITHIN_MS;
    if (details.prompt.name === 'login' && current && signedInHere) {
      return finish(request, reply, provider, loginResult(current.session));
    }
    return reply.redirect(interactionPath(tenant.id, details.uid), 303);
  });

  // ---- second factor inside an interaction ----------------------------------------------------
  async function showSecondFactor(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, details: Details, extra: { errors?: ReturnType<typeof formErrors>; status?: number; smsSent?: boolean } = {}) {
    const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, csrfScope(tenant.id, details.uid)) };
    reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
    const methods = await secondFactorMethods(services, request, tenant, `${interactionPath(tenant.id, details.uid)}/second-factor`, { smsSent: extra.smsSent ?? false });
    return sendPage(reply, renderSecondFactorPage(ctx, { action: `${interactionPath(tenant.id, details.uid)}/second-factor`, ...methods, ...(extra.errors ? { errors: extra.errors } : {}) }), extra.status ?? 200);
  }

  app.post('/t/:tenant/interaction/:uid/second-factor/sms', page, async (request, reply) => {
    const { tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    try {
      await sendSecondFactorSms(services, request, tenant);
      metrics.secondFactors.inc({ method: 'sms', result: 'started' });
      return showSecondFactor(request, reply, tenant, details, { smsSent: true });
    } catch (error) {
      if (!isFormError(error) && !(error instanceof FrontdoorError && error.code === 'sms.unavailable')) throw error;
      return showSecondFactor(request, reply, tenant, details, { errors: { form: (error as FrontdoorError).code }, status: withRetryAfter(reply, error as FrontdoorError) });
    }
  });

  app.post('/t/:tenant/interaction/:uid/second-factor/passkey', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    try {
      const done = await completeSecondFactorWithPasskey(services.flows, { tenant, token: request.cookies[flowCookieName(tenant.id)], response: ceremonyAnswer(request) }, requestContext(request));
      metrics.secondFactors.inc({ method: 'passkey', result: 'success' });
      clearFlowCookie(reply, tenant.id);
      await rememberDeviceIfAsked(services, request, reply, tenant, done.user);
      const session = await startUserSession(services, request, reply, tenant, done.user, done.amr);
      return finish(request, reply, provider, loginResult(session));
    } catch (error) {
      if (!isFormError(error)) throw error;
      metrics.secondFactors.inc({ method: 'passkey', result: 'failure' });
      if (error.code === 'mfa.flow_expired') clearFlowCookie(reply, tenant.id);
      return showSecondFactor(request, reply, tenant, details, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  app.get('/t/:tenant/interaction/:uid/second-factor', page, async (request, reply) => {
    const { tenant, details } = await load(request, reply);
    if (details.prompt.name !== 'login' || !(await openSecondFactor(services.flows, tenant, request.cookies[flowCookieName(tenant.id)]))) {
      return reply.redirect(interactionPath(tenant.id, details.uid), 303);
    }
    return showSecondFactor(request, reply, tenant, details);
  });

  app.post('/t/:tenant/interaction/:uid/second-factor', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a sign-in' });
    try {
      const { session } = await completeSignInWithCode(services, request, reply, tenant, metrics);
      return finish(request, reply, provider, loginResult(session));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return showSecondFactor(request, reply, tenant, details, { errors: formErrors(error), status: withRetryAfter(reply, error) });
    }
  });

  registerHouseholdPickerRoute(app, services, { load, appName, csrfScope });

  app.post('/t/:tenant/interaction/:uid/profile', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'consent') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for the profile' });
    const current = await currentSession(services, request, tenant);
    if (!current || current.user.id !== details.session?.accountId) throw new FrontdoorError('interaction.invalid', { detail: 'profile without the signed-in session' });
    const prompt = await duePrompt(services.flows, tenant, current.user, promptContext(details));
    if (prompt) {
      const error = await answer(services, request, tenant, current.user, prompt);
      if (error) return showProfilePrompt(request, reply, provider, tenant, details, prompt, error);
    }
    // Back to the interaction: it goes on to consent, or finishes.
    return reply.redirect(interactionPath(tenant.id, details.uid), 303);
  });

  app.post('/t/:tenant/interaction/:uid/consent', page, async (request, reply) => {
    const { provider, tenant, details } = await load(request, reply);
    verifyCsrf(request, services.csrfKey, csrfScope(tenant.id, details.uid));
    if (details.prompt.name !== 'consent') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for consent' });
    const current = await currentSession(services, request, tenant);
    const accountId = details.session?.accountId;
    if (!current || !accountId || current.user.id !== accountId) throw new FrontdoorError('interaction.invalid', { detail: 'consent without the signed-in session' });
    const clientId = String(details.params.client_id);
    if (formField(request.body, 'decision') !== 'allow') {
      await services.audit.record(requestContext(request, `user:${accountId}`), { tenantId: tenant.id, action: 'oidc.consent', result: 'failure', reason: 'denied', subject: accountId, details: { clientId } });
      return finish(request, reply, provider, { error: 'access_denied', error_description: 'End-User denied the request' });
    }
    const grantId = await grantConsent(provider, tenant, details, accountId);
    await services.audit.record(requestContext(request, `user:${accountId}`), { tenantId: tenant.id, action: 'oidc.consent', result: 'success', subject: accountId, details: { clientId } });
    return finish(request, reply, provider, { consent: { grantId } });
  });
}
