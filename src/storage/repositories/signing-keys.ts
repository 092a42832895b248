// Signing keys of a tenant's OIDC provider. The private JWK arrives here already sealed by the core
// service (src/core/keys/signing-keys.ts) and is stored as the opaque string it is; this file never
// sees key material in clear. Two unique partial indexes (migration 0003) allow at most one `active`
// and one `next` key per tenant and alg.
import type { SigningAlg, SigningKey, SigningKeyRepository, SigningKeyStatus } from '../../core/ports.ts';
import type { SigningKeysTable } from '../schema.ts';
import { parseJson, type Db } from './rows.ts';

function toSigningKey(row: SigningKeysTable): SigningKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    alg: row.alg as SigningAlg,
    status: row.status as SigningKeyStatus,
    privateJwk: row.private_jwk,
    publicJwk: parseJson(row.public_jwk, {}),
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retireAfter: row.retire_after,
    updatedAt: row.updated_at,
  };
}

export function signingKeyRepository(db: Db): SigningKeyRepository {
  return {
    async create(k) {
      await db
        .insertInto('signing_keys')
        .values({
          id: k.id,
          tenant_id: k.tenantId,
          alg: k.alg,
          status: k.status,
          private_jwk: k.privateJwk,
          public_jwk: JSON.stringify(k.publicJwk),
          created_at: k.createdAt,
          activated_at: k.activatedAt,
          retire_after: k.retireAfter,
          updated_at: k.updatedAt,
        })
        .execute();
    },
    async list(tenantId) {
      const rows = await db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toSigningKey);
    },
    async lock(tenantId) {
      // A write that changes nothing, on the tenant row: PostgreSQL holds its row lock until the
      // transaction ends (a second caller waits, then reads what the first committed; foreign-key
      // checks of other tables take KEY SHARE and are not blocked), and on SQLite a write as the
      // first statement takes the database's write lock under busy_timeout instead of failing
      // later with SQLITE_BUSY when a read transaction tries to upgrade.
      const result = await db
        .updateTable('tenants')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('id', '=', tenantId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async transition(tenantId, id, from, to, patch, now) {
      const values: Partial<SigningKeysTable> = { status: to, updated_at: now };
      if (patch.activatedAt !== undefined) values.activated_at = patch.activatedAt;
      if (patch.retireAfter !== undefined) values.retire_after = patch.retireAfter;
      const result = await db
        .updateTable('signing_keys')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteExpired(tenantId, now) {
      const result = await db
        .deleteFrom('signing_keys')
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'retired')
        .where('retire_after', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async states(tenantId, now) {
      const rows = await db
        .selectFrom('signing_keys')
        .select(['id', 'status', 'updated_at'])
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('status', '<>', 'retired'), eb('retire_after', '>', now)]))
        .execute();
      return rows.map((r) => ({ id: r.id, status: r.status as SigningKeyStatus, updatedAt: r.updated_at }));
    },
  };
}
