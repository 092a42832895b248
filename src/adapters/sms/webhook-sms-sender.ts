// Text messages handed to the tenant operator's SMS gateway through one HTTP webhook: a JSON POST
// `{ tenant, to, text }` with `x-frontdoor-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">`, so any provider (Twilio, Vonage, MessageBird…) sits behind a small relay the
// operator controls. The message text holds a code: it is never logged, and errors name no secret.
import { createHmac } from 'node:crypto';
import type { Clock, SmsSender } from '../../core/ports.ts';

const TIMEOUT_MS = 5000;

export function signWebhookBody(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export function createWebhookSmsSender(options: { url: string; secret: string; clock: Clock }): SmsSender {
  return {
    async send(message) {
      const body = JSON.stringify({ tenant: message.tenantId, to: message.to, text: message.text });
      const timestamp = Math.floor(options.clock.now() / 1000);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-frontdoor-signature': signWebhookBody(options.secret, timestamp, body) },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (cause) {
        throw new Error(`SMS webhook unreachable (${cause instanceof Error ? cause.name : 'error'})`);
      }
      // Drain the body so the connection is reused; its content is not ours to log.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
    },
  };
}
