import type { KeyObject } from 'node:crypto';
import type { Selectable } from 'kysely';
import { FrontdoorError } from '../../core/errors.ts';
import type { ConsentChannel, ConsentPurpose, ConsentRecord, ConsentRepository } from '../../core/ports.ts';
import type { ConsentPolicyVersionsTable, ConsentPurposesTable, ConsentRecordsTable } from '../schema.ts';
import { isSealed } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import { fromBool, isUniqueViolation, toBool, type Db } from './rows.ts';

function toPurpose(row: Selectable<ConsentPurposesTable> & Pick<Selectable<ConsentPolicyVersionsTable>, 'description' | 'policy_text'>): ConsentPurpose {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    version: Number(row.version),
    askAgainFrom: Number(row.ask_again_from),
    archived: toBool(row.archived),
    description: row.description,
    policyText: row.policy_text,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

// The evidence (address and browser) is personal: sealed under the account's data key, so once
// the account is erased the kept record names only its random id. Evidence written before
// encryption is read as it is.
function toRecord(vault: PersonalDataVault, key: KeyObject | null, row: Selectable<ConsentRecordsTable>): ConsentRecord {
  const open = (value: string | null, column: string) => {
    if (value === null || !isSealed(value)) return value;
    return key ? vault.open(key, value, column, row.tenant_id, row.user_id) : null;
  };
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    purposeId: row.purpose_id,
    policyVersion: Number(row.policy_version),
    granted: toBool(row.granted),
    at: Number(row.at),
    channel: row.channel as ConsentChannel,
    requestId: row.request_id,
    ip: open(row.ip, 'consent.ip'),
    userAgent: open(row.user_agent, 'consent.user_agent'),
  };
}

// Records are append-only: the repository offers no update or delete of them.
export function consentRepository(db: Db, vault: PersonalDataVault): ConsentRepository {
  const purposes = () =>
    db
      .selectFrom('consent_purposes as p')
      .innerJoin('consent_policy_versions as v', (join) => join.onRef('v.tenant_id', '=', 'p.tenant_id').onRef('v.purpose_id', '=', 'p.id').onRef('v.version', '=', 'p.version'))
      .selectAll('p')
      .select(['v.description', 'v.policy_text']);
  return {
    async listPurposes(tenantId) {
      return (await purposes().where('p.tenant_id', '=', tenantId).orderBy('p.created_at').orderBy('p.id').execute()).map(toPurpose);
    },
    async getPurpose(tenantId, id) {
      const row = await purposes().where('p.tenant_id', '=', tenantId).where('p.id', '=', id).executeTakeFirst();
      return row ? toPurpose(row) : null;
    },
    async createPurpose(p) {
      try {
        await db
          .insertInto('consent_purposes')
          .values({ tenant_id: p.tenantId, id: p.id, name: p.name, version: p.version, ask_again_from: p.askAgainFrom, archived: fromBool(p.archived), created_at: p.createdAt, updated_at: p.updatedAt })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new FrontdoorError('consent.purpose_exists', { field: 'id' });
        throw error;
      }
      await db
        .insertInto('consent_policy_versions')
        .values({ tenant_id: p.tenantId, purpose_id: p.id, version: p.version, description: p.description, policy_text: p.policyText, created_at: p.createdAt })
        .execute();
    },
    async publishVersion(tenantId, id, expectedVersion, next, now) {
      const version = expectedVersion + 1;
      const moved = await db
        .updateTable('consent_purposes')
        .set((eb) => ({ version, updated_at: now, ...(next.askAgain ? { ask_again_from: version } : { ask_again_from: eb.ref('ask_again_from') }) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await db.insertInto('consent_policy_versions').values({ tenant_id: tenantId, purpose_id: id, version, description: next.description, policy_text: next.policyText, created_at: now }).execute();
      return true;
    },
    async update(tenantId, id, patch, now) {
      const values: { name?: string; archived?: number; updated_at: number } = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.archived !== undefined) values.archived = fromBool(patch.archived);
      const result = await db.updateTable('consent_purposes').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async versions(tenantId, purposeId) {
      const rows = await db.selectFrom('consent_policy_versions').selectAll().where('tenant_id', '=', tenantId).where('purpose_id', '=', purposeId).orderBy('version').execute();
      return rows.map((r) => ({ purposeId: r.purpose_id, version: Number(r.version), description: r.description, policyText: r.policy_text, createdAt: Number(r.created_at) }));
    },
    async append(r) {
      const key = await vault.userKey(db, r.tenantId, r.userId);
      const seal = (value: string | null, column: string) => (value === null || !key ? null : vault.seal(key, value, column, r.tenantId, r.userId));
      await db
        .insertInto('consent_records')
        .values({
          id: r.id,
          tenant_id: r.tenantId,
          user_id: r.userId,
          purpose_id: r.purposeId,
          policy_version: r.policyVersion,
          granted: fromBool(r.granted),
          at: r.at,
          channel: r.channel,
          request_id: r.requestId,
          ip: seal(r.ip, 'consent.ip'),
          user_agent: seal(r.userAgent, 'consent.user_agent'),
        })
        .execute();
    },
    async history(tenantId, userId) {
      const rows = await db.selectFrom('consent_records').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('seq').execute();
      const key = rows.length > 0 ? await vault.userKey(db, tenantId, userId) : null;
      return rows.map((row) => toRecord(vault, key, row));
    },
  };
}
