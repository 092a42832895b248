// Passkeys and the used-challenge record of WebAuthn ceremonies.
import type { Passkey, PasskeyRepository, WebauthnChallengeRepository } from '../../core/ports.ts';
import type { PasskeysTable } from '../schema.ts';
import { fromBool, isStorableText, parseJson, toBool, type Db } from './rows.ts';

function toPasskey(row: PasskeysTable): Passkey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: parseJson<string[]>(row.transports, []),
    backupEligible: toBool(row.backup_eligible),
    backedUp: toBool(row.backed_up),
    aaguid: row.aaguid,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

export function passkeyRepository(db: Db): PasskeyRepository {
  const ofUser = (tenantId: string, userId: string) => db.selectFrom('passkeys').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
  return {
    async create(p) {
      await db
        .insertInto('passkeys')
        .values({
          id: p.id,
          tenant_id: p.tenantId,
          user_id: p.userId,
          credential_id: p.credentialId,
          public_key: p.publicKey,
          sign_count: p.signCount,
          transports: JSON.stringify(p.transports),
          backup_eligible: fromBool(p.backupEligible),
          backed_up: fromBool(p.backedUp),
          aaguid: p.aaguid,
          name: p.name,
          created_at: p.createdAt,
          last_used_at: p.lastUsedAt,
        })
        .execute();
    },
    async findByCredentialId(tenantId, credentialId) {
      if (!isStorableText(credentialId)) return null;
      const row = await db.selectFrom('passkeys').selectAll().where('tenant_id', '=', tenantId).where('credential_id', '=', credentialId).executeTakeFirst();
      return row ? toPasskey(row) : null;
    },
    async listForUser(tenantId, userId) {
      const rows = await ofUser(tenantId, userId).selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toPasskey);
    },
    async countForUser(tenantId, userId) {
      const row = await ofUser(tenantId, userId).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async recordUse(id, signCount, backedUp, now) {
      const result = await db
        .updateTable('passkeys')
        .set({ sign_count: signCount, backed_up: fromBool(backedUp), last_used_at: now })
        .where('id', '=', id)
        // A counter of 0 means the authenticator keeps none; otherwise it must have moved on.
        .where((eb) => eb.or([eb('sign_count', '<', signCount), eb.and([eb('sign_count', '=', 0), eb(eb.val(signCount), '=', 0)])]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async rename(tenantId, userId, id, name) {
      const result = await db.updateTable('passkeys').set({ name }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(tenantId, userId, id) {
      const result = await db.deleteFrom('passkeys').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async deleteAllForUser(tenantId, userId) {
      const result = await db.deleteFrom('passkeys').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async adoption() {
      const rows = await db
        .selectFrom('users')
        .leftJoin(
          (eb) => eb.selectFrom('passkeys').select(['tenant_id', 'user_id']).distinct().as('holders'),
          (join) => join.onRef('holders.tenant_id', '=', 'users.tenant_id').onRef('holders.user_id', '=', 'users.id'),
        )
        .select((eb) => ['users.tenant_id as tenant_id', eb.fn.countAll<number>().as('active'), eb.fn.count<number>('holders.user_id').as('with_passkey')])
        .where('users.status', '=', 'active')
        .groupBy('users.tenant_id')
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, activeUsers: Number(r.active), withPasskey: Number(r.with_passkey) }));
    },
  };
}

export function webauthnChallengeRepository(db: Db): WebauthnChallengeRepository {
  return {
    async markUsed(tenantId, challengeHash, expiresAt) {
      const result = await db
        .insertInto('webauthn_used_challenges')
        .values({ challenge_hash: challengeHash, tenant_id: tenantId, expires_at: expiresAt })
        .onConflict((oc) => oc.column('challenge_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('webauthn_used_challenges').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
