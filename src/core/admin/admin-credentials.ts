// Admin API credentials. There is no default admin: the first embedded start generates one random
// token (written to the data dir, 0600, and printed once); in production `frontdoor admin bootstrap`
// issues a one-time setup token (≤ 1 h) that is exchanged for an admin token.
import { FrontdoorError } from '../errors.ts';
import type { AdminToken, Clock, Store } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';

const ADMIN_TOKEN_PREFIX = 'fda_';
const SETUP_TOKEN_PREFIX = 'fds_';
export const SETUP_TOKEN_TTL_SECONDS = 3600;

export async function issueAdminToken(deps: { store: Store; clock: Clock }, name: string): Promise<{ token: string; record: AdminToken }> {
  const token = ADMIN_TOKEN_PREFIX + randomToken();
  const record: AdminToken = { id: newId('adm'), name, tokenHash: hashToken(token), kind: 'admin', createdAt: deps.clock.now(), expiresAt: null, consumedAt: null };
  await deps.store.adminTokens.create(record);
  return { token, record };
}

export async function issueSetupToken(deps: { store: Store; clock: Clock }): Promise<{ token: string; expiresAt: number }> {
  const token = SETUP_TOKEN_PREFIX + randomToken();
  const now = deps.clock.now();
  const expiresAt = now + SETUP_TOKEN_TTL_SECONDS * 1000;
  await deps.store.adminTokens.create({ id: newId('adm'), name: 'setup', tokenHash: hashToken(token), kind: 'setup', createdAt: now, expiresAt, consumedAt: null });
  return { token, expiresAt };
}

export async function redeemSetupToken(deps: { store: Store; clock: Clock }, setupToken: string, name: string): Promise<{ token: string; record: AdminToken }> {
  const used = setupToken.length <= 128 ? await deps.store.adminTokens.consumeSetup(hashToken(setupToken), deps.clock.now()) : null;
  if (!used) throw new FrontdoorError('admin.setup_token_invalid');
  return issueAdminToken(deps, name);
}

/** The admin token record behind a bearer value, or null. Lookup is by hash: nothing to compare. */
export async function authenticateAdmin(deps: { store: Store; clock: Clock }, bearer: string | undefined): Promise<AdminToken | null> {
  if (!bearer || !bearer.startsWith(ADMIN_TOKEN_PREFIX) || bearer.length > 128) return null;
  const record = await deps.store.adminTokens.findByHash(hashToken(bearer));
  if (!record || record.kind !== 'admin') return null;
  if (record.expiresAt !== null && record.expiresAt <= deps.clock.now()) return null;
  return record;
}
