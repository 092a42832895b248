// Headers every response carries. Pages are locked to our own origin (no inline code, no framing);
// everything that is not a static asset is `no-store`, since pages show or take secrets.
import type { FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY } from '../pages/csp.ts';

export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    // A route may set its own policy: interaction pages add the app origin to `form-action` (src/oidc/pages.ts).
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
