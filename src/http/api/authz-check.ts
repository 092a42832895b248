// POST /t/{tenant}/authz/check: a decision for an API that wants one rather than a token claim.
// The calling app authenticates with its client credentials (HTTP Basic, as at the token
// endpoint); it asks whether a user may do an action (a permission) on a resource with given
// attributes in a given context, one check or up to 100 at once, and gets allow or deny with the
// reason. Decisions come from core/authz/access.ts.
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Services } from '../../app.ts';
import { secretMatches } from '../../core/apps/app-admin.ts';
import type { CheckInput, Decision } from '../../core/authz/access.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Tenant } from '../../core/ports.ts';
import { safeEqual } from '../../core/secrets.ts';
import { registerAdminParsing } from '../admin/validation.ts';
import { loadTenant } from '../public/page-support.ts';

const closed = { additionalProperties: false } as const;
const MAX_BATCH = 100;

const Attributes = (description: string) => Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50, description });
const Check = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 100, description: 'The user id (`sub` of a public-subject token).' }),
    action: Type.String({ minLength: 1, maxLength: 100, description: 'A permission, e.g. `transfer:funds`.' }),
    api: Type.Optional(Type.String({ maxLength: 500, description: 'The API resource identifier the permission belongs to (default: any of the tenant).' })),
    resource: Type.Optional(Attributes('Attributes of what is acted on, read by conditions as `resource.*`, e.g. `{"amount": 2500}`.')),
    context: Type.Optional(Attributes('The circumstances, read as `context.*`, e.g. `{"acr": "phr"}`; `context.time` defaults to now (seconds).')),
    organization_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The organization acted in (`org_id` of the access token): the user’s roles there that name tenant roles count. A non-member is denied.' })),
    profile_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The household profile acting (`profile_id` of the access token): conditions read it as `profile.*`. One the user cannot act as is denied.' })),
  },
  closed,
);
const Result = Type.Object(
  {
    allowed: Type.Boolean(),
    reason: Type.String({ description: 'Which role allowed it, or why nothing did. For logs; do not match on it.' }),
    role: Type.Optional(Type.String()),
    missing: Type.Optional(Type.Array(Type.String(), { description: 'Facts a condition needed that the check did not give.' })),
  },
  closed,
);
const Body = Type.Union([Check, Type.Object({ checks: Type.Array(Check, { minItems: 1, maxItems: MAX_BATCH }) }, closed)]);
const Response = Type.Union([Result, Type.Object({ results: Type.Array(Result) }, closed)]);
const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: true });

type CheckBody = Static<typeof Check>;

function toInput(check: CheckBody): CheckInput {
  return { subject: check.subject, action: check.action, ...(check.api !== undefined ? { api: check.api } : {}), ...(check.resource ? { resource: check.resource } : {}), ...(check.context ? { context: check.context } : {}), ...(check.profile_id !== undefined ? { profileId: check.profile_id } : {}), ...(check.organization_id !== undefined ? { organizationId: check.organization_id } : {}) };
}

function toWire(decision: Decision) {
  return { allowed: decision.allowed, reason: decision.reason, ...(decision.role ? { role: decision.role } : {}), ...(decision.missing ? { missing: decision.missing } : {}) };
}

/** The app of this tenant whose client credentials the request carries (HTTP Basic); otherwise auth.unauthorized. */
async function callingApp(services: Services, request: FastifyRequest, tenant: Tenant) {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Basic ([A-Za-z0-9+/=]{1,1000})$/.exec(header) : null;
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new FrontdoorError('auth.unauthorized', { detail: 'client credentials (HTTP Basic) required' });
  // RFC 6749 2.3.1: both parts are form-urlencoded inside Basic.
  const formDecode = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      throw new FrontdoorError('auth.unauthorized', { detail: 'malformed client credentials' });
    }
  };
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  const app = await services.store.apps.findByClientId(tenant.id, clientId);
  if (!app || app.secretHash === null || !secretMatches(app, secret, services.clock.now(), safeEqual)) throw new FrontdoorError('auth.unauthorized', { detail: 'invalid client credentials' });
  return app;
}

export async function registerAuthzCheckApi(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(
    async (scope) => {
      const api = scope.withTypeProvider<TypeBoxTypeProvider>();
      registerAdminParsing(api as never);
      api.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);
      await api.register(fastifySwagger, {
        openapi: {
          openapi: '3.1.0',
          info: { title: 'Frontdoor authorization check API', version: '1', description: 'Ask whether a user may do something. Authenticate with the app’s client credentials (HTTP Basic). Errors are `{error, message}`.' },
          servers: [{ url: services.config.baseUrl.origin }],
          components: { securitySchemes: { client: { type: 'http', scheme: 'basic' } } },
          security: [{ client: [] }],
        },
      });
      api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
      api.post(
        '/check',
        {
          schema: {
            summary: 'Decide one check, or up to 100',
            params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 40 }) }, closed),
            body: Body,
            response: { 200: Response, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
          },
        },
        async (request) => {
          const tenant = await loadTenant(services, request);
          await callingApp(services, request, tenant);
          const body = request.body;
          if ('checks' in body) return { results: await Promise.all(body.checks.map(async (check) => toWire(await services.access.check(tenant, toInput(check))))) };
          return toWire(await services.access.check(tenant, toInput(body)));
        },
      );
    },
    { prefix: '/t/:tenant/authz' },
  );
}
