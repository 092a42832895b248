// Roles, groups and who holds them (migration 0027).
import { sql } from 'kysely';
import { FrontdoorError } from '../../core/errors.ts';
import type { AuthorizationRepository, Group, Role, RolePermission, RoleSource } from '../../core/ports.ts';
import type { GroupsTable, RolesTable } from '../schema.ts';
import { isStorableText, isUniqueViolation, parseJson, precompiled, type Db } from './rows.ts';

function toRole(row: RolesTable): Role {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    permissions: parseJson<RolePermission[]>(row.permissions, []),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toGroup(row: GroupsTable): Group {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, description: row.description, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

/** Inserts, answering false instead of throwing when a unique key (the name, or the row itself) exists. */
async function insertOnce(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export function authorizationRepository(db: Db): AuthorizationRepository {
  // One round trip: the user's own roles and those of their groups. Read for decisions the roles
  // cache does not answer, so compiled once.
  const heldRoles = precompiled(db, 2, (tenantId: string, userId: string) =>
    db
      .selectFrom('user_roles')
      .select(['role_id', 'source', sql<string | null>`null`.as('group_id')])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .unionAll(
        // The user's groups first (a few rows by index), then their roles: as a join, SQLite chose
        // to walk every group's roles and probe membership for each (0.6 ms at 1,000 group roles).
        db
          .selectFrom('group_roles')
          .select(['role_id', sql<string>`'group'`.as('source'), 'group_id'])
          .where('tenant_id', '=', tenantId)
          .where('group_id', 'in', db.selectFrom('group_members').select('group_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId)),
      ),
  );
  return {
    createRole: (r) =>
      insertOnce(() =>
        db
          .insertInto('roles')
          .values({ id: r.id, tenant_id: r.tenantId, name: r.name, description: r.description, permissions: JSON.stringify(r.permissions), created_at: r.createdAt, updated_at: r.updatedAt })
          .execute(),
      ),
    async getRole(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toRole(row) : null;
    },
    async listRoles(tenantId) {
      const rows = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map(toRole);
    },
    async updateRole(tenantId, id, patch, now) {
      if (!isStorableText(id)) return null;
      const values: Partial<RolesTable> = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.permissions !== undefined) values.permissions = JSON.stringify(patch.permissions);
      try {
        const result = await db.updateTable('roles').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
      } catch (error) {
        if (isUniqueViolation(error)) throw new FrontdoorError('role.exists', { field: 'name' });
        throw error;
      }
      return this.getRole(tenantId, id);
    },
    async deleteRole(tenantId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('roles').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    createGroup: (g) =>
      insertOnce(() =>
        db.insertInto('groups').values({ id: g.id, tenant_id: g.tenantId, name: g.name, description: g.description, created_at: g.createdAt, updated_at: g.updatedAt }).execute(),
      ),
    async getGroup(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toGroup(row) : null;
    },
    async listGroups(tenantId) {
      const rows = await db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map(toGroup);
    },
    async deleteGroup(tenantId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    addUserRole: (tenantId, userId, roleId, source, now) =>
      insertOnce(() => db.insertInto('user_roles').values({ tenant_id: tenantId, user_id: userId, role_id: roleId, source, created_at: now }).execute()),
    async removeUserRole(tenantId, userId, roleId) {
      const result = await db.deleteFrom('user_roles').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('role_id', '=', roleId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    addGroupMember: (tenantId, groupId, userId, now) =>
      insertOnce(() => db.insertInto('group_members').values({ tenant_id: tenantId, group_id: groupId, user_id: userId, created_at: now }).execute()),
    async removeGroupMember(tenantId, groupId, userId) {
      const result = await db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listGroupMembers(tenantId, groupId, limit) {
      const rows = await db.selectFrom('group_members').select('user_id').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).orderBy('user_id').limit(limit).execute();
      return rows.map((r) => r.user_id);
    },
    addGroupRole: (tenantId, groupId, roleId, now) =>
      insertOnce(() => db.insertInto('group_roles').values({ tenant_id: tenantId, group_id: groupId, role_id: roleId, created_at: now }).execute()),
    async removeGroupRole(tenantId, groupId, roleId) {
      const result = await db.deleteFrom('group_roles').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('role_id', '=', roleId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listGroupRoles(tenantId, groupId) {
      const rows = await db.selectFrom('group_roles').select('role_id').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).execute();
      return rows.map((r) => r.role_id);
    },
    async rolesOfUser(tenantId, userId) {
      const rows = await heldRoles(tenantId, userId);
      return rows.map((r) => ({ roleId: r.role_id, source: (r.source === 'group' ? { kind: 'group', groupId: r.group_id! } : { kind: r.source === 'default' ? 'default' : 'admin' }) as RoleSource }));
    },
    async groupsOfUser(tenantId, userId) {
      const rows = await db.selectFrom('group_members').select('group_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
      return rows.map((r) => r.group_id);
    },
  };
}
