import type { Application, ApplicationRepository } from '../../core/ports.ts';
import type { ApplicationsTable } from '../schema.ts';
import { fromBool, parseJson, toBool, type Db } from './rows.ts';

function toApplication(row: ApplicationsTable): Application {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    name: row.name,
    public: toBool(row.is_public),
    secretHash: row.secret_hash,
    redirectUris: parseJson(row.redirect_uris, []),
    postLogoutRedirectUris: parseJson(row.post_logout_redirect_uris, []),
    grantTypes: parseJson(row.grant_types, []),
    firstParty: toBool(row.first_party),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function applicationRepository(db: Db): ApplicationRepository {
  return {
    async create(a) {
      await db
        .insertInto('applications')
        .values({
          id: a.id,
          tenant_id: a.tenantId,
          client_id: a.clientId,
          name: a.name,
          is_public: fromBool(a.public),
          secret_hash: a.secretHash,
          redirect_uris: JSON.stringify(a.redirectUris),
          post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris),
          grant_types: JSON.stringify(a.grantTypes),
          first_party: fromBool(a.firstParty),
          created_at: a.createdAt,
          updated_at: a.updatedAt,
        })
        .execute();
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toApplication(row) : null;
    },
    async findByClientId(tenantId, clientId) {
      const row = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return row ? toApplication(row) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toApplication);
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('applications').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
