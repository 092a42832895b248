// Builds the Fastify server: shared plumbing (limits, parsers, cookies, headers, errors, metrics)
// then the route groups — ops, public pages, development mailbox, admin API.
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type { Services } from '../app.ts';
import { FrontdoorError } from '../core/errors.ts';
import { errorBody, toFrontdoorError } from './errors.ts';
import { registerProfilePromptRoutes } from './public/profile-prompt.ts';
import { registerConsentReviewRoutes } from './public/consent-review.ts';
import { registerSignInReportRoutes } from './public/sign-ins.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { registerPasskeyRoutes } from './public/passkeys.ts';
import { registerEmailSignInRoutes } from './public/email-sign-in.ts';
import { registerFederationRoutes } from './public/federation.ts';
import { registerReauthenticationRoutes } from './public/reauthentication.ts';
import { registerSignInApi } from './api/sign-in.ts';
import { registerAuthzCheckApi } from './api/authz-check.ts';
import { registerOpsRoutes } from './ops.ts';
import { registerSecondFactorRoutes } from './public/second-factor.ts';
import { registerPageRoutes } from './public/pages.ts';
import { renderPageError } from './public/page-support.ts';
import { registerAssetRoutes } from './public/assets.ts';
import { registerDevMailbox } from './public/dev-mailbox.ts';
import { registerInvitationPages } from './public/invitations.ts';
import { registerOrganizationAdminPages } from './public/organization-admin.ts';
import { registerHouseholdPages } from './public/household.ts';
import { registerAdminApi } from './admin/index.ts';
import { createOidc } from '../oidc/index.ts';
import { registerOidcRoutes } from './oidc/mount.ts';
import { registerInteractionRoutes } from './oidc/interactions.ts';
import { DEMO_APP_PATH, DEMO_CLIENT_ID, DEMO_TENANT } from '../bootstrap.ts';
import { registerDemoRelyingParty } from '../demo/relying-party.ts';
import { issuerFor } from '../oidc/provider.ts';
import { requestLocale } from './request-context.ts';
import { registerRequestLimits } from './request-limits.ts';
import { createLoadShedding, registerLoadShedding } from './load-shedding.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import type { ProviderRegistry } from '../oidc/registry.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Errors on this route render the hosted error page instead of JSON. */
    page?: boolean;
  }
}

export const BODY_LIMIT_BYTES = 64 * 1024;

// Query strings of link pages carry tokens; logs never see them.
function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|code|password)=)[^&]*/gi, '$1[redacted]');
}

export interface HttpServer {
  app: FastifyInstance;
  metrics: Metrics;
  oidc: ProviderRegistry;
}

export async function buildServer(services: Services, options: { logger?: boolean } = {}): Promise<HttpServer> {
  const { config } = services;
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: config.trustProxy ? 'x-request-id' : false,
    requestTimeout: 30_000,
    return503OnClosing: true,
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
            serializers: {
              req: (req: { method: string; url: string; ip?: string; id?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip, id: req.id }),
            },
          },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: BODY_LIMIT_BYTES });
  registerSecurityHeaders(app, { https: config.baseUrl.protocol === 'https:' });
  const metrics = createMetrics(app, { defaultMetrics: config.env !== 'test', passkeyAdoption: () => services.store.passkeys.adoption(), now: () => services.clock.now() });
  // Overload is refused first, before even the request limits look the tenant up.
  registerLoadShedding(app, createLoadShedding({ maxEventLoopDelayMs: config.shedEventLoopDelayMs, maxDatabaseWaiting: config.shedDatabaseWaiting, waitingForConnection: services.waitingForConnection }), metrics);
  registerRequestLimits(app, services);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  // Security events reach the operator as a metric and a log line (attacks as warnings).
  const stopEvents = services.flows.events.subscribe((event) => {
    metrics.securityEvents.inc({ type: event.type, tenant: event.tenantId });
    const line = { securityEvent: event.type, tenant: event.tenantId, user: event.userId, ...event.details };
    if (event.type.startsWith('attack.') || event.type === 'account.failure_hold') app.log.warn(line, 'security event');
    else app.log.info(line, 'security event');
  });
  app.addHook('onClose', async () => {
    stopEvents();
  });

  app.setErrorHandler(async (error, request, reply) => {
    const failure = toFrontdoorError(error);
    if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    if (request.routeOptions.config?.page) return renderPageError(services, request, reply, failure);
    return reply.status(failure.status).type('application/json; charset=utf-8').send(errorBody(failure, requestLocale(request)));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const failure = new FrontdoorError('request.not_found');
    if ((request.headers.accept ?? '').includes('text/html')) return renderPageError(services, request, reply, failure);
    return reply.status(404).send(errorBody(failure, requestLocale(request)));
  });

  registerOpsRoutes(app, services, metrics);
  registerAssetRoutes(app, services);
  registerPageRoutes(app, services, metrics);
  registerInvitationPages(app, services);
  registerOrganizationAdminPages(app, services);
  registerHouseholdPages(app, services);
  registerSecondFactorRoutes(app, services, metrics);
  registerPasskeyRoutes(app, services, metrics);
  registerEmailSignInRoutes(app, services, metrics);
  registerFederationRoutes(app, services, metrics);
  registerSignInReportRoutes(app, services);
  registerProfilePromptRoutes(app, services);
  registerConsentReviewRoutes(app, services);
  registerReauthenticationRoutes(app, services);
  const oidc = createOidc(services, (level, message, details) => app.log[level](details ?? {}, message));
  await registerOidcRoutes(app, services, oidc);
  registerInteractionRoutes(app, services, oidc, metrics);
  await registerSignInApi(app, services, oidc, metrics);
  await registerAuthzCheckApi(app, services);
  if (config.env !== 'production') {
    registerDemoRelyingParty(app, {
      basePath: DEMO_APP_PATH,
      publicUrl: new URL(DEMO_APP_PATH, config.baseUrl).toString(),
      issuer: issuerFor(config.baseUrl, DEMO_TENANT),
      clientId: DEMO_CLIENT_ID,
    });
  }
  if (config.env !== 'production') registerDevMailbox(app, services);
  await registerAdminApi(app, services);
  return { app, metrics, oidc };
}
