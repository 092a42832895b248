// Asking again: after a sign-in, a customer who agreed to a purpose whose policy has since changed
// so much that the tenant asks again (`ask_again`) sees those purposes unticked; what they tick is
// granted under the new version, the rest withdrawn - either way they are not asked again.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { consentsToReview, recordConsentChoices } from '../../core/consent/consent.ts';
import type { ConsentPurpose } from '../../core/ports.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderConsentReviewPage } from '../../pages/views/consent-review.ts';
import type { ConsentChoiceView } from '../../pages/views/consent.ts';
import { requestContext } from '../request-context.ts';
import { postedConsents } from './consent-form.ts';
import { currentSession, formField, loadTenant, pageContext, sameTenantPath, sendPage } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };

const unticked = (purpose: ConsentPurpose): ConsentChoiceView => ({ id: purpose.id, name: purpose.name, description: purpose.description, policyText: purpose.policyText, version: purpose.version, checked: false, askAgain: true });

export function registerConsentReviewRoutes(app: FastifyInstance, services: Services): void {
  app.get('/t/:tenant/consents/review', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    const next = sameTenantPath(tenant, (request.query as Record<string, unknown>).next) ?? tenantPath(tenant.id, '/account');
    const review = await consentsToReview(services.store, tenant.id, current.user.id);
    if (review.length === 0) return reply.redirect(next, 303);
    return sendPage(reply, renderConsentReviewPage(pageContext(services, request, reply, tenant), { action: tenantPath(tenant.id, '/consents/review'), next, choices: review.map((s) => unticked(s.purpose)) }));
  });

  app.post('/t/:tenant/consents/review', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const next = sameTenantPath(tenant, formField(request.body, 'next')) ?? tenantPath(tenant.id, '/account');
    const review = await consentsToReview(services.store, tenant.id, current.user.id);
    if (review.length > 0) {
      const choices = postedConsents(request.body, review.map((s) => s.purpose));
      await recordConsentChoices(services.flows, tenant, current.user.id, choices, 'sign_in', requestContext(request, `user:${current.user.id}`));
    }
    return reply.redirect(next, 303);
  });
}
