import type { Application, ApplicationRepository } from '../../core/ports.ts';
import type { ApplicationsTable } from '../schema.ts';
import { fromBool, isStorableText, parseJson, toBool, type Db } from './rows.ts';

function toApplication(row: ApplicationsTable): Application {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    name: row.name,
    public: toBool(row.is_public),
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    previousSecretExpiresAt: row.previous_secret_expires_at === null ? null : Number(row.previous_secret_expires_at),
    redirectUris: parseJson(row.redirect_uris, []),
    postLogoutRedirectUris: parseJson(row.post_logout_redirect_uris, []),
    grantTypes: parseJson(row.grant_types, []),
    firstParty: toBool(row.first_party),
    oidc: parseJson(row.oidc, {}),
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
          previous_secret_hash: a.previousSecretHash,
          previous_secret_expires_at: a.previousSecretExpiresAt,
          redirect_uris: JSON.stringify(a.redirectUris),
          post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris),
          grant_types: JSON.stringify(a.grantTypes),
          first_party: fromBool(a.firstParty),
          oidc: JSON.stringify(a.oidc),
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
      if (!isStorableText(clientId)) return null;
      const row = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return row ? toApplication(row) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toApplication);
    },
    async update(tenantId, id, patch, now) {
      const values: Partial<ApplicationsTable> = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.secretHash !== undefined) values.secret_hash = patch.secretHash;
      if (patch.previousSecretHash !== undefined) values.previous_secret_hash = patch.previousSecretHash;
      if (patch.previousSecretExpiresAt !== undefined) values.previous_secret_expires_at = patch.previousSecretExpiresAt;
      if (patch.redirectUris !== undefined) values.redirect_uris = JSON.stringify(patch.redirectUris);
      if (patch.postLogoutRedirectUris !== undefined) values.post_logout_redirect_uris = JSON.stringify(patch.postLogoutRedirectUris);
      if (patch.grantTypes !== undefined) values.grant_types = JSON.stringify(patch.grantTypes);
      if (patch.firstParty !== undefined) values.first_party = fromBool(patch.firstParty);
      if (patch.oidc !== undefined) values.oidc = JSON.stringify(patch.oidc);
      await db.updateTable('applications').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      const row = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toApplication(row) : null;
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('applications').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
