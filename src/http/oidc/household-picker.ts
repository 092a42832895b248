// "Who is using {app}?" inside an app's sign-in: a member of a household whose app asks for the
// `household` scope picks the profile its tokens will act as (once per browser session, or again
// when the app sends `select_profile=1`). The choice is the same switch as on the hosted page: a
// PIN where one is set, the account holder's confirmation to leave a child profile.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { householdOf, profilesFor } from '../../core/households/households.ts';
import { actingProfile, switchProfile } from '../../core/households/profile-sessions.ts';
import type { Session, Tenant, User } from '../../core/ports.ts';
import { interactionPath } from '../../oidc/provider.ts';
import { cspWithFormTargets } from '../../pages/csp.ts';
import { tenantPath } from '../../pages/layout.ts';
import { renderProfilePickerPage } from '../../pages/views/household.ts';
import type { FormErrors } from '../../pages/views/types.ts';
import { csrfToken, verifyCsrf } from '../public/csrf.ts';
import { profileView } from '../public/household.ts';
import { currentSession, formField, isFormError, pageContext, sendPage, setFlowStyleCookie, withRetryAfter } from '../public/page-support.ts';
import { requestContext } from '../request-context.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
const page = { config: { page: true } };

/** Marks the interaction whose picker was answered, so `select_profile=1` does not ask twice. */
function pickedCookieName(tenantId: string): string {
  return `__Host-fd-picked-${tenantId}`;
}

/** The picker is shown when the session has chosen no profile yet, or the app asks again and this interaction has not been answered. */
export function householdPickerDue(request: FastifyRequest, tenant: Tenant, details: Details, session: Session): boolean {
  if (!session.profileId) return true;
  return details.params.select_profile === '1' && request.cookies[pickedCookieName(tenant.id)] !== details.uid;
}

export async function showHouseholdPicker(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  details: Details,
  current: { session: Session; user: User },
  options: { appName: string; csrfScope: string; errors?: FormErrors; failedProfileId?: string; status?: number },
): Promise<FastifyReply> {
  const found = await householdOf(services.store, tenant.id, current.user.id);
  if (!found) throw new FrontdoorError('interaction.invalid', { detail: 'no household' });
  const profiles = profilesFor(await services.store.households.profiles(tenant.id, found.household.id), current.user.id);
  const acting = await actingProfile(services.store, tenant.id, current.user.id, current.session.profileId);
  const ctx = { ...pageContext(services, request, reply, tenant), csrfToken: csrfToken(request, reply, services.csrfKey, options.csrfScope) };
  reply.header('content-security-policy', cspWithFormTargets([String(details.params.redirect_uri ?? '')]));
  return sendPage(
    reply,
    renderProfilePickerPage(ctx, {
      appName: options.appName,
      action: `${interactionPath(tenant.id, details.uid)}/household-profile`,
      profiles: profiles.map((p) => profileView(p, current.user.id)),
      actingId: current.session.profileId ? (acting?.id ?? null) : null,
      ...(options.errors ? { errors: options.errors } : {}),
      ...(options.failedProfileId ? { failedProfileId: options.failedProfileId } : {}),
    }),
    options.status ?? 200,
  );
}

export function registerHouseholdPickerRoute(
  app: FastifyInstance,
  services: Services,
  helpers: {
    load(request: FastifyRequest, reply: FastifyReply): Promise<{ provider: Provider; tenant: Tenant; details: Details }>;
    appName(provider: Provider, details: Details): Promise<string>;
    csrfScope(tenantId: string, uid: string): string;
  },
): void {
  app.post('/t/:tenant/interaction/:uid/household-profile', page, async (request, reply) => {
    const { provider, tenant, details } = await helpers.load(request, reply);
    const scope = helpers.csrfScope(tenant.id, details.uid);
    verifyCsrf(request, services.csrfKey, scope);
    if (details.prompt.name !== 'consent') throw new FrontdoorError('interaction.invalid', { detail: 'not waiting for a profile choice' });
    const current = await currentSession(services, request, tenant);
    if (!current || current.user.id !== details.session?.accountId) throw new FrontdoorError('interaction.invalid', { detail: 'profile choice without the signed-in session' });
    const profileId = formField(request.body, 'profile_id');
    try {
      await switchProfile(services, tenant, current, profileId, formField(request.body, 'pin'), requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (error instanceof FrontdoorError && error.code === 'household.confirmation_required') {
        return reply.redirect(`${tenantPath(tenant.id, '/account/confirm')}?next=${encodeURIComponent(interactionPath(tenant.id, details.uid))}`, 303);
      }
      if (!isFormError(error) || error.code === 'household.profile_not_found') throw error;
      const status = withRetryAfter(reply, error);
      return showHouseholdPicker(services, request, reply, tenant, details, current, { appName: await helpers.appName(provider, details), csrfScope: scope, errors: { fields: { pin: error.code } }, ...(profileId ? { failedProfileId: profileId } : {}), status });
    }
    setFlowStyleCookie(reply, pickedCookieName(tenant.id), details.uid, 900);
    return reply.redirect(interactionPath(tenant.id, details.uid), 303);
  });
}
