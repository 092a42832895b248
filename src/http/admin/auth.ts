// Requirement: every admin route answers 401 without a valid admin bearer token and 403 for a
// bearer that is a credential of another kind; only routes marked `config.adminPublic` skip this.
// The check runs in onRequest, before the body is parsed or validated.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { authenticateAdmin } from '../../core/admin/admin-credentials.ts';
import type { RequestContext } from '../../core/context.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { AdminToken } from '../../core/ports.ts';
import { requestContext } from '../request-context.ts';
import type { AdminApp } from './schemas.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Admin route reachable without a bearer token (the OpenAPI document, bootstrap). */
    adminPublic?: boolean;
  }
  interface FastifyRequest {
    /** The admin credential behind the request; set on every non-public admin route. */
    adminToken: AdminToken | null;
  }
}

/** RFC 6750 §2.1: `Bearer` (any case), one space, a token68. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
/** A setup token (`frontdoor admin bootstrap`) is redeemed at /bootstrap, never used as a bearer. */
const SETUP_TOKEN = /^fds_[A-Za-z0-9_-]{16,124}$/;
const CHALLENGE = 'Bearer realm="frontdoor-admin"';

function bearerToken(header: string | undefined): string | undefined {
  if (!header || header.length > 1024) return undefined;
  return BEARER.exec(header)?.[1];
}

export function registerAdminAuth(app: AdminApp, services: Services): void {
  app.decorateRequest('adminToken', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.adminPublic) return;
    const bearer = bearerToken(request.headers.authorization);
    if (bearer && SETUP_TOKEN.test(bearer)) {
      reply.header('www-authenticate', `${CHALLENGE}, error="insufficient_scope"`);
      throw new FrontdoorError('auth.forbidden', { detail: 'a setup token was presented as an admin bearer token' });
    }
    const token = await authenticateAdmin(services, bearer);
    if (!token) {
      reply.header('www-authenticate', bearer ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE);
      throw new FrontdoorError('auth.unauthorized');
    }
    request.adminToken = token;
  });
}

/** Audit context of an authenticated admin request: the actor is `admin:<token id>`. */
export function adminContext(request: FastifyRequest): RequestContext {
  if (!request.adminToken) throw new FrontdoorError('auth.unauthorized', { detail: 'admin context on an unauthenticated route' });
  return requestContext(request, `admin:${request.adminToken.id}`);
}
