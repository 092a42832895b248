// The sign-in flow JSON API, for apps that draw their own sign-in screens (mobile apps, SPAs):
// the same steps and checks as the hosted pages — password, code or link by email, passkey, then
// the second factor the policy asks for — driven by JSON under /t/{tenant}/api/v1/sign-in.
//
// Binding: creating a flow returns a flow token; every later call sends it in the
// `x-frontdoor-flow` header (never a cookie, so another site cannot drive a flow), and bodies must
// be `application/json` (a cross-site form cannot send that). The token also keys the flow's email
// and second-factor steps. When the flow answers an app's OIDC sign-in (`interaction`, with the
// provider's interaction cookie in the client's cookie jar), completing it returns `redirect_to`:
// following it yields the authorization code, redeemed with PKCE as usual.
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { Type, type Static } from 'typebox';
import type { Services } from '../../app.ts';
import { passkeysEnabled } from '../../core/credentials/passkeys.ts';
import { passwordsEnabled } from '../../core/credentials/password-policy.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { completeEmailCode, EMAIL_SIGN_IN_AMR, emailSignInEnabled, MAGIC_LINK_SECONDS, requestEmailSignIn } from '../../core/flows/email-sign-in.ts';
import { login } from '../../core/flows/login.ts';
import { completeSecondFactorWithPasskey, signInWithPasskey } from '../../core/flows/passkey.ts';
import { authenticatorAppOffered, beginSecondFactor, completeSecondFactor, hasSecondFactor, openSecondFactor, secondFactorStep } from '../../core/flows/second-factor.ts';
import { breachedPasswordReset } from '../../core/flows/recovery.ts';
import { NO_CLIENT_SIGNALS, type ClientSignals } from '../../core/risk/risk-service.ts';
import { describeUserAgent } from '../../pages/views/device.ts';
import { errorBody } from '../errors.ts';
import { PASSWORD_AMR } from '../../core/auth/acr.ts';
import type { ApiFlow, ApiFlowState, Session, Tenant, User } from '../../core/ports.ts';
import { hashToken, newId, randomToken } from '../../core/secrets.ts';
import { maskPhone } from '../../core/credentials/sms-otp.ts';
import type { ProviderRegistry } from '../../oidc/registry.ts';
import type { Metrics } from '../metrics.ts';
import { requestContext } from '../request-context.ts';
import { registerAdminParsing } from '../admin/validation.ts';
import { loadTenant, startUserSession } from '../public/page-support.ts';

export const FLOW_HEADER = 'x-frontdoor-flow';
/** Long enough for a magic link's round trip. */
const API_FLOW_SECONDS = MAGIC_LINK_SECONDS;

const closed = { additionalProperties: false } as const;
const Email = Type.String({ minLength: 1, maxLength: 320, description: 'The account’s email address.' });
const Code = Type.String({ minLength: 1, maxLength: 64, description: 'A six-digit code (spaces allowed), or a recovery code.' });
const WebAuthnResponse = Type.Object({}, { additionalProperties: true, description: 'The PublicKeyCredential JSON from navigator.credentials.get() (or @simplewebauthn/browser).' });

const FlowView = Type.Object(
  {
    state: Type.Enum(['first_factor', 'email_code', 'second_factor', 'complete']),
    expires_at: Type.String({ format: 'date-time' }),
    methods: Type.Array(Type.String(), { description: 'What the client may send next: password, email, email_code, passkey (first factor); code, sms, passkey (second factor).' }),
    passkey_options: Type.Optional(Type.Unknown({ description: 'WebAuthn request options (JSON) for the passkey method.' })),
    sms_phone: Type.Optional(Type.String({ description: 'The masked phone a texted code goes to.' })),
    redirect_to: Type.Optional(Type.String({ description: 'When complete and the flow answers an app’s sign-in: follow it (with the same cookies) to reach the app with its code.' })),
    acr: Type.Optional(Type.String()),
    amr: Type.Optional(Type.Array(Type.String())),
  },
  closed,
);
const Created = Type.Object({ flow: Type.String({ description: 'The flow token: send it as `x-frontdoor-flow` with every later call.' }), ...FlowView.properties }, closed);

type View = Static<typeof FlowView>;
type ApiApp = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export async function registerSignInApi(app: FastifyInstance, services: Services, registry: ProviderRegistry, metrics: Metrics): Promise<void> {
  const { flows, store, clock } = services;

  async function loadFlow(request: FastifyRequest, tenant: Tenant): Promise<{ flow: ApiFlow; token: string }> {
    const token = request.headers[FLOW_HEADER];
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) throw new FrontdoorError('auth.unauthorized', { detail: 'missing flow token' });
    const flow = await store.apiFlows.findByTokenHash(tenant.id, hashToken(token), clock.now());
    if (!flow) throw new FrontdoorError('auth.unauthorized', { detail: 'unknown or expired flow' });
    return { flow, token };
  }

  /** Refuses a step the flow is not at (e.g. a second factor before the first). */
  function requireState(flow: ApiFlow, ...states: ApiFlowState[]): void {
    if (!states.includes(flow.state)) throw new FrontdoorError('request.invalid', { detail: `flow is ${flow.state}, not ${states.join(' or ')}` });
  }

  async function firstFactorView(tenant: Tenant, flow: ApiFlow): Promise<View> {
    const methods = [...(passwordsEnabled(tenant) ? ['password'] : []), ...(emailSignInEnabled(tenant) ? ['email'] : []), ...(passkeysEnabled(tenant) ? ['passkey'] : [])];
    const view: View = { state: flow.state, expires_at: new Date(flow.expiresAt).toISOString(), methods: flow.state === 'email_code' ? ['email_code', ...methods] : methods };
    if (passkeysEnabled(tenant)) view.passkey_options = await flows.passkeys.authenticationOptions(tenant, { purpose: 'sign_in' });
    return view;
  }

  async function secondFactorView(tenant: Tenant, flow: ApiFlow, token: string): Promise<View> {
    const open = await openSecondFactor(flows, tenant, token);
    if (!open) throw new FrontdoorError('mfa.flow_expired');
    const [totp, passkeys, phone] = await Promise.all([
      authenticatorAppOffered(tenant) ? flows.totp.isEnrolled(tenant.id, open.userId) : false,
      passkeysEnabled(tenant) ? store.passkeys.countForUser(tenant.id, open.userId) : 0,
      flows.sms.offered(tenant) ? flows.sms.phoneOf(tenant.id, open.userId) : null,
    ]);
    const view: View = { state: 'second_factor', expires_at: new Date(flow.expiresAt).toISOString(), methods: [] };
    if (passkeys > 0) {
      view.methods.push('passkey');
      view.passkey_options = await flows.passkeys.authenticationOptions(tenant, { purpose: 'second_factor', flowId: open.id, userId: open.userId });
    }
    if (phone?.confirmedAt) {
      view.methods.push('sms');
      view.sms_phone = maskPhone(phone.phone);
    }
    if (totp || phone?.confirmedAt || view.methods.length === 0) view.methods.push('code');
    return view;
  }

  /** The flow is done: a session (its cookie on this response), and the app's sign-in answered. */
  async function complete(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, flow: ApiFlow, user: User, amr: readonly string[], from: ApiFlowState): Promise<View> {
    if (!(await store.apiFlows.transition(flow.id, from, 'complete', user.id))) throw new FrontdoorError('request.invalid', { detail: 'flow already moved on' });
    const session = await startUserSession(services, request, reply, tenant, user, amr);
    const view: View = { state: 'complete', expires_at: new Date(flow.expiresAt).toISOString(), methods: [], acr: session.acr, amr: session.amr };
    if (flow.interactionUid) view.redirect_to = await finishInteraction(request, reply, tenant, flow.interactionUid, session);
    return view;
  }

  async function finishInteraction(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, uid: string, session: Session): Promise<string> {
    const { provider } = await registry.get(tenant.id);
    const result: InteractionResults = { login: { accountId: session.userId, acr: session.acr, amr: session.amr, ts: Math.floor(session.authenticatedAt / 1000), remember: true } };
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      if (details.uid !== uid) throw new Error('another interaction');
      const to = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
      return new URL(to, services.config.baseUrl).toString();
    } catch (cause) {
      throw new FrontdoorError('interaction.invalid', { cause, detail: 'the interaction cookie of this sign-in is missing or stale' });
    }
  }

  /** After the first factor: done, or the second factor the policy asks for. */
  async function afterFirstFactor(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, flow: ApiFlow, token: string, user: User, amr: readonly string[], from: ApiFlowState): Promise<View> {
    const step = await secondFactorStep(flows, tenant, user);
    if (step === 'none') return complete(request, reply, tenant, flow, user, amr, from);
    // Setting a factor up happens on the hosted pages (QR code, recovery codes).
    if (step === 'enroll') throw new FrontdoorError('mfa.enrollment_required');
    if (!(await store.apiFlows.transition(flow.id, from, 'second_factor', user.id))) throw new FrontdoorError('request.invalid', { detail: 'flow already moved on' });
    await beginSecondFactor(flows, { tenant, user, returnTo: null, amr, token });
    metrics.secondFactors.inc({ method: 'any', result: 'started' });
    return secondFactorView(tenant, { ...flow, state: 'second_factor' }, token);
  }

  /**
   * The risk engine doubts a right password: the user's second factor, even where the policy would
   * not ask; without one, a code mailed to the verified address (the flow goes to `email_code`).
   */
  async function riskStepUp(request: FastifyRequest, tenant: Tenant, flow: ApiFlow, token: string, user: User): Promise<View> {
    if (await hasSecondFactor(flows, tenant, user)) {
      if (!(await store.apiFlows.transition(flow.id, flow.state, 'second_factor', user.id))) throw new FrontdoorError('request.invalid', { detail: 'flow already moved on' });
      await beginSecondFactor(flows, { tenant, user, returnTo: null, amr: PASSWORD_AMR, token });
      metrics.secondFactors.inc({ method: 'any', result: 'started' });
      return secondFactorView(tenant, { ...flow, state: 'second_factor' }, token);
    }
    await requestEmailSignIn(flows, { tenant, email: user.email, returnTo: null, browserToken: token, stepUp: true }, requestContext(request, `user:${user.id}`));
    if (flow.state === 'first_factor') await store.apiFlows.transition(flow.id, 'first_factor', 'email_code', null);
    return firstFactorView(tenant, { ...flow, state: 'email_code' });
  }

  // Documented here; checked by loadFlow, so a missing token is 401 like a wrong one.
  const headers = Type.Object({ [FLOW_HEADER]: Type.Optional(Type.String({ description: 'The flow token from creation (required).' })) });
  const tenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 40 }) }, closed);

  await app.register(
    async (scope) => {
      const api = scope.withTypeProvider<TypeBoxTypeProvider>() as ApiApp;
      registerAdminParsing(api as never);
      // Only JSON: a form post from another site cannot reach these routes.
      api.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);
      await api.register(fastifySwagger, {
        openapi: {
          openapi: '3.1.0',
          info: { title: 'Frontdoor sign-in flow API', version: '1', description: 'Drive a sign-in from your own screens. Errors are `{error, message, field?}`.' },
          servers: [{ url: services.config.baseUrl.origin }],
        },
      });
      api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

      api.post('/sign-in', { schema: { summary: 'Start a sign-in', params: tenantParams, body: Type.Optional(Type.Object({ interaction: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description: 'The uid of the OIDC interaction this sign-in answers.' })) }, closed)), response: { 201: Created } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const interaction = request.body?.interaction ?? null;
        if (interaction) {
          // The client must hold that interaction (its cookie), waiting for a sign-in.
          const { provider } = await registry.get(tenant.id);
          const details = await provider.interactionDetails(request.raw, reply.raw).catch((cause: unknown) => {
            throw new FrontdoorError('interaction.invalid', { cause, detail: 'no interaction cookie' });
          });
          if (details.uid !== interaction || details.prompt.name !== 'login') throw new FrontdoorError('interaction.invalid', { detail: 'not this interaction, or not waiting for a sign-in' });
        }
        const now = clock.now();
        const token = randomToken();
        const flow: ApiFlow = { id: newId('apf'), tenantId: tenant.id, tokenHash: hashToken(token), interactionUid: interaction, state: 'first_factor', userId: null, createdAt: now, expiresAt: now + API_FLOW_SECONDS * 1000 };
        await store.apiFlows.create(flow);
        return reply.status(201).send({ flow: token, ...(await firstFactorView(tenant, flow)) });
      });

      api.get('/sign-in', { schema: { summary: 'Where a sign-in stands', params: tenantParams, headers, response: { 200: FlowView } } }, async (request) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        if (flow.state === 'second_factor') return secondFactorView(tenant, flow, token);
        if (flow.state === 'complete') return { state: 'complete', expires_at: new Date(flow.expiresAt).toISOString(), methods: [] } satisfies View;
        return firstFactorView(tenant, flow);
      });

      const PasswordBody = Type.Object(
        {
          email: Email,
          password: Type.String({ minLength: 1, maxLength: 4096 }),
          bot_solution: Type.Optional(Type.String({ maxLength: 8192, description: 'The answer to a `bot_challenge` from an earlier `risk.challenge` answer (base64 JSON of `{challenge, solution}`, ALTCHA v2).' })),
        },
        closed,
      );
      const Refused = Type.Object({
        error: Type.String(),
        message: Type.String(),
        field: Type.Optional(Type.String()),
        bot_challenge: Type.Optional(Type.Unknown({ description: 'With `risk.challenge`: an ALTCHA v2 proof-of-work challenge to solve and send back as `bot_solution`.' })),
      });
      api.post('/sign-in/password', { schema: { summary: 'First factor: email and password', params: tenantParams, headers, body: PasswordBody, response: { 200: FlowView, 403: Refused } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'first_factor', 'email_code');
        const ctx = requestContext(request);
        try {
          const client: ClientSignals = { ...NO_CLIENT_SIGNALS, deviceName: describeUserAgent(ctx.userAgent, 'en'), botChallenge: await flows.botChallenges.verify(tenant, 'sign_in', request.body.bot_solution) };
          const signIn = await login(flows, { tenant, email: request.body.email, password: request.body.password, client }, ctx);
          const { user } = signIn;
          metrics.signInMethods.inc({ method: 'password', stage: 'completed' });
          // A breached password is changed through the link mailed to the verified address.
          if (signIn.passwordBreached) {
            await breachedPasswordReset(flows, { tenant, user, sendByMail: true }, requestContext(request, `user:${user.id}`));
            throw new FrontdoorError('auth.password_reset_required');
          }
          if (signIn.risk.action === 'challenge') return await riskStepUp(request, tenant, flow, token, user);
          return await afterFirstFactor(request, reply, tenant, flow, token, user, PASSWORD_AMR, flow.state);
        } catch (error) {
          if (error instanceof FrontdoorError && error.code === 'auth.invalid_credentials') metrics.signInMethods.inc({ method: 'password', stage: 'failed' });
          // The client solves the challenge (proof of work) and sends the password again with the answer.
          if (error instanceof FrontdoorError && error.code === 'risk.challenge') {
            const challenge = await flows.botChallenges.create(tenant, 'sign_in', error.riskScore ?? 0);
            return reply.status(403).send({ ...errorBody(error, ctx.locale), bot_challenge: challenge });
          }
          throw error;
        }
      });

      api.post('/sign-in/email', { schema: { summary: 'First factor: mail a code (and a link) to this address', params: tenantParams, headers, body: Type.Object({ email: Email }, closed), response: { 200: FlowView } } }, async (request) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'first_factor', 'email_code');
        // The flow token binds the mailed code; a link opened elsewhere shows a code for this app.
        await requestEmailSignIn(flows, { tenant, email: request.body.email, returnTo: null, browserToken: token }, requestContext(request));
        metrics.signInMethods.inc({ method: 'email_code', stage: 'started' });
        if (flow.state === 'first_factor') await store.apiFlows.transition(flow.id, 'first_factor', 'email_code', null);
        return firstFactorView(tenant, { ...flow, state: 'email_code' });
      });

      api.post('/sign-in/email/code', { schema: { summary: 'First factor: the mailed code', params: tenantParams, headers, body: Type.Object({ code: Code }, closed), response: { 200: FlowView } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'email_code');
        const done = await completeEmailCode(flows, { tenant, browserToken: token, code: request.body.code }, requestContext(request));
        metrics.signInMethods.inc({ method: 'email_code', stage: 'completed' });
        return afterFirstFactor(request, reply, tenant, flow, token, done.user, EMAIL_SIGN_IN_AMR, 'email_code');
      });

      api.post('/sign-in/passkey', { schema: { summary: 'First factor: a passkey (answer to passkey_options)', params: tenantParams, headers, body: Type.Object({ response: WebAuthnResponse }, closed), response: { 200: FlowView } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const { flow } = await loadFlow(request, tenant);
        requireState(flow, 'first_factor', 'email_code');
        const { user, amr } = await signInWithPasskey(flows, { tenant, response: request.body.response }, requestContext(request));
        metrics.signInMethods.inc({ method: 'passkey', stage: 'completed' });
        // A verified passkey is two factors already.
        return complete(request, reply, tenant, flow, user, amr, flow.state);
      });

      api.post('/sign-in/second-factor/code', { schema: { summary: 'Second factor: a code from the app, a texted code, or a recovery code', params: tenantParams, headers, body: Type.Object({ code: Code }, closed), response: { 200: FlowView } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'second_factor');
        const done = await completeSecondFactor(flows, { tenant, token, code: request.body.code }, requestContext(request));
        metrics.secondFactors.inc({ method: done.method, result: 'success' });
        return complete(request, reply, tenant, flow, done.user, done.amr, 'second_factor');
      });

      api.post('/sign-in/second-factor/sms', { schema: { summary: 'Second factor: text a code to the user’s phone', params: tenantParams, headers, response: { 200: FlowView } } }, async (request) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'second_factor');
        const open = await openSecondFactor(flows, tenant, token);
        if (!open) throw new FrontdoorError('mfa.flow_expired');
        await flows.sms.sendSignInCode(tenant, open.userId, open.id, requestContext(request, `user:${open.userId}`));
        metrics.secondFactors.inc({ method: 'sms', result: 'started' });
        return secondFactorView(tenant, flow, token);
      });

      api.post('/sign-in/second-factor/passkey', { schema: { summary: 'Second factor: a passkey (answer to passkey_options)', params: tenantParams, headers, body: Type.Object({ response: WebAuthnResponse }, closed), response: { 200: FlowView } } }, async (request, reply) => {
        const tenant = await loadTenant(services, request);
        const { flow, token } = await loadFlow(request, tenant);
        requireState(flow, 'second_factor');
        const done = await completeSecondFactorWithPasskey(flows, { tenant, token, response: request.body.response }, requestContext(request));
        metrics.secondFactors.inc({ method: 'passkey', result: 'success' });
        return complete(request, reply, tenant, flow, done.user, done.amr, 'second_factor');
      });
    },
    { prefix: '/t/:tenant/api/v1' },
  );
}
