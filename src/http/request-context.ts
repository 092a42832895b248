import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../core/context.ts';
import { negotiateLocale, type Locale } from '../pages/i18n/index.ts';

export const LANG_COOKIE = '__Host-fd-lang';

export function requestLocale(request: FastifyRequest): Locale {
  const query = request.query as Record<string, unknown> | undefined;
  const override = typeof query?.lang === 'string' ? query.lang : request.cookies?.[LANG_COOKIE];
  return negotiateLocale(request.headers['accept-language'], override);
}

export function requestContext(request: FastifyRequest, actor = 'anonymous'): RequestContext {
  const ua = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof ua === 'string' ? ua : null,
    requestId: String(request.id),
    locale: requestLocale(request),
    actor,
  };
}
