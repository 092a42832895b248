// Authenticator-app credentials and the sign-in flows waiting for a second factor.
import type { RecoveryCodeRepository, SignInFlow, SignInFlowRepository, TotpCredential, TotpRepository } from '../../core/ports.ts';
import type { SignInFlowsTable, TotpCredentialsTable } from '../schema.ts';
import { openString } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import { parseJson, type Db } from './rows.ts';

// The secret is sealed under the account's data key; a row from before migration 0022 (`root`) is
// opened with the key it was sealed with until the next start re-seals it.
async function toTotp(db: Db, vault: PersonalDataVault, row: TotpCredentialsTable): Promise<TotpCredential | null> {
  let secret: string;
  if (row.sealed_with === 'account') {
    const key = await vault.userKey(db, row.tenant_id, row.user_id);
    if (!key) return null;
    secret = vault.open(key, row.secret_sealed, 'totp.secret', row.tenant_id, row.user_id);
  } else {
    secret = openString(vault.legacyTotpKey, row.secret_sealed, `totp:${row.tenant_id}:${row.user_id}`);
  }
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    secret,
    confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at),
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    createdAt: Number(row.created_at),
  };
}

export function totpRepository(db: Db, vault: PersonalDataVault): TotpRepository {
  const one = (tenantId: string, userId: string) => db.selectFrom('totp_credentials').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId);
  return {
    async get(tenantId, userId) {
      const row = await one(tenantId, userId).executeTakeFirst();
      return row ? toTotp(db, vault, row) : null;
    },
    async putPending(c) {
      const key = await vault.userKey(db, c.tenantId, c.userId);
      if (!key) return false;
      // Only an unconfirmed credential may be replaced: a confirmed one is removed explicitly.
      await db.deleteFrom('totp_credentials').where('tenant_id', '=', c.tenantId).where('user_id', '=', c.userId).where('confirmed_at', 'is', null).execute();
      const result = await db
        .insertInto('totp_credentials')
        .values({
          tenant_id: c.tenantId,
          user_id: c.userId,
          secret_sealed: vault.seal(key, c.secret, 'totp.secret', c.tenantId, c.userId),
          sealed_with: 'account',
          confirmed_at: null,
          last_used_step: null,
          created_at: c.createdAt,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async confirm(tenantId, userId, confirmedAt, step) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ confirmed_at: confirmedAt, last_used_step: step })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async useStep(tenantId, userId, step) {
      // One conditional UPDATE: of two requests with the same code only one moves the step on.
      const result = await db
        .updateTable('totp_credentials')
        .set({ last_used_step: step })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(tenantId, userId) {
      const result = await db.deleteFrom('totp_credentials').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function toFlow(row: SignInFlowsTable): SignInFlow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    amr: parseJson(row.amr, []),
    returnTo: row.return_to,
    requiredAcr: row.required_acr ?? null,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function signInFlowRepository(db: Db): SignInFlowRepository {
  return {
    async create(f) {
      await db
        .insertInto('sign_in_flows')
        .values({ id: f.id, tenant_id: f.tenantId, user_id: f.userId, token_hash: f.tokenHash, amr: JSON.stringify(f.amr), return_to: f.returnTo, required_acr: f.requiredAcr, attempts: f.attempts, created_at: f.createdAt, expires_at: f.expiresAt })
        .execute();
    },
    async findByTokenHash(tenantId, tokenHash, now) {
      const row = await db.selectFrom('sign_in_flows').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
      return row ? toFlow(row) : null;
    },
    async recordAttempt(id) {
      await db.updateTable('sign_in_flows').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
      const row = await db.selectFrom('sign_in_flows').select('attempts').where('id', '=', id).executeTakeFirst();
      return row ? Number(row.attempts) : Number.MAX_SAFE_INTEGER;
    },
    async delete(id) {
      const result = await db.deleteFrom('sign_in_flows').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('sign_in_flows').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function recoveryCodeRepository(db: Db): RecoveryCodeRepository {
  return {
    async replace(tenantId, userId, codeHashes, now) {
      await db.deleteFrom('recovery_codes').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
      if (codeHashes.length) {
        await db
          .insertInto('recovery_codes')
          .values(codeHashes.map((codeHash) => ({ tenant_id: tenantId, user_id: userId, code_hash: codeHash, used_at: null, created_at: now })))
          .execute();
      }
    },
    async use(tenantId, userId, codeHash, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async remaining(tenantId, userId) {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async deleteAll(tenantId, userId) {
      await db.deleteFrom('recovery_codes').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
    },
  };
}
