// /t/{tenant}/household: the signed-in customer's household — its profiles, members, devices and
// invitations for the owner; "Who is using?" (switching profile) for every member; the page behind
// an invitation's link; and /household/limit, where a sign-in held at the plan's bound offers to
// sign out another device. Every route acts only inside the customer's own household (others' ids
// answer not found), and a session acting as a child profile manages nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { releaseHeldSignIn, findHeldSignIn } from '../../core/households/held-sign-ins.ts';
import {
  acceptHouseholdInvitation,
  createHousehold,
  createManagedProfile,
  deleteManagedProfile,
  householdInvitationIsFor,
  householdLimits,
  householdOf,
  inviteHouseholdMember,
  openHouseholdInvitation,
  planLimits,
  profilesFor,
  removeHouseholdDevice,
  removeHouseholdMember,
  requireOwnedHousehold,
  updateHouseholdProfile,
  type ProfileInput,
} from '../../core/households/households.ts';
import { actingProfile, switchProfile } from '../../core/households/profile-sessions.ts';
import type { Household, HouseholdProfile, Session, Tenant, User } from '../../core/ports.ts';
import { maskEmail } from '../../core/users/email-change.ts';
import { tenantPath } from '../../pages/layout.ts';
import { describeUserAgent } from '../../pages/views/device.ts';
import { renderHouseholdInvitationPage, renderHouseholdLimitPage, renderHouseholdPage, renderProfilePickerPage, type ProfileView } from '../../pages/views/household.ts';
import { parseNotice, type FormErrors } from '../../pages/views/types.ts';
import { requestContext } from '../request-context.ts';
import { verifyCsrf } from './csrf.ts';
import { clearFlowStyleCookie, currentSession, formField, heldSignInCookieName, isFormError, loadTenant, pageContext, sameTenantPath, sendPage, startUserSession, withRetryAfter } from './page-support.ts';
import { signedInPost } from './signed-in.ts';

const page = { config: { page: true } };

export function profileView(p: HouseholdProfile, viewerId: string): ProfileView {
  return { id: p.id, name: p.name, kind: p.kind, maxAgeRating: p.maxAgeRating, purchases: p.purchases, hasPin: p.pinHash !== null, own: p.userId === viewerId, managed: p.userId === null };
}

/** The form's profile fields, as the domain takes them (empty rating: no bound). */
function profileInput(body: unknown, withRestrictions: boolean): ProfileInput {
  const field = (name: string) => formField(body, name);
  const pin = field('pin');
  return {
    ...(field('name') !== undefined ? { name: field('name') } : {}),
    ...(withRestrictions && field('kind') !== undefined ? { kind: field('kind') } : {}),
    ...(withRestrictions && field('max_age_rating') !== undefined ? { maxAgeRating: field('max_age_rating') === '' ? null : field('max_age_rating') } : {}),
    ...(withRestrictions && field('purchases') !== undefined ? { purchases: field('purchases') } : {}),
    ...(field('remove_pin') === '1' ? { pin: null } : pin ? { pin } : {}),
  };
}

export function registerHouseholdPages(app: FastifyInstance, services: Services): void {
  const { store } = services;
  const back = (reply: FastifyReply, tenant: Tenant, notice: string) => reply.redirect(`${tenantPath(tenant.id, '/household')}?notice=${notice}`, 303);

  async function showHousehold(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, current: { session: Session; user: User }, extra: { errors?: FormErrors; status?: number } = {}) {
    const ctx = pageContext(services, request, reply, tenant);
    const notice = parseNotice((request.query as Record<string, unknown>).notice);
    const common = { ...(notice ? { notice } : {}), ...(extra.errors ? { errors: extra.errors } : {}) };
    const found = await householdOf(store, tenant.id, current.user.id);
    if (!found) {
      const state = planLimits(tenant, current.user) ? 'can_start' : 'none';
      return sendPage(reply, renderHouseholdPage(ctx, { state, isOwner: false, profiles: [], members: [], devices: [], ...common }), extra.status ?? 200);
    }
    const { household, member } = found;
    const [profiles, members, devices, limits, acting] = await Promise.all([
      store.households.profiles(tenant.id, household.id),
      store.households.members(tenant.id, household.id),
      store.households.devices(tenant.id, household.id),
      householdLimits(store, tenant, household),
      actingProfile(store, tenant.id, current.user.id, current.session.profileId),
    ]);
    const emails = new Map(await Promise.all(members.map(async (m) => [m.userId, (await store.users.get(tenant.id, m.userId))?.email ?? m.userId] as const)));
    // A session acting as a child profile sees the household but changes nothing in it.
    const managing = acting?.kind !== 'child';
    const isOwner = member.role === 'owner' && managing;
    const visible = isOwner ? profiles : profilesFor(profiles, current.user.id);
    return sendPage(
      reply,
      renderHouseholdPage(ctx, {
        state: 'member',
        isOwner,
        acting: acting ? profileView(acting, current.user.id) : null,
        profiles: visible.map((p) => ({ ...profileView(p, current.user.id), own: managing && p.userId === current.user.id })),
        members: members.map((m) => ({ userId: m.userId, email: emails.get(m.userId) ?? m.userId, role: m.role, self: m.userId === current.user.id })),
        devices: isOwner ? devices.map((d) => ({ id: d.deviceHash, name: d.name, who: emails.get(d.userId) ?? '', lastSeenAt: d.lastSeenAt })) : [],
        limits: { maxMembers: limits.maxMembers, maxProfiles: limits.maxProfiles, maxDevices: limits.maxDevices ?? null, maxConcurrentSessions: limits.maxConcurrentSessions ?? null },
        ...common,
      }),
      extra.status ?? 200,
    );
  }

  /** A form post that changes the household: signed in, not acting as a child profile. */
  async function managingPost(request: FastifyRequest, reply: FastifyReply) {
    const found = await signedInPost(services, request, reply);
    if (!found) return null;
    const acting = await actingProfile(store, found.tenant.id, found.current.user.id, found.current.session.profileId);
    if (acting?.kind === 'child') throw new FrontdoorError('household.confirmation_required');
    return found;
  }

  /** The household the customer owns, for an owner's post; otherwise not found / owner_required. */
  async function ownerPost(request: FastifyRequest, reply: FastifyReply): Promise<{ tenant: Tenant; current: { session: Session; user: User }; household: Household } | null> {
    const found = await managingPost(request, reply);
    if (!found) return null;
    return { ...found, household: await requireOwnedHousehold(store, found.tenant.id, found.current.user) };
  }

  /** Runs a change; a form error shows the page again with it. */
  async function change(request: FastifyRequest, reply: FastifyReply, found: { tenant: Tenant; current: { session: Session; user: User } }, work: () => Promise<unknown>, notice: string) {
    try {
      await work();
    } catch (error) {
      if (!isFormError(error) || error.status === 404) throw error;
      return showHousehold(request, reply, found.tenant, found.current, { errors: error.field ? { fields: { [error.field]: error.code } } : { form: error.code }, status: error.status });
    }
    return back(reply, found.tenant, notice);
  }

  app.get('/t/:tenant/household', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    return showHousehold(request, reply, tenant, current);
  });

  app.post('/t/:tenant/household', page, async (request, reply) => {
    const found = await managingPost(request, reply);
    if (!found) return reply;
    const ctx = requestContext(request, `user:${found.current.user.id}`);
    return change(request, reply, found, () => createHousehold(services, found.tenant, found.current.user.id, ctx), 'household_created');
  });

  app.post('/t/:tenant/household/invitations', page, async (request, reply) => {
    const found = await ownerPost(request, reply);
    if (!found) return reply;
    const { tenant, current, household } = found;
    const inviter = (typeof current.user.profile.given_name === 'string' && current.user.profile.given_name) || current.user.email;
    const ctx = requestContext(request, `user:${current.user.id}`);
    return change(request, reply, found, () => inviteHouseholdMember({ ...services, mailer: services.flows.mailer }, tenant, household, { email: formField(request.body, 'invitee'), inviterName: inviter }, ctx).catch((e: unknown) => {
      if (e instanceof FrontdoorError && e.code === 'email.invalid') throw new FrontdoorError('email.invalid', { field: 'invitee' });
      throw e;
    }), 'household_invitation_sent');
  });

  app.post('/t/:tenant/household/members/:userId/remove', page, async (request, reply) => {
    const found = await ownerPost(request, reply);
    if (!found) return reply;
    const { userId } = request.params as { userId: string };
    await removeHouseholdMember(services, found.tenant.id, found.household, userId, requestContext(request, `user:${found.current.user.id}`));
    return back(reply, found.tenant, 'household_member_removed');
  });

  app.post('/t/:tenant/household/profiles', page, async (request, reply) => {
    const found = await ownerPost(request, reply);
    if (!found) return reply;
    const ctx = requestContext(request, `user:${found.current.user.id}`);
    return change(request, reply, found, () => createManagedProfile(services, found.tenant, found.household, profileInput(request.body, true), ctx), 'household_profile_saved');
  });

  app.post('/t/:tenant/household/profiles/:profileId', page, async (request, reply) => {
    const found = await managingPost(request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const household = await householdOf(store, tenant.id, current.user.id);
    if (!household) throw new FrontdoorError('household.profile_not_found');
    const { profileId } = request.params as { profileId: string };
    const byOwner = household.member.role === 'owner';
    const target = await store.households.profile(tenant.id, household.household.id, profileId);
    const ctx = requestContext(request, `user:${current.user.id}`);
    return change(request, reply, found, () => updateHouseholdProfile(services, tenant.id, household.household, current.user, profileId, profileInput(request.body, byOwner && target?.userId === null), ctx), 'household_profile_saved');
  });

  app.post('/t/:tenant/household/profiles/:profileId/remove', page, async (request, reply) => {
    const found = await ownerPost(request, reply);
    if (!found) return reply;
    const { profileId } = request.params as { profileId: string };
    await deleteManagedProfile(services, found.tenant.id, found.household, profileId, requestContext(request, `user:${found.current.user.id}`));
    return back(reply, found.tenant, 'household_profile_saved');
  });

  app.post('/t/:tenant/household/devices/:deviceId/remove', page, async (request, reply) => {
    const found = await ownerPost(request, reply);
    if (!found) return reply;
    const { deviceId } = request.params as { deviceId: string };
    await removeHouseholdDevice(services, found.tenant.id, found.household, deviceId, requestContext(request, `user:${found.current.user.id}`));
    return back(reply, found.tenant, 'household_device_removed');
  });

  // ---- who is using this device --------------------------------------------------------------

  async function showPicker(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, current: { session: Session; user: User }, extra: { errors?: FormErrors; failedProfileId?: string; status?: number } = {}) {
    const found = await householdOf(store, tenant.id, current.user.id);
    if (!found) throw new FrontdoorError('household.not_found');
    const profiles = profilesFor(await store.households.profiles(tenant.id, found.household.id), current.user.id);
    const acting = await actingProfile(store, tenant.id, current.user.id, current.session.profileId);
    return sendPage(
      reply,
      renderProfilePickerPage(pageContext(services, request, reply, tenant), {
        action: tenantPath(tenant.id, '/household/switch'),
        profiles: profiles.map((p) => profileView(p, current.user.id)),
        actingId: acting?.id ?? null,
        ...(extra.errors ? { errors: extra.errors } : {}),
        ...(extra.failedProfileId ? { failedProfileId: extra.failedProfileId } : {}),
      }),
      extra.status ?? 200,
    );
  }

  app.get('/t/:tenant/household/switch', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const current = await currentSession(services, request, tenant);
    if (!current) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    return showPicker(request, reply, tenant, current);
  });

  app.post('/t/:tenant/household/switch', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    const profileId = formField(request.body, 'profile_id');
    try {
      await switchProfile({ ...services, limiter: services.limiter }, tenant, current, profileId, formField(request.body, 'pin'), requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (error instanceof FrontdoorError && error.code === 'household.confirmation_required') {
        // The account holder proves who they are; the confirmation comes back to this choice.
        return reply.redirect(`${tenantPath(tenant.id, '/account/confirm')}?next=${encodeURIComponent(tenantPath(tenant.id, '/household/switch'))}`, 303);
      }
      if (!isFormError(error) || error.code === 'household.profile_not_found') throw error;
      const status = withRetryAfter(reply, error);
      return showPicker(request, reply, tenant, current, { errors: { fields: { pin: error.code } }, ...(profileId ? { failedProfileId: profileId } : {}), status });
    }
    return reply.redirect(`${tenantPath(tenant.id, '/household')}?notice=profile_switched`, 303);
  });

  // ---- invitations ---------------------------------------------------------------------------

  app.get('/t/:tenant/household/invitation', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const token = (request.query as Record<string, unknown>).token;
    const ctx = pageContext(services, request, reply, tenant);
    const open = await openHouseholdInvitation(store, services.clock, tenant.id, token);
    if (!open) return sendPage(reply, renderHouseholdInvitationPage(ctx, { state: 'invalid' }), 410);
    const current = await currentSession(services, request, tenant);
    const state = !current ? 'sign_in' : householdInvitationIsFor(open.invitation, current.user) ? 'accept' : 'other_account';
    return sendPage(reply, renderHouseholdInvitationPage(ctx, { state, token: token as string, email: maskEmail(open.invitation.email) }));
  });

  app.post('/t/:tenant/household/invitation', page, async (request, reply) => {
    const found = await signedInPost(services, request, reply);
    if (!found) return reply;
    const { tenant, current } = found;
    try {
      await acceptHouseholdInvitation(services, tenant, current.user, formField(request.body, 'token'), requestContext(request, `user:${current.user.id}`));
    } catch (error) {
      if (!(error instanceof FrontdoorError)) throw error;
      if (error.code === 'token.invalid') return sendPage(reply, renderHouseholdInvitationPage(pageContext(services, request, reply, tenant), { state: 'invalid' }), 410);
      if (error.code === 'household.invitation_other_address') return sendPage(reply, renderHouseholdInvitationPage(pageContext(services, request, reply, tenant), { state: 'invalid' }), 403);
      throw error;
    }
    return back(reply, tenant, 'household_joined');
  });

  // ---- a sign-in held at the plan's bound -----------------------------------------------------

  /** The held sign-in of this browser and the household it waits for; null when there is none. */
  async function heldFor(request: FastifyRequest, tenant: Tenant) {
    const held = await findHeldSignIn(services, tenant, request.cookies[heldSignInCookieName(tenant.id)]);
    if (!held) return null;
    const found = await householdOf(store, tenant.id, held.userId);
    return found ? { held, household: found.household } : null;
  }

  async function showLimit(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, household: Household, next: string, reason: 'household.session_limit' | 'household.device_limit') {
    const now = services.clock.now();
    const [sessions, devices, limits, profiles] = await Promise.all([
      store.households.liveSessions(tenant.id, household.id, now),
      store.households.devices(tenant.id, household.id),
      householdLimits(store, tenant, household),
      store.households.profiles(tenant.id, household.id),
    ]);
    // Who is on each: the profile a session acts as, else the member's own profile name.
    const names = new Map(profiles.map((p) => [p.id, p.name]));
    const ownName = new Map(profiles.flatMap((p) => (p.userId ? [[p.userId, p.name] as const] : [])));
    const sessionWho = (s: Session) => (s.profileId ? names.get(s.profileId) : undefined) ?? ownName.get(s.userId) ?? '';
    const ctx = pageContext(services, request, reply, tenant);
    return sendPage(
      reply,
      renderHouseholdLimitPage(ctx, {
        reason,
        limit: (reason === 'household.session_limit' ? limits.maxConcurrentSessions : limits.maxDevices) ?? null,
        next,
        sessions: sessions.map((s) => ({ id: s.id, device: describeUserAgent(s.userAgent, ctx.locale), who: sessionWho(s), lastSeenAt: s.lastSeenAt })),
        devices: devices.map((d) => ({ id: d.deviceHash, name: d.name, who: ownName.get(d.userId) ?? '', lastSeenAt: d.lastSeenAt })),
      }),
      409,
    );
  }

  /** Where the held sign-in goes on: a path of this tenant (an app's authorization or the account page). */
  const nextOf = (tenant: Tenant, value: unknown) => sameTenantPath(tenant, value) ?? tenantPath(tenant.id, '/account');

  /** After a device was signed out or removed: the held sign-in becomes a session if there is room now. */
  async function tryContinue(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, next: string) {
    const held = await releaseHeldSignIn(services, tenant, request.cookies[heldSignInCookieName(tenant.id)]);
    const user = held ? await store.users.get(tenant.id, held.userId) : null;
    if (!held || !user || user.status !== 'active') throw new FrontdoorError('token.invalid');
    clearFlowStyleCookie(reply, heldSignInCookieName(tenant.id));
    // Still at the bound (someone else signed in meanwhile): startUserSession holds it again and
    // the error handler brings the browser back to this choice.
    await startUserSession(services, request, reply, tenant, user, held.amr);
    return reply.redirect(next, 303);
  }

  app.get('/t/:tenant/household/limit', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    const waiting = await heldFor(request, tenant);
    if (!waiting) return reply.redirect(tenantPath(tenant.id, '/login'), 303);
    const next = nextOf(tenant, (request.query as Record<string, unknown>).next);
    const limits = await householdLimits(store, tenant, waiting.household);
    const sessions = await store.households.liveSessions(tenant.id, waiting.household.id, services.clock.now());
    const reason = limits.maxConcurrentSessions !== undefined && sessions.length >= limits.maxConcurrentSessions ? 'household.session_limit' : 'household.device_limit';
    return showLimit(request, reply, tenant, waiting.household, next, reason);
  });

  app.post('/t/:tenant/household/limit/sessions/:sessionId/end', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const waiting = await heldFor(request, tenant);
    if (!waiting) throw new FrontdoorError('token.invalid');
    const { sessionId } = request.params as { sessionId: string };
    const now = services.clock.now();
    const session = (await store.households.liveSessions(tenant.id, waiting.household.id, now)).find((s) => s.id === sessionId);
    // Only the household's own sessions: any other id is not found.
    if (!session) throw new FrontdoorError('session.not_found');
    await store.sessions.revoke(tenant.id, session.id, now);
    await services.audit.record(requestContext(request, `user:${waiting.held.userId}`), { tenantId: tenant.id, action: 'household.session_ended', result: 'success', subject: session.userId, details: { sessionId: session.id, householdId: waiting.household.id } });
    return tryContinue(request, reply, tenant, nextOf(tenant, formField(request.body, 'next')));
  });

  app.post('/t/:tenant/household/limit/devices/:deviceId/remove', page, async (request, reply) => {
    const tenant = await loadTenant(services, request);
    verifyCsrf(request, services.csrfKey, tenant.id);
    const waiting = await heldFor(request, tenant);
    if (!waiting) throw new FrontdoorError('token.invalid');
    const { deviceId } = request.params as { deviceId: string };
    await removeHouseholdDevice(services, tenant.id, waiting.household, deviceId, requestContext(request, `user:${waiting.held.userId}`));
    return tryContinue(request, reply, tenant, nextOf(tenant, formField(request.body, 'next')));
  });
}
