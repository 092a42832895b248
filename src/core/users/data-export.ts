// Data portability (GDPR art. 15 and 20, CCPA "right to know"): one machine-readable document of
// everything Frontdoor holds about a customer — the account and profile, how they sign in (what
// each credential is, never the secret itself: no password hash, passkey public key, authenticator
// secret or recovery code), where they are signed in, the devices they asked to be remembered, the
// apps they let in, their consents with every choice ever made, their sign-ins, the risk
// assessments and the audit events about them. The same document for the account portal (after
// the customer confirms it is them) and the admin API.
import { listConnectedApps } from '../apps/connected-apps.ts';
import { consentOverview } from '../consent/consent.ts';
import type { AuditEvent, Clock, RiskEvent, Store, TenantId, User } from '../ports.ts';

export const USER_EXPORT_FORMAT = 'frontdoor.user_export/1';
/** Upper bound on events per kind in one export; a customer with more gets the newest. */
const MAX_EVENTS = 10_000;
const PAGE = 500;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

async function allPages<T>(read: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < MAX_EVENTS);
  return items.slice(0, MAX_EVENTS);
}

export async function exportUserData(deps: { store: Store; clock: Clock }, tenantId: TenantId, user: User): Promise<Record<string, unknown>> {
  const { store } = deps;
  const now = deps.clock.now();
  const [password, passkeys, totp, recoveryCodesLeft, phone, sessions, devices, connectedApps, signIns, riskEvents, auditEvents, { states: consents, history: consentHistory }, heldRoles, roles, groupIds, groups, memberships] = await Promise.all([
    store.passwords.get(tenantId, user.id),
    store.passkeys.listForUser(tenantId, user.id),
    store.totp.get(tenantId, user.id),
    store.recoveryCodes.remaining(tenantId, user.id),
    store.phones.get(tenantId, user.id),
    store.sessions.listActiveForUser(tenantId, user.id, now),
    store.trustedDevices.listForUser(tenantId, user.id, now),
    listConnectedApps(deps, tenantId, user.id),
    store.signInEvents.listRecent(tenantId, user.id, MAX_EVENTS),
    allPages<RiskEvent>((cursor) => store.riskEvents.query({ tenantId, userId: user.id, limit: PAGE, cursor })),
    allPages<AuditEvent>((cursor) => store.audit.query({ tenantId, subject: user.id, limit: PAGE, cursor })),
    consentOverview(store, tenantId, user.id),
    store.authorization.rolesOfUser(tenantId, user.id),
    store.authorization.listRoles(tenantId),
    store.authorization.groupsOfUser(tenantId, user.id),
    store.authorization.listGroups(tenantId),
    store.organizations.ofUser(tenantId, user.id),
  ]);
  const household = await householdExport(store, tenantId, user.id);
  const organizations = await Promise.all(memberships.map(async (m) => ({ id: m.orgId, name: (await store.organizations.get(tenantId, m.orgId))?.name ?? null, roles: m.roles, joined_at: iso(m.createdAt) })));
  const roleName = new Map(roles.map((r) => [r.id, r.name]));
  return {
    format: USER_EXPORT_FORMAT,
    generated_at: iso(now),
    tenant: tenantId,
    account: {
      id: user.id,
      email: user.email,
      email_verified: user.emailVerified,
      status: user.status,
      profile: user.profile,
      created_at: iso(user.createdAt),
      updated_at: iso(user.updatedAt),
      last_sign_in_at: iso(user.lastLoginAt),
      language: user.locale ?? null,
    },
    sign_in_methods: {
      password: password ? { set: true, changed_at: iso(password.updatedAt), change_required: Boolean(password.resetRequired) } : { set: false },
      passkeys: passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        authenticator_model: p.aaguid,
        transports: p.transports,
        synced: p.backedUp,
        created_at: iso(p.createdAt),
        last_used_at: iso(p.lastUsedAt),
      })),
      authenticator_app: totp?.confirmedAt ? { set_up_at: iso(totp.confirmedAt) } : null,
      recovery_codes_left: recoveryCodesLeft,
      phone: phone ? { number: phone.phone, confirmed_at: iso(phone.confirmedAt), added_at: iso(phone.createdAt) } : null,
    },
    sessions: sessions.map((s) => ({
      id: s.id,
      signed_in_at: iso(s.createdAt),
      last_seen_at: iso(s.lastSeenAt),
      last_authenticated_at: iso(s.authenticatedAt),
      expires_at: iso(Math.min(s.idleExpiresAt, s.absoluteExpiresAt)),
      ip: s.ip,
      user_agent: s.userAgent,
      methods: s.amr,
    })),
    remembered_devices: devices.map((d) => ({ id: d.id, name: d.name, remembered_at: iso(d.createdAt), last_used_at: iso(d.lastUsedAt), expires_at: iso(d.expiresAt) })),
    access: {
      plan: user.plan ?? null,
      roles: heldRoles.map((r) => ({ role: roleName.get(r.roleId) ?? r.roleId, via: r.source.kind === 'group' ? `group:${r.source.groupId}` : r.source.kind })),
      groups: groups.filter((g) => groupIds.includes(g.id)).map((g) => ({ id: g.id, name: g.name })),
      organizations,
      household,
    },
    connected_apps: connectedApps.map((a) => ({ client_id: a.clientId, name: a.name, scopes: a.scopes, api_access: a.apiScopes.map((s) => ({ api: s.resource, scope: s.scope })), granted_at: iso(a.grantedAt) })),
    consents: {
      current: consents.map((c) => ({ purpose: c.purpose.id, name: c.purpose.name, granted: c.granted, asked_again: c.askAgain, policy_version: c.latest?.policyVersion ?? null, since: iso(c.latest?.at) })),
      history: consentHistory.map((r) => ({ purpose: r.purposeId, policy_version: r.policyVersion, granted: r.granted, at: iso(r.at), channel: r.channel, ip: r.ip, user_agent: r.userAgent })),
    },
    sign_ins: signIns.map((e) => ({
      id: e.id,
      at: iso(e.at),
      device: e.deviceName,
      network: e.network,
      country: e.country,
      approximate_location: e.latitude !== null && e.longitude !== null ? { latitude: e.latitude, longitude: e.longitude, accuracy_km: e.accuracyKm } : null,
      methods: e.methods,
    })),
    risk_assessments: riskEvents.map((e) => ({
      id: e.id,
      at: iso(e.at),
      kind: e.kind,
      stage: e.stage,
      score: e.score,
      level: e.level,
      action: e.action,
      reasons: e.reasons.map((r) => r.reason),
      ip: e.ip,
      country: e.country,
    })),
    audit_events: auditEvents.map((e) => ({ id: e.id, at: iso(e.at), action: e.action, result: e.result, reason: e.reason, actor: e.actor, ip: e.ip, user_agent: e.userAgent, details: e.details })),
  };
}

/**
 * The household the account belongs to: its role there and the profiles it may use (its own and
 * the managed ones, with their restrictions); as owner, also the devices registered. PIN hashes never.
 */
async function householdExport(store: Store, tenantId: TenantId, userId: string) {
  const member = await store.households.membershipOf(tenantId, userId);
  if (!member) return null;
  const [profiles, devices] = await Promise.all([store.households.profiles(tenantId, member.householdId), member.role === 'owner' ? store.households.devices(tenantId, member.householdId) : Promise.resolve([])]);
  return {
    id: member.householdId,
    role: member.role,
    joined_at: iso(member.createdAt),
    profiles: profiles
      .filter((p) => p.userId === null || p.userId === userId)
      .map((p) => ({ id: p.id, name: p.name, own: p.userId === userId, kind: p.kind, max_age_rating: p.maxAgeRating, purchases: p.purchases, has_pin: p.pinHash !== null })),
    devices: devices.map((d) => ({ name: d.name, first_seen_at: iso(d.firstSeenAt), last_seen_at: iso(d.lastSeenAt) })),
  };
}
