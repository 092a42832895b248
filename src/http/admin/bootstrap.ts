// POST /bootstrap: exchanges a one-time setup token (from `frontdoor admin bootstrap`, ≤ 1 h) for an
// admin bearer token. The only write route that needs no bearer token: the setup token is the
// credential, redeemed atomically, so a second use of it fails.
import type { Services } from '../../app.ts';
import { redeemSetupToken } from '../../core/admin/admin-credentials.ts';
import { BootstrapBody, BootstrapResponse, ErrorResponse, type AdminApp } from './schemas.ts';

export function registerBootstrapRoute(app: AdminApp, services: Services): void {
  app.post(
    '/bootstrap',
    {
      config: { adminPublic: true },
      schema: {
        tags: ['admin'],
        summary: 'Redeem a setup token for an admin token',
        description: 'Needs no bearer token. The setup token comes from `frontdoor admin bootstrap`; the admin token is shown once.',
        security: [],
        body: BootstrapBody,
        response: { 201: BootstrapResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { token } = await redeemSetupToken(services, request.body.setup_token, request.body.name?.trim() || 'bootstrap');
      return reply.status(201).send({ token });
    },
  );
}
