import { FrontdoorError } from '../../core/errors.ts';
import type { ApiResource, ApiResourceRepository } from '../../core/ports.ts';
import type { ApiResourcesTable } from '../schema.ts';
import { isStorableText, isUniqueViolation, parseJson, type Db } from './rows.ts';

function toResource(row: ApiResourcesTable): ApiResource {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    identifier: row.identifier,
    name: row.name,
    scopes: parseJson(row.scopes, []),
    accessTokenFormat: row.access_token_format === 'opaque' ? 'opaque' : 'jwt',
    accessTokenTtlSeconds: Number(row.access_token_ttl_seconds),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function apiResourceRepository(db: Db): ApiResourceRepository {
  return {
    async create(r) {
      try {
        await db
          .insertInto('api_resources')
          .values({
            id: r.id,
            tenant_id: r.tenantId,
            identifier: r.identifier,
            name: r.name,
            scopes: JSON.stringify(r.scopes),
            access_token_format: r.accessTokenFormat,
            access_token_ttl_seconds: r.accessTokenTtlSeconds,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new FrontdoorError('resource.exists', { field: 'identifier' });
        throw error;
      }
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toResource(row) : null;
    },
    async findByIdentifier(tenantId, identifier) {
      if (!isStorableText(identifier)) return null;
      const row = await db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).where('identifier', '=', identifier).executeTakeFirst();
      return row ? toResource(row) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toResource);
    },
    async update(tenantId, id, patch, now) {
      const values = {
        updated_at: now,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.scopes !== undefined ? { scopes: JSON.stringify(patch.scopes) } : {}),
        ...(patch.accessTokenFormat !== undefined ? { access_token_format: patch.accessTokenFormat } : {}),
        ...(patch.accessTokenTtlSeconds !== undefined ? { access_token_ttl_seconds: patch.accessTokenTtlSeconds } : {}),
      };
      await db.updateTable('api_resources').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      const row = await db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toResource(row) : null;
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('api_resources').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
