// /tenants/:tenantId/households: shared accounts (core/households) — a household for a user on a
// plan that includes one, its members, profiles, invitations and devices; /users/:userId/household:
// the household a user belongs to.
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { createHousehold, createManagedProfile, deleteHousehold, deleteManagedProfile, householdLimits, householdOf, inviteHouseholdMember, removeHouseholdMember, updateHouseholdProfile } from '../../core/households/households.ts';
import type { Household, HouseholdProfile, Tenant } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { adminContext } from './auth.ts';
import { closed, errorResponses, NoContent, opaqueId, TenantParams, text, timestamp, UserParams, type AdminApp } from './schemas.ts';
import { iso } from './wire.ts';

const tags = ['households'];

const ProfileWire = Type.Object(
  {
    id: Type.String({ description: 'Profile id (`hpr_…`).' }),
    user_id: Type.Union([Type.String(), Type.Null()], { description: "The member whose own profile this is; null for a managed profile (no sign-in of its own)." }),
    name: Type.String(),
    kind: Type.Union([Type.Literal('adult'), Type.Literal('child')]),
    max_age_rating: Type.Union([Type.Integer(), Type.Null()], { description: 'Highest age rating of content it may see; null: no bound.' }),
    purchases: Type.Union([Type.Literal('allowed'), Type.Literal('pin'), Type.Literal('blocked')]),
    has_pin: Type.Boolean({ description: 'Switching to it needs its PIN.' }),
    created_at: timestamp('When it was made.'),
  },
  closed,
);
const MemberWire = Type.Object({ user_id: Type.String(), role: Type.Union([Type.Literal('owner'), Type.Literal('adult')]), joined_at: timestamp('When they joined.') }, closed);
const DeviceWire = Type.Object({ id: Type.String({ description: 'Opaque device id.' }), user_id: Type.String(), name: Type.String(), first_seen_at: timestamp('First sign-in on it.'), last_seen_at: timestamp('Latest sign-in on it.') }, closed);
const LimitsWire = Type.Object(
  { max_members: Type.Integer(), max_profiles: Type.Integer(), max_devices: Type.Union([Type.Integer(), Type.Null()]), max_concurrent_sessions: Type.Union([Type.Integer(), Type.Null()]) },
  { ...closed, description: "The bounds of the owner's plan now." },
);
const HouseholdWire = Type.Object(
  {
    id: Type.String({ description: 'Household id (`hh_…`).' }),
    owner_id: Type.String(),
    members: Type.Array(MemberWire),
    profiles: Type.Array(ProfileWire),
    devices: Type.Array(DeviceWire),
    limits: LimitsWire,
    created_at: timestamp('When it was made.'),
  },
  closed,
);
const HouseholdParams = Type.Object({ tenantId: TenantParams.properties.tenantId, householdId: opaqueId('Household id (`hh_…`).') }, closed);
const MemberParams = Type.Object({ ...HouseholdParams.properties, userId: UserParams.properties.userId }, closed);
const ProfileParams = Type.Object({ ...HouseholdParams.properties, profileId: opaqueId('Profile id (`hpr_…`).') }, closed);
const CreateBody = Type.Object({ owner: Type.String({ maxLength: 100, description: 'The user id of the paying account; their plan must include a household.' }) }, closed);
const pin = Type.Union([Type.String({ pattern: '^[0-9]{4,8}$', description: '4 to 8 digits; switching to the profile then needs it.' }), Type.Null()]);
const ProfileFields = {
  name: text(40, { minLength: 1 }),
  kind: Type.Union([Type.Literal('adult'), Type.Literal('child')], { description: 'A child profile is restricted and cannot switch to a less restricted one without its PIN or the account holder.' }),
  max_age_rating: Type.Union([Type.Integer({ minimum: 0, maximum: 21 }), Type.Null()]),
  purchases: Type.Union([Type.Literal('allowed'), Type.Literal('pin'), Type.Literal('blocked')]),
  pin,
};
const CreateProfileBody = Type.Object({ name: ProfileFields.name, kind: Type.Optional(ProfileFields.kind), max_age_rating: Type.Optional(ProfileFields.max_age_rating), purchases: Type.Optional(ProfileFields.purchases), pin: Type.Optional(pin) }, closed);
const UpdateProfileBody = Type.Object(
  { name: Type.Optional(ProfileFields.name), kind: Type.Optional(ProfileFields.kind), max_age_rating: Type.Optional(ProfileFields.max_age_rating), purchases: Type.Optional(ProfileFields.purchases), pin: Type.Optional(pin) },
  { ...closed, minProperties: 1 },
);
const InviteBody = Type.Object({ email: text(320, { minLength: 3 }) }, closed);
const InvitationWire = Type.Object({ id: Type.String({ description: 'Invitation id (`hin_…`).' }), created_at: timestamp('When it was sent.'), expires_at: timestamp('Until when its link works.') }, closed);

export const profileToWire = (p: HouseholdProfile) => ({ id: p.id, user_id: p.userId, name: p.name, kind: p.kind, max_age_rating: p.maxAgeRating, purchases: p.purchases, has_pin: p.pinHash !== null, created_at: iso(p.createdAt) });

export function registerHouseholdRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  async function requireHousehold(tenant: Tenant, id: string): Promise<Household> {
    const household = await store.households.get(tenant.id, id);
    if (!household) throw new FrontdoorError('household.not_found');
    return household;
  }

  async function householdToWire(tenant: Tenant, household: Household) {
    const [members, profiles, devices, limits] = await Promise.all([
      store.households.members(tenant.id, household.id),
      store.households.profiles(tenant.id, household.id),
      store.households.devices(tenant.id, household.id),
      householdLimits(store, tenant, household),
    ]);
    return {
      id: household.id,
      owner_id: household.ownerId,
      members: members.map((m) => ({ user_id: m.userId, role: m.role, joined_at: iso(m.createdAt) })),
      profiles: profiles.map(profileToWire),
      devices: devices.map((d) => ({ id: d.deviceHash, user_id: d.userId, name: d.name, first_seen_at: iso(d.firstSeenAt), last_seen_at: iso(d.lastSeenAt) })),
      limits: { max_members: limits.maxMembers, max_profiles: limits.maxProfiles, max_devices: limits.maxDevices ?? null, max_concurrent_sessions: limits.maxConcurrentSessions ?? null },
      created_at: iso(household.createdAt),
    };
  }

  app.post(
    '/tenants/:tenantId/households',
    {
      schema: {
        tags,
        summary: 'Create a household',
        description: "For a user whose plan has a `household` section (409 `household.plan_required` otherwise); they become its owner with a profile of their own. A user belongs to one household at most (409 `household.already_member`).",
        params: TenantParams,
        body: CreateBody,
        response: { 201: HouseholdWire, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const household = await createHousehold(services, tenant, request.body.owner, adminContext(request));
      return reply.status(201).send(await householdToWire(tenant, household));
    },
  );

  app.get('/tenants/:tenantId/households/:householdId', { schema: { tags, summary: 'Get a household', params: HouseholdParams, response: { 200: HouseholdWire, ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return householdToWire(tenant, await requireHousehold(tenant, request.params.householdId));
  });

  app.delete(
    '/tenants/:tenantId/households/:householdId',
    { schema: { tags, summary: 'Delete a household', description: 'Its memberships, profiles and devices go; the accounts stay.', params: HouseholdParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await deleteHousehold(services, tenant.id, request.params.householdId, adminContext(request));
      return reply.status(204).send(null);
    },
  );

  app.get('/tenants/:tenantId/users/:userId/household', { schema: { tags, summary: "The household a user belongs to", params: UserParams, response: { 200: HouseholdWire, ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const found = await householdOf(store, tenant.id, request.params.userId);
    if (!found) throw new FrontdoorError('household.not_found');
    return householdToWire(tenant, found.household);
  });

  app.post(
    '/tenants/:tenantId/households/:householdId/invitations',
    {
      schema: {
        tags,
        summary: 'Invite an adult member by email',
        description: 'The link is mailed, never returned; it works once, for seven days, and only for an account signed in with that address, verified.',
        params: HouseholdParams,
        body: InviteBody,
        response: { 201: InvitationWire, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const household = await requireHousehold(tenant, request.params.householdId);
      const invitation = await inviteHouseholdMember({ ...services, mailer: services.flows.mailer }, tenant, household, { email: request.body.email, inviterName: tenant.name }, adminContext(request));
      return reply.status(201).send({ id: invitation.id, created_at: iso(invitation.createdAt), expires_at: iso(invitation.expiresAt) });
    },
  );

  app.delete(
    '/tenants/:tenantId/households/:householdId/members/:userId',
    { schema: { tags, summary: 'Remove a member', description: 'Their profile and devices go, and their sessions and refresh tokens are revoked. The owner cannot be removed.', params: MemberParams, response: { 204: NoContent, ...errorResponses(403, 404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await removeHouseholdMember(services, tenant.id, await requireHousehold(tenant, request.params.householdId), request.params.userId, adminContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/households/:householdId/profiles',
    { schema: { tags, summary: 'Add a managed profile', description: 'A profile without a sign-in of its own (e.g. a child: default `kind`), used from a member’s session.', params: HouseholdParams, body: CreateProfileBody, response: { 201: ProfileWire, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const household = await requireHousehold(tenant, request.params.householdId);
      const b = request.body;
      const profile = await createManagedProfile(services, tenant, household, { name: b.name, kind: b.kind, maxAgeRating: b.max_age_rating, purchases: b.purchases, pin: b.pin }, adminContext(request));
      return reply.status(201).send(profileToWire(profile));
    },
  );

  app.patch(
    '/tenants/:tenantId/households/:householdId/profiles/:profileId',
    { schema: { tags, summary: 'Change a profile', description: '`pin: null` removes the PIN.', params: ProfileParams, body: UpdateProfileBody, response: { 200: ProfileWire, ...errorResponses(400, 404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const household = await requireHousehold(tenant, request.params.householdId);
      const b = request.body;
      return profileToWire(await updateHouseholdProfile(services, tenant.id, household, 'admin', request.params.profileId, { name: b.name, kind: b.kind, maxAgeRating: b.max_age_rating, purchases: b.purchases, pin: b.pin }, adminContext(request)));
    },
  );

  app.delete(
    '/tenants/:tenantId/households/:householdId/profiles/:profileId',
    { schema: { tags, summary: 'Remove a managed profile', params: ProfileParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      await deleteManagedProfile(services, tenant.id, await requireHousehold(tenant, request.params.householdId), request.params.profileId, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
