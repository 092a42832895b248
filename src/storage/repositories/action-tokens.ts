import type { ActionToken, ActionTokenPurpose, ActionTokenRepository } from '../../core/ports.ts';
import type { ExpressionBuilder } from 'kysely';
import type { ActionTokensTable, Database } from '../schema.ts';
import { isSealed } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { Db } from './rows.ts';

// A payload may be personal (the new address of an email change): sealed under the account's
// data key. One written before encryption is read as it is.
async function toActionToken(db: Db, vault: PersonalDataVault, row: ActionTokensTable): Promise<ActionToken> {
  let payload = row.payload;
  if (payload !== null && isSealed(payload)) {
    const key = await vault.userKey(db, row.tenant_id, row.user_id);
    payload = key ? vault.open(key, payload, 'action_token.payload', row.tenant_id, row.user_id) : null;
  }
  return {
    tokenHash: row.token_hash,
    tenantId: row.tenant_id,
    userId: row.user_id,
    purpose: row.purpose as ActionTokenPurpose,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    payload,
  };
}

/** This token, of this purpose and tenant, unused and unexpired. */
function isLive(eb: ExpressionBuilder<Database, 'action_tokens'>, tenantId: string, tokenHash: string, purpose: ActionTokenPurpose, now: number) {
  return eb.and([
    eb('token_hash', '=', tokenHash),
    eb('tenant_id', '=', tenantId),
    eb('purpose', '=', purpose),
    eb('consumed_at', 'is', null),
    eb('expires_at', '>', now),
  ]);
}

export function actionTokenRepository(db: Db, vault: PersonalDataVault): ActionTokenRepository {
  return {
    async create(t) {
      let payload = t.payload;
      if (payload !== null) {
        const key = await vault.userKey(db, t.tenantId, t.userId);
        if (!key) throw new Error('action token for an account without a data key');
        payload = vault.seal(key, payload, 'action_token.payload', t.tenantId, t.userId);
      }
      await db
        .insertInto('action_tokens')
        .values({ token_hash: t.tokenHash, tenant_id: t.tenantId, user_id: t.userId, purpose: t.purpose, created_at: t.createdAt, expires_at: t.expiresAt, consumed_at: t.consumedAt, payload })
        .execute();
    },
    async findLive(tenantId, tokenHash, purpose, now) {
      const row = await db
        .selectFrom('action_tokens')
        .selectAll()
        .where((eb) => isLive(eb, tenantId, tokenHash, purpose, now))
        .executeTakeFirst();
      return row ? toActionToken(db, vault, row) : null;
    },
    async consume(tenantId, tokenHash, purpose, now) {
      // One conditional UPDATE … RETURNING: of two concurrent redemptions only one sees a row.
      const row = await db
        .updateTable('action_tokens')
        .set({ consumed_at: now })
        .where((eb) => isLive(eb, tenantId, tokenHash, purpose, now))
        .returningAll()
        .executeTakeFirst();
      return row ? toActionToken(db, vault, row) : null;
    },
    async invalidateForUser(tenantId, userId, purpose, now) {
      const result = await db
        .updateTable('action_tokens')
        .set({ consumed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
