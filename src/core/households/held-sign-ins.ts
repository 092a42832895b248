// A sign-in that proved who the person is but found the household at its plan's bound (devices or
// sessions at once): instead of failing silently it is held for a few minutes, bound to this
// browser by a token, while the person chooses another device to sign out; then it goes on without
// asking for the password again. Only the token's hash is stored; it is used once.
import type { Clock, Store, Tenant } from '../ports.ts';
import { hashToken, randomToken } from '../secrets.ts';

export const HELD_SIGN_IN_SECONDS = 10 * 60;

export interface HeldSignIn {
  userId: string;
  /** How the person signed in (RFC 8176), for the session that follows. */
  amr: string[];
}

export async function holdSignIn(deps: { store: Store; clock: Clock }, tenant: Tenant, userId: string, amr: readonly string[]): Promise<string> {
  const token = randomToken();
  const now = deps.clock.now();
  await deps.store.actionTokens.create({ tokenHash: hashToken(token), tenantId: tenant.id, userId, purpose: 'household_admission', createdAt: now, expiresAt: now + HELD_SIGN_IN_SECONDS * 1000, consumedAt: null, payload: JSON.stringify({ amr }) });
  return token;
}

function toHeld(token: { userId: string; payload: string | null }): HeldSignIn {
  let amr: unknown = null;
  try {
    amr = (JSON.parse(token.payload ?? '{}') as { amr?: unknown }).amr;
  } catch {
    amr = null;
  }
  return { userId: token.userId, amr: Array.isArray(amr) && amr.every((m) => typeof m === 'string') ? amr : ['pwd'] };
}

/** The held sign-in this browser's token names, without using it up. */
export async function findHeldSignIn(deps: { store: Store; clock: Clock }, tenant: Tenant, token: string | undefined): Promise<HeldSignIn | null> {
  if (!token || token.length > 128) return null;
  const found = await deps.store.actionTokens.findLive(tenant.id, hashToken(token), 'household_admission', deps.clock.now());
  return found ? toHeld(found) : null;
}

/** Uses the token up (once: of two concurrent calls one gets null). */
export async function releaseHeldSignIn(deps: { store: Store; clock: Clock }, tenant: Tenant, token: string | undefined): Promise<HeldSignIn | null> {
  if (!token || token.length > 128) return null;
  const found = await deps.store.actionTokens.consume(tenant.id, hashToken(token), 'household_admission', deps.clock.now());
  return found ? toHeld(found) : null;
}
