// Who an upstream identity signs in as — the rules that keep account linking safe:
//
// 1. An upstream identity (connection + subject) seen before signs in as the user it is linked to.
// 2. An address the upstream does not say it verified is never used: refused, whether or not an
//    account has it (the answer does not tell which), so nobody takes an account over by
//    claiming its address at a provider that does not check.
// 3. A verified address that belongs to an account is linked only after the person proves
//    control of that account (signs in to it with its own method, or with a code mailed to it):
//    `link_required`. An account that never confirmed its address is not linked at all.
// 4. Otherwise a new account is made (just-in-time), verified, with the tenant's default roles,
//    and the identity linked to it, in one transaction: nothing half-made on failure.
import type { AuditLog } from '../audit/audit-log.ts';
import { giveDefaultRoles } from '../authz/roles.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Connection, ConnectionType, FederatedIdentity, Store, Tenant, User } from '../ports.ts';
import { newId } from '../secrets.ts';
import { checkProfile, profileSchemaOf } from '../users/profile-schema.ts';
import { normalizeEmail } from '../users/email.ts';

export interface FederationDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}

/** What an upstream said about the person, after its response was validated. */
export interface UpstreamIdentity {
  subject: string;
  email: string | null;
  /** The upstream's own word (`email_verified: true`, GitHub's verified primary address). */
  emailVerified: boolean;
  profile: { name?: string; given_name?: string; family_name?: string; picture?: string };
  /** The upstream's `amr`, when its ID token had one. */
  amr: string[];
  /** The upstream's `acr`, when its ID token had one (its own vocabulary: recorded, not mapped). */
  acr: string | null;
  /** The upstream's tokens as JSON, when the connection keeps them. */
  tokens: string | null;
}

/** How an upstream answers a sign-in: the port over the protocol library (adapters/federation). */
export interface UpstreamClient {
  /** The authorization request to send the browser to, and what the callback must match. */
  begin(connection: Connection, redirectUri: string): Promise<{ url: string; state: string; nonce: string | null; codeVerifier: string }>;
  /**
   * Validates the authorization response (state, code exchange with PKCE, ID token: signature,
   * issuer, audience, expiry, nonce) and reads the identity. Throws `federation.*` errors.
   */
  complete(
    connection: Connection,
    redirectUri: string,
    response: { method: 'GET' | 'POST'; query: URLSearchParams; body: URLSearchParams | null },
    expected: { state: string; nonce: string | null; codeVerifier: string },
  ): Promise<UpstreamIdentity>;
}

/** One client over several protocols: each connection goes to its type's. */
export function upstreamByType(clients: Record<ConnectionType, UpstreamClient>): UpstreamClient {
  return {
    begin: (connection, redirectUri) => clients[connection.type].begin(connection, redirectUri),
    complete: (connection, redirectUri, response, expected) => clients[connection.type].complete(connection, redirectUri, response, expected),
  };
}

/** RFC 8176 values an upstream may vouch for. */
const AMR_VALUES = new Set(['face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd', 'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia']);

/** `fed`, and the upstream's own methods when the connection trusts them. */
export function federatedAmr(connection: Connection, upstreamAmr: readonly string[]): string[] {
  const trusted = connection.settings.trustUpstreamAmr ? upstreamAmr.filter((m) => AMR_VALUES.has(m)) : [];
  return [...new Set(['fed', ...trusted])];
}

/** What the sign-in's audit event says of the upstream: its connection and, when trusted, its own `amr` and `acr`. */
function signInDetails(connection: Connection, identity: UpstreamIdentity): Record<string, unknown> {
  const trusted = connection.settings.trustUpstreamAmr === true;
  return { method: 'federated', connection: connection.id, ...(trusted && identity.amr.length > 0 ? { upstream_amr: identity.amr } : {}), ...(trusted && identity.acr ? { upstream_acr: identity.acr } : {}) };
}

export type FederatedOutcome =
  | { kind: 'signed_in'; user: User; amr: string[]; created: boolean }
  | { kind: 'link_required'; user: User; amr: string[] };

/** The profile attributes the upstream gave that the tenant's schema takes (others are dropped, not refused). */
function mappedProfile(tenant: Tenant, profile: UpstreamIdentity['profile']): Record<string, unknown> {
  const schema = profileSchemaOf(tenant);
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(profile)) {
    if (typeof value !== 'string' || !schema.properties[name]) continue;
    try {
      checkProfile(schema, { [name]: value });
      kept[name] = value;
    } catch {
      // a value that does not fit the schema is left out
    }
  }
  return kept;
}

async function joinOrganization(store: Store, connection: Connection, userId: string, now: number): Promise<void> {
  const orgId = connection.settings.organizationId;
  if (!orgId) return;
  const memberships = await store.organizations.ofUser(connection.tenantId, userId);
  if (memberships.some((m) => m.orgId === orgId)) return;
  await store.organizations.putMember(connection.tenantId, { orgId, userId, roles: ['member'], createdAt: now, updatedAt: now });
}

export async function resolveFederatedSignIn(deps: FederationDeps, input: { tenant: Tenant; connection: Connection; identity: UpstreamIdentity }, ctx: RequestContext): Promise<FederatedOutcome> {
  const { tenant, connection, identity } = input;
  const amr = federatedAmr(connection, identity.amr);
  const now = deps.clock.now();
  const fail = async (reason: string, subject: string | null, code: 'federation.email_unverified' | 'federation.account_unverified' | 'auth.account_disabled') => {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'failure', reason, subject, details: { method: 'federated', connection: connection.id } });
    return new FrontdoorError(code);
  };

  const known = await deps.store.federatedIdentities.find(tenant.id, connection.id, identity.subject);
  if (known) {
    const user = await deps.store.users.get(tenant.id, known.userId);
    if (!user || user.status !== 'active') throw await fail('account_disabled', known.userId, 'auth.account_disabled');
    await deps.store.federatedIdentities.touch(tenant.id, known.id, now, connection.settings.storeUpstreamTokens ? identity.tokens : null);
    await joinOrganization(deps.store, connection, user.id, now);
    const updated = (await deps.store.users.update(tenant.id, user.id, { lastLoginAt: now, locale: ctx.locale }, now)) ?? user;
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'success', subject: user.id, details: signInDetails(connection, identity) });
    return { kind: 'signed_in', user: updated, amr, created: false };
  }

  // Checked before any account is looked up: the answer is the same whether one has the address.
  const email = identity.email ? normalizeEmail(identity.email) : null;
  if (!email || !identity.emailVerified) throw await fail('upstream_email_unverified', null, 'federation.email_unverified');

  const existing = await deps.store.users.findByEmail(tenant.id, email);
  if (existing) {
    if (existing.status === 'disabled') throw await fail('account_disabled', existing.id, 'auth.account_disabled');
    if (existing.status !== 'active' || !existing.emailVerified) throw await fail('account_unverified', existing.id, 'federation.account_unverified');
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.identity_link_requested', result: 'success', subject: existing.id, details: { connection: connection.id } });
    return { kind: 'link_required', user: existing, amr };
  }

  const user: User = {
    id: newId('usr'),
    tenantId: tenant.id,
    status: 'active',
    email,
    emailVerified: true,
    profile: mappedProfile(tenant, identity.profile),
    createdAt: now,
    updatedAt: now,
    lastLoginAt: now,
    locale: ctx.locale,
  };
  const link: FederatedIdentity = { id: newId('fid'), tenantId: tenant.id, connectionId: connection.id, subject: identity.subject, userId: user.id, hasTokens: false, createdAt: now, lastUsedAt: now };
  await deps.store.transaction(async (store) => {
    await store.users.create(user);
    await giveDefaultRoles(store, tenant, user.id, now);
    if (!(await store.federatedIdentities.create(link, connection.settings.storeUpstreamTokens ? identity.tokens : null))) throw new FrontdoorError('federation.identity_taken');
    await joinOrganization(store, connection, user.id, now);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.registered', result: 'success', subject: user.id, details: { method: 'federated', connection: connection.id } });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.login', result: 'success', subject: user.id, details: signInDetails(connection, identity) });
  return { kind: 'signed_in', user, amr, created: true };
}

/** Links an upstream identity to an account whose owner has just proven control of it. */
export async function linkFederatedIdentity(deps: FederationDeps, input: { tenant: Tenant; connection: Connection; subject: string; user: User; tokens?: string | null }, ctx: RequestContext): Promise<FederatedIdentity> {
  const { tenant, connection, user } = input;
  const now = deps.clock.now();
  const link: FederatedIdentity = { id: newId('fid'), tenantId: tenant.id, connectionId: connection.id, subject: input.subject, userId: user.id, hasTokens: false, createdAt: now, lastUsedAt: now };
  await deps.store.transaction(async (store) => {
    if (!(await store.federatedIdentities.create(link, connection.settings.storeUpstreamTokens ? (input.tokens ?? null) : null))) throw new FrontdoorError('federation.identity_taken');
    await joinOrganization(store, connection, user.id, now);
  });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.identity_linked', result: 'success', subject: user.id, details: { connection: connection.id, identity: link.id } });
  return link;
}

/** The account's linked identities with their connection's name (an identity of a deleted connection is gone with it). */
export async function listFederatedIdentities(store: Store, tenantId: string, userId: string): Promise<Array<FederatedIdentity & { connectionName: string }>> {
  const identities = await store.federatedIdentities.listForUser(tenantId, userId);
  const names = new Map((await store.connections.list(tenantId)).map((c) => [c.id, c.name]));
  return identities.map((i) => ({ ...i, connectionName: names.get(i.connectionId) ?? i.connectionId }));
}

/** Unlinks one, unless it is the account's last way to sign in (no password, no passkey, no other identity). */
export async function unlinkFederatedIdentity(deps: FederationDeps, tenant: Tenant, user: User, identityId: string, ctx: RequestContext): Promise<void> {
  const identities = await deps.store.federatedIdentities.listForUser(tenant.id, user.id);
  const identity = identities.find((i) => i.id === identityId);
  if (!identity) throw new FrontdoorError('request.not_found');
  const [password, passkeys] = await Promise.all([deps.store.passwords.get(tenant.id, user.id), deps.store.passkeys.countForUser(tenant.id, user.id)]);
  if (!password && passkeys === 0 && identities.length <= 1) {
    await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.identity_unlinked', result: 'failure', reason: 'last_method', subject: user.id, details: { identity: identityId } });
    throw new FrontdoorError('federation.last_method');
  }
  if (!(await deps.store.federatedIdentities.delete(tenant.id, user.id, identityId))) throw new FrontdoorError('request.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.identity_unlinked', result: 'success', subject: user.id, details: { identity: identityId, connection: identity.connectionId } });
}
