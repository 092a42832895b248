import type { RememberedGrant, RememberedGrantRepository } from '../../core/ports.ts';
import type { OidcUserGrantsTable } from '../schema.ts';
import type { Db } from './rows.ts';

function toGrant(row: OidcUserGrantsTable): RememberedGrant {
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    clientId: row.client_id,
    grantId: row.grant_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function rememberedGrantRepository(db: Db): RememberedGrantRepository {
  return {
    async get(tenantId, userId, clientId) {
      const row = await db
        .selectFrom('oidc_user_grants')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row ? toGrant(row) : null;
    },
    async put(g) {
      await db
        .insertInto('oidc_user_grants')
        .values({ tenant_id: g.tenantId, user_id: g.userId, client_id: g.clientId, grant_id: g.grantId, created_at: g.createdAt, updated_at: g.updatedAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'client_id']).doUpdateSet({ grant_id: g.grantId, updated_at: g.updatedAt }))
        .execute();
    },
    async listForUser(tenantId, userId) {
      const rows = await db.selectFrom('oidc_user_grants').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('created_at').execute();
      return rows.map(toGrant);
    },
    async delete(tenantId, userId, clientId) {
      const row = await db
        .deleteFrom('oidc_user_grants')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .returningAll()
        .executeTakeFirst();
      return row ? toGrant(row) : null;
    },
  };
}
