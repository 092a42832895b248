// Hands /t/{tenant}/oidc/* to the tenant's oidc-provider. The provider reads its own request
// bodies, so these routes parse nothing; it builds every URL from the public base URL, because we
// replace whatever X-Forwarded-* the client sent with our own values.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { ProviderRegistry } from '../../oidc/registry.ts';
import { CONTENT_SECURITY_POLICY } from '../../pages/csp.ts';

const MOUNT = /^\/t\/[^/?#]+\/oidc(?=\/|\?|$)/;
const CACHEABLE = /^\/(?:\.well-known\/openid-configuration|jwks)(?:\?|$)/;

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const handlers = new WeakMap<Provider, Handler>();

function handlerOf(provider: Provider): Handler {
  let handler = handlers.get(provider);
  if (!handler) {
    handler = provider.callback() as unknown as Handler;
    handlers.set(provider, handler);
  }
  return handler;
}

export async function registerOidcRoutes(app: FastifyInstance, services: Services, registry: ProviderRegistry): Promise<void> {
  const { baseUrl } = services.config;
  const https = baseUrl.protocol === 'https:';

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream unread: oidc-provider parses (and size-limits) it itself.
    scope.addContentTypeParser('*', (_request: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null));

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { tenant: tenantId } = request.params as { tenant: string };
      const { provider } = await registry.get(tenantId);
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/';
      const mount = MOUNT.exec(url);
      if (!mount) throw new FrontdoorError('request.not_found');
      raw.originalUrl = url;
      raw.url = url.slice(mount[0].length) || '/';
      if (!raw.url.startsWith('/')) raw.url = `/${raw.url}`;
      // Read before the headers go: with a trusted proxy, request.ip comes from X-Forwarded-For.
      const clientIp = request.ip;
      for (const name of Object.keys(raw.headers)) if (name.startsWith('x-forwarded-')) delete raw.headers[name];
      raw.headers['x-forwarded-proto'] = baseUrl.protocol.slice(0, -1);
      raw.headers['x-forwarded-host'] = baseUrl.host;
      raw.headers['x-forwarded-for'] = clientIp;

      const res = reply.raw;
      res.setHeader('x-request-id', String(request.id));
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('x-frame-options', 'DENY');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
      // Discovery and keys may be cached briefly (a new key is published before it signs);
      // everything else carries codes, tokens or personal data.
      res.setHeader('cache-control', CACHEABLE.test(raw.url) && request.method === 'GET' ? 'public, max-age=300' : 'no-store');
      reply.hijack();
      await handlerOf(provider)(raw, res);
    };

    scope.all('/t/:tenant/oidc', handle);
    scope.all('/t/:tenant/oidc/*', handle);
  });
}
