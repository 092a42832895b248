// Organizations and their members (migration 0028).
import { sql } from 'kysely';
import type { Organization, OrganizationInvitation, OrganizationMember, OrganizationRepository, OrganizationSettings } from '../../core/ports.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { OrganizationInvitationsTable, OrganizationMembersTable, OrganizationsTable } from '../schema.ts';
import { decodeCursor, encodeCursor, isStorableText, parseJson, type Db } from './rows.ts';

function toOrganization(row: OrganizationsTable): Organization {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, settings: parseJson<OrganizationSettings>(row.settings, {}), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

function toMember(row: OrganizationMembersTable): OrganizationMember {
  return { orgId: row.org_id, userId: row.user_id, roles: parseJson<string[]>(row.roles, []), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

function toInvitation(vault: PersonalDataVault, row: OrganizationInvitationsTable): OrganizationInvitation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    orgId: row.org_id,
    email: vault.open(vault.outboxKey, row.email, 'invitation.email', row.tenant_id, row.id),
    roles: parseJson<string[]>(row.roles, []),
    tokenHash: row.token_hash,
    invitedBy: row.invited_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
    acceptedBy: row.accepted_by,
  };
}

/** Replaces an organization's join domains in their lookup table. */
async function writeDomains(db: Db, tenantId: string, orgId: string, domains: readonly string[]): Promise<void> {
  await db.deleteFrom('organization_domains').where('tenant_id', '=', tenantId).where('org_id', '=', orgId).execute();
  if (domains.length > 0) await db.insertInto('organization_domains').values(domains.map((domain) => ({ tenant_id: tenantId, domain, org_id: orgId }))).execute();
}

// The invited address is personal data of someone who may have no account (so no data key): it is
// sealed under the root-derived outbox key, and matched through the blind index.
export function organizationRepository(db: Db, vault: PersonalDataVault): OrganizationRepository {
  return {
    async createInvitation(i) {
      await db
        .insertInto('organization_invitations')
        .values({
          id: i.id,
          tenant_id: i.tenantId,
          org_id: i.orgId,
          email: vault.seal(vault.outboxKey, i.email, 'invitation.email', i.tenantId, i.id),
          email_index: vault.emailIndex(i.tenantId, i.email),
          roles: JSON.stringify(i.roles),
          token_hash: i.tokenHash,
          invited_by: i.invitedBy,
          created_at: i.createdAt,
          expires_at: i.expiresAt,
          accepted_at: null,
          accepted_by: null,
        })
        .execute();
    },
    async findInvitation(tenantId, tokenHash) {
      const row = await db.selectFrom('organization_invitations').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toInvitation(vault, row) : null;
    },
    async pendingInvitations(tenantId, orgId) {
      const rows = await db.selectFrom('organization_invitations').selectAll().where('tenant_id', '=', tenantId).where('org_id', '=', orgId).where('accepted_at', 'is', null).orderBy('created_at', 'desc').limit(1000).execute();
      return rows.map((row) => toInvitation(vault, row));
    },
    async acceptInvitation(tenantId, id, userId, now) {
      const result = await db
        .updateTable('organization_invitations')
        .set({ accepted_at: now, accepted_by: userId })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteInvitation(tenantId, orgId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('organization_invitations').where('tenant_id', '=', tenantId).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async create(org) {
      await db.insertInto('organizations').values({ id: org.id, tenant_id: org.tenantId, name: org.name, settings: JSON.stringify(org.settings), created_at: org.createdAt, updated_at: org.updatedAt }).execute();
      await writeDomains(db, org.tenantId, org.id, org.settings.joinDomains ?? []);
    },
    async withJoinDomain(tenantId, domain) {
      const rows = await db
        .selectFrom('organizations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', db.selectFrom('organization_domains').select('org_id').where('tenant_id', '=', tenantId).where('domain', '=', domain))
        .orderBy('name')
        .limit(50)
        .execute();
      return rows.map(toOrganization);
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('organizations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toOrganization(row) : null;
    },
    async list(tenantId, limit, cursor) {
      let query = db.selectFrom('organizations').selectAll().where('tenant_id', '=', tenantId);
      const after = decodeCursor(cursor);
      if (after) query = query.where(sql<boolean>`(created_at > ${after[0]} or (created_at = ${after[0]} and id > ${after[1]}))`);
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toOrganization);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    },
    async update(tenantId, id, patch, now) {
      if (!isStorableText(id)) return null;
      const values: Partial<OrganizationsTable> = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.settings !== undefined) values.settings = JSON.stringify(patch.settings);
      const result = await db.updateTable('organizations').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return null;
      if (patch.settings !== undefined) await writeDomains(db, tenantId, id, patch.settings.joinDomains ?? []);
      return this.get(tenantId, id);
    },
    async delete(tenantId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('organizations').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async putMember(tenantId, m) {
      await db
        .insertInto('organization_members')
        .values({ tenant_id: tenantId, org_id: m.orgId, user_id: m.userId, roles: JSON.stringify(m.roles), created_at: m.createdAt, updated_at: m.updatedAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'org_id', 'user_id']).doUpdateSet({ roles: JSON.stringify(m.roles), updated_at: m.updatedAt }))
        .execute();
    },
    async removeMember(tenantId, orgId, userId) {
      const result = await db.deleteFrom('organization_members').where('tenant_id', '=', tenantId).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async member(tenantId, orgId, userId) {
      if (!isStorableText(orgId) || !isStorableText(userId)) return null;
      const row = await db.selectFrom('organization_members').selectAll().where('tenant_id', '=', tenantId).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return row ? toMember(row) : null;
    },
    async members(tenantId, orgId, limit) {
      const rows = await db.selectFrom('organization_members').selectAll().where('tenant_id', '=', tenantId).where('org_id', '=', orgId).orderBy('user_id').limit(limit).execute();
      return rows.map(toMember);
    },
    async countWithRole(tenantId, orgId, role) {
      // Role lists are short JSON arrays; the members of one organization are read by its key.
      const rows = await db.selectFrom('organization_members').select('roles').where('tenant_id', '=', tenantId).where('org_id', '=', orgId).execute();
      return rows.filter((r) => parseJson<string[]>(r.roles, []).includes(role)).length;
    },
    async chosenFor(tenantId, userId, clientId) {
      const row = await db.selectFrom('oidc_app_organizations').select('org_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return row?.org_id ?? null;
    },
    async choose(tenantId, userId, clientId, orgId, now) {
      if (orgId === null) {
        await db.deleteFrom('oidc_app_organizations').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('client_id', '=', clientId).execute();
        return;
      }
      await db
        .insertInto('oidc_app_organizations')
        .values({ tenant_id: tenantId, user_id: userId, client_id: clientId, org_id: orgId, updated_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'client_id']).doUpdateSet({ org_id: orgId, updated_at: now }))
        .execute();
    },
    async ofUser(tenantId, userId) {
      const rows = await db.selectFrom('organization_members').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('org_id').execute();
      return rows.map(toMember);
    },
  };
}
