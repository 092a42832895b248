// Progressive profiling on the hosted pages: after a sign-in, the short form of a rule that is due
// (core/users/profile-rules.ts), then on to where the customer was going. Rules about an app or a
// scope are asked inside that app's sign-in instead (http/oidc/interactions.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { Tenant, User } from '../../core/ports.ts';
import { answerPrompt, duePrompt, skipPrompt, type DuePrompt } from '../../core/users/profile-rules.ts';
import { profileSchemaOf } from '../../core/users/profile-schema.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderProfilePromptPage } from '../../pages/views/profile-prompt.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import { requestContext } from '../request-context.ts';
import { currentSession, formErrors, formField, isFormError, loadTenant, pageContext, sameTenantPath, sendPage } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };
/** Where a hosted sign-in's prompt is: nothing about an app. */
export const HOSTED = { clientId: null, scopes: [] } as const;

/** The prompt's fields: what the rule still needs, as the schema describes it. */
export function promptFields(tenant: Tenant, prompt: DuePrompt, values: Record<string, unknown>, errors: FormErrors | undefined) {
  const schema = profileSchemaOf(tenant);
  return prompt.attributes.map((name) => ({
    name,
    attribute: schema.properties[name]!,
    value: values[name],
    required: prompt.rule.required,
    error: errors?.fields?.[`profile.${name}`],
    hint: schema.properties[name]!.description,
  }));
}

export function registerProfilePromptRoutes(app: FastifyInstance, services: Services): void {
  const show = (request: FastifyRequest, reply: FastifyReply, tenant: Tenant, prompt: DuePrompt, next: string, extra: { values?: Record<string, unknown>; errors?: FormErrors } = {}) =>
    sendPage(
      reply,
      renderProfilePromptPage(pageContext(services, request, reply, tenant), {
        action: tenantPath(tenant.id, '/profile/complete'),
        next,
        skippable: !prompt.rule.required,
        fields: promptFields(tenant, prompt, extra.values ?? {}, extra.errors),
        ...(extra.errors ? { errors: extra.errors } : {}),
      }),
      extra.errors ? 400 : 200,
    );
  const destination = (tenant: Tenant, raw: unknown) => sameTenantPath(tenant, raw) ?? tenantPath(tenant.id, '/account');

  app.get('/t/:tenant/profile/complete', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    const next = destination(tenant, (request.query as Record<string, unknown>).next);
    const prompt = await duePrompt(services.flows, tenant, current.user, HOSTED);
    if (!prompt) return reply.redirect(next, 303);
    return show(request, reply, tenant, prompt, next);
  });

  app.post('/t/:tenant/profile/complete', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const next = destination(tenant, formField(request.body, 'next'));
    const prompt = await duePrompt(services.flows, tenant, current.user, HOSTED);
    if (!prompt) return reply.redirect(next, 303);
    const error = await answer(services, request, tenant, current.user, prompt);
    if (error) return show(request, reply, tenant, prompt, next, error);
    return reply.redirect(next, 303);
  });
}

/** Saves or skips the prompt from the posted form; the form's errors when it does not fit. */
export async function answer(services: Services, request: FastifyRequest, tenant: Tenant, user: User, prompt: DuePrompt): Promise<{ values: Record<string, unknown>; errors: FormErrors } | null> {
  const ctx = requestContext(request, `user:${user.id}`);
  const field = (name: string) => formField(request.body, name);
  try {
    if (field('skip') === '1') await skipPrompt(services.flows, tenant, user, prompt, ctx);
    else await answerPrompt(services.flows, tenant, user, prompt, field, ctx);
    return null;
  } catch (error) {
    if (!isFormError(error)) throw error;
    const values = Object.fromEntries(prompt.attributes.map((name) => [name, field(`profile.${name}`)]));
    return { values, errors: formErrors(error) };
  }
}
