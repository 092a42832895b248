import type { ActionTokenPurpose, Store, TenantId } from '../ports.ts';
import { hashToken, randomToken } from '../secrets.ts';

/** Issues a single-use link token; older live tokens of the same purpose stop working. */
export async function issueActionToken(
  store: Store,
  input: { tenantId: TenantId; userId: string; purpose: ActionTokenPurpose; now: number; ttlSeconds: number; payload?: string | null; keepOlder?: boolean },
): Promise<string> {
  const token = randomToken();
  if (!input.keepOlder) await store.actionTokens.invalidateForUser(input.tenantId, input.userId, input.purpose, input.now);
  await store.actionTokens.create({
    tokenHash: hashToken(token),
    tenantId: input.tenantId,
    userId: input.userId,
    purpose: input.purpose,
    createdAt: input.now,
    expiresAt: input.now + input.ttlSeconds * 1000,
    consumedAt: null,
    payload: input.payload ?? null,
  });
  return token;
}
