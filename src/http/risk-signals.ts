// What the edge reads from a browser for the risk engine: its device id (a long-lived signed cookie
// per tenant, so tenants cannot link a browser), its client hints, how long the form took (a
// signed stamp rendered into it), and the answer to a bot challenge.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app.ts';
import type { Tenant } from '../core/ports.ts';
import type { BotChallengePurpose } from '../core/risk/bot-challenge.ts';
import type { ClientSignals } from '../core/risk/risk-service.ts';
import type { AttemptKind } from '../core/risk/signal.ts';
import { hmac, randomToken, safeEqual } from '../core/secrets.ts';
import { describeUserAgent } from '../pages/views/device.ts';
import type { FormRisk } from '../pages/views/risk.ts';
import { requestContext } from './request-context.ts';

/** Chromium caps cookie lifetimes at 400 days. */
const DEVICE_COOKIE_SECONDS = 400 * 24 * 3600;
/** A form stamp older than this says nothing about pace (the page sat open). */
const FORM_STAMP_MAX_AGE_MS = 2 * 3600 * 1000;
const HINTS = ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform'] as const;

export function deviceIdCookieName(tenantId: string): string {
  return `__Host-fd-did-${tenantId}`;
}

const deviceMac = (services: Services, tenantId: string, id: string) => hmac(services.riskKeys.device, `${tenantId}:${id}`).slice(0, 22);

/** The browser's device id from its cookie when the signature holds; null otherwise. */
export function readDeviceId(services: Services, request: FastifyRequest, tenant: Tenant): string | null {
  const value = request.cookies[deviceIdCookieName(tenant.id)];
  if (typeof value !== 'string' || value.length > 100) return null;
  const [id, mac] = value.split('.');
  if (!id || !mac || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
  return safeEqual(mac, deviceMac(services, tenant.id, id)) ? id : null;
}

/** The signed cookie value that carries device id `id` for this tenant. */
export function deviceCookieValue(services: Services, tenantId: string, id: string): string {
  return `${id}.${deviceMac(services, tenantId, id)}`;
}

/** The device id, giving the browser one when it has none. */
export function ensureDeviceId(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant): string {
  const existing = readDeviceId(services, request, tenant);
  if (existing) return existing;
  const id = randomToken(16);
  reply.setCookie(deviceIdCookieName(tenant.id), deviceCookieValue(services, tenant.id, id), { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: DEVICE_COOKIE_SECONDS });
  return id;
}

export function formStamp(services: Services, tenant: Tenant): string {
  const at = String(services.clock.now());
  return `${at}.${hmac(services.riskKeys.form, `${tenant.id}:${at}`).slice(0, 22)}`;
}

/** Milliseconds since the form was served, from its stamp; null when absent, forged or stale. */
export function formMillis(services: Services, tenant: Tenant, body: unknown): number | null {
  const value = (body as Record<string, unknown> | null | undefined)?.form_ts;
  if (typeof value !== 'string' || value.length > 64) return null;
  const [at, mac] = value.split('.');
  if (!at || !mac || !/^\d{1,16}$/.test(at) || !safeEqual(mac, hmac(services.riskKeys.form, `${tenant.id}:${at}`).slice(0, 22))) return null;
  const elapsed = services.clock.now() - Number(at);
  return elapsed >= 0 && elapsed <= FORM_STAMP_MAX_AGE_MS ? elapsed : null;
}

function clientHints(request: FastifyRequest): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const name of HINTS) {
    const value = request.headers[name];
    if (typeof value === 'string') hints[name] = value.slice(0, 256);
  }
  return hints;
}

/** What any request of this browser shows: its device, its name, its client hints. */
function requestSignals(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant): ClientSignals {
  return { deviceId: ensureDeviceId(services, request, reply, tenant), deviceName: describeUserAgent(request.headers['user-agent'] ?? null, 'en'), clientHints: clientHints(request), formMillis: null, botChallenge: null };
}

/** Everything the browser showed, for an attempt posted from a form: also its pace and its bot-challenge answer. */
export async function browserSignals(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, purpose: BotChallengePurpose | null): Promise<ClientSignals> {
  const body = request.body as Record<string, unknown> | undefined;
  return {
    ...requestSignals(services, request, reply, tenant),
    formMillis: formMillis(services, tenant, body),
    botChallenge: purpose ? await services.flows.botChallenges.verify(tenant, purpose, body?.bot_solution) : null,
  };
}

/**
 * The risk part of a form about to be rendered: its stamp, and a bot challenge when the source
 * already looks risky (or `challengeScore` says the last attempt was challenged).
 */
export async function formRisk(services: Services, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, kind: AttemptKind, purpose: BotChallengePurpose, challengeScore?: number): Promise<FormRisk> {
  let score = challengeScore;
  if (score === undefined) {
    const source = await services.flows.risk.assessSource(tenant, kind, requestSignals(services, request, reply, tenant), requestContext(request));
    if (source.action === 'challenge' || source.action === 'deny') score = source.score;
  }
  const stamp = formStamp(services, tenant);
  return score === undefined ? { formStamp: stamp } : { formStamp: stamp, botChallenge: await services.flows.botChallenges.create(tenant, purpose, score) };
}
