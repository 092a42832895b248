// CSRF defence for the hosted forms: a signed double-submit token. The browser holds a random
// `__Host-` cookie; every form carries HMAC(key, tenant:cookie). A cross-site page can neither read
// the cookie nor compute the MAC. Fetch metadata refuses cross-site form posts early.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../core/errors.ts';
import { hmac, randomToken, safeEqual } from '../../core/secrets.ts';

export const CSRF_COOKIE = '__Host-fd-csrf';

/** Returns the form token for this browser, setting the cookie when it has none. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, key: Buffer, tenantId: string): string {
  let secret = request.cookies[CSRF_COOKIE];
  if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
    secret = randomToken();
    request.cookies[CSRF_COOKIE] = secret; // later calls in this request reuse it
    reply.setCookie(CSRF_COOKIE, secret, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
  }
  return hmac(key, `${tenantId}:${secret}`);
}

export function verifyCsrf(request: FastifyRequest, key: Buffer, tenantId: string): void {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') throw new FrontdoorError('request.csrf', { detail: 'cross-site form post' });
  const secret = request.cookies[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const sent = body && typeof body._csrf === 'string' ? body._csrf : '';
  if (!secret || !sent || !safeEqual(sent, hmac(key, `${tenantId}:${secret}`))) {
    throw new FrontdoorError('request.csrf', { detail: 'missing or wrong CSRF token' });
  }
}
