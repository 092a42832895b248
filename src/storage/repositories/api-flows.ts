// Sign-in flows driven through the JSON API.
import type { ApiFlow, ApiFlowRepository, ApiFlowState } from '../../core/ports.ts';
import type { ApiFlowsTable } from '../schema.ts';
import { isStorableText, type Db } from './rows.ts';

function toFlow(row: ApiFlowsTable): ApiFlow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tokenHash: row.token_hash,
    interactionUid: row.interaction_uid,
    state: row.state as ApiFlowState,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function apiFlowRepository(db: Db): ApiFlowRepository {
  return {
    async create(f) {
      await db
        .insertInto('api_flows')
        .values({ id: f.id, tenant_id: f.tenantId, token_hash: f.tokenHash, interaction_uid: f.interactionUid, state: f.state, user_id: f.userId, created_at: f.createdAt, expires_at: f.expiresAt })
        .execute();
    },
    async findByTokenHash(tenantId, tokenHash, now) {
      if (!isStorableText(tokenHash)) return null;
      const row = await db.selectFrom('api_flows').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
      return row ? toFlow(row) : null;
    },
    async transition(id, from, to, userId) {
      const result = await db.updateTable('api_flows').set({ state: to, user_id: userId }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('api_flows').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
