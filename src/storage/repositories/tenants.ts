import type { Tenant, TenantRepository } from '../../core/ports.ts';
import type { TenantsTable } from '../schema.ts';
import { isStorableText, parseJson, type Db } from './rows.ts';

function toTenant(row: TenantsTable): Tenant {
  return {
    id: row.id,
    name: row.name,
    branding: parseJson(row.branding, {}),
    settings: parseJson(row.settings, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function tenantRepository(db: Db): TenantRepository {
  return {
    async create(t) {
      await db
        .insertInto('tenants')
        .values({ id: t.id, name: t.name, branding: JSON.stringify(t.branding), settings: JSON.stringify(t.settings), created_at: t.createdAt, updated_at: t.updatedAt })
        .execute();
    },
    async get(id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toTenant(row) : null;
    },
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
      return rows.map(toTenant);
    },
    async update(id, patch, now) {
      const values: Partial<TenantsTable> = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.branding !== undefined) values.branding = JSON.stringify(patch.branding);
      if (patch.settings !== undefined) values.settings = JSON.stringify(patch.settings);
      await db.updateTable('tenants').set(values).where('id', '=', id).execute();
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toTenant(row) : null;
    },
    async delete(id) {
      const result = await db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
