// The provider's view of a user: claims by scope from the user record and profile. A user who is
// gone or not active has no account, so their tokens stop working at userinfo, introspection and
// refresh.
import { consentStates } from '../core/consent/consent.ts';
import type { Store, TenantId, User } from '../core/ports.ts';

export const CLAIMS_BY_SCOPE = {
  // org_id and org_roles only when the app signed the user in for an organization (`organization`).
  openid: ['sub', 'acr', 'amr', 'auth_time', 'org_id', 'org_roles'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  // The customer's current consent choices (purpose id → granted), for apps that act on them.
  consents: ['consents'],
  // The customer's role names (core/authz), for apps that show or hide by role.
  roles: ['roles'],
  // The household profile acting (core/households): who is using the shared account, and its restrictions.
  household: ['household_id', 'profile_id', 'profile_name', 'profile_kind', 'profile_restrictions'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
} as const;

const PROFILE_CLAIMS = new Set<string>([...CLAIMS_BY_SCOPE.profile, ...CLAIMS_BY_SCOPE.phone, ...CLAIMS_BY_SCOPE.address]);

export function userClaims(user: User, sub: string): { sub: string; [claim: string]: unknown } {
  const claims: { sub: string; [claim: string]: unknown } = { sub, email: user.email, email_verified: user.emailVerified, updated_at: Math.floor(user.updatedAt / 1000) };
  for (const [name, value] of Object.entries(user.profile)) {
    if (PROFILE_CLAIMS.has(name) && name !== 'updated_at' && value !== null && value !== undefined) claims[name] = value;
  }
  // The profile keeps a postal address as one text; the claim is an object (OIDC Core 5.1.1).
  if (typeof claims.address === 'string') claims.address = { formatted: claims.address };
  return claims;
}

export interface OidcAccount {
  [key: string]: unknown;
  accountId: string;
  claims(use: string, scope: string): Promise<{ sub: string; [claim: string]: unknown }>;
}

/** Claims that come from outside the account row: roles (`roles` scope), and the organization the user signed in to this app for. */
export interface AccountClaimSources {
  rolesOf(userId: string): Promise<string[]>;
  organizationOf(userId: string): Promise<{ org_id: string; org_roles: string[] } | null>;
  /** The household profile the token or session acts as (`household` scope). */
  householdProfileOf(userId: string): Promise<Record<string, unknown> | null>;
}

export async function findAccount(store: Store, tenantId: TenantId, accountId: string, sources: AccountClaimSources): Promise<OidcAccount | undefined> {
  const user = await store.users.get(tenantId, accountId);
  if (!user || user.status !== 'active') return undefined;
  return {
    accountId: user.id,
    // The provider replaces `sub` with the pairwise value where the client uses one.
    claims: async (_use, scope) => {
      const claims = userClaims(user, user.id);
      if (scope.split(' ').includes('consents')) {
        claims.consents = Object.fromEntries((await consentStates(store, tenantId, user.id)).map((state) => [state.purpose.id, state.granted]));
      }
      if (scope.split(' ').includes('roles')) claims.roles = await sources.rolesOf(user.id);
      if (scope.split(' ').includes('household')) Object.assign(claims, await sources.householdProfileOf(user.id));
      Object.assign(claims, await sources.organizationOf(user.id));
      return claims;
    },
  };
}
