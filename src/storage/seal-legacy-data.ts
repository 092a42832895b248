// Rows written before personal data was encrypted (migration 0021) are sealed at start: each
// account gets its data key, its address and profile are sealed with a blind index beside them,
// and its phone, consent evidence and action-token payloads follow; queued mail and text
// messages are sealed under the outbox key. Each row is rewritten only if it is still unsealed,
// so nodes starting together do not seal twice.
import type { Kysely } from 'kysely';
import { isSealed, openString } from '../core/secrets.ts';
import type { PersonalDataVault } from './personal-data-vault.ts';
import type { Database } from './schema.ts';
import type { Db } from './repositories/rows.ts';

const BATCH = 200;

export async function sealLegacyPersonalData(db: Kysely<Database>, vault: PersonalDataVault): Promise<{ users: number; mails: number; texts: number }> {
  let users = 0;
  for (;;) {
    const rows = await db.selectFrom('users').selectAll().where('email_index', 'is', null).limit(BATCH).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      await db.transaction().execute(async (trx) => {
        const { wrapped } = await vault.newUserKey(row.tenant_id, row.id);
        await trx
          .insertInto('user_data_keys')
          .values({ tenant_id: row.tenant_id, user_id: row.id, key_id: wrapped.keyId, wrapped: wrapped.wrapped, created_at: Date.now() })
          .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
          .execute();
        // Whichever node's key was stored is the one everything is sealed with.
        const key = await vault.userKey(trx, row.tenant_id, row.id);
        if (!key) return;
        const seal = (value: string, column: string) => vault.seal(key, value, column, row.tenant_id, row.id);
        const result = await trx
          .updateTable('users')
          .set({ email: seal(row.email, 'email'), email_index: vault.emailIndex(row.tenant_id, row.email), profile: seal(row.profile, 'profile') })
          .where('id', '=', row.id)
          .where('email_index', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return;
        users += 1;
        await sealOwnedRows(trx, row.tenant_id, row.id, seal);
      });
    }
  }
  let mails = 0;
  for (;;) {
    const rows = await db.selectFrom('mail_outbox').select(['id', 'tenant_id', 'recipient', 'body_text', 'body_html']).where('recipient_index', 'is', null).limit(BATCH).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seal = (value: string, column: string) => vault.seal(vault.outboxKey, value, column, row.tenant_id, row.id);
      const result = await db
        .updateTable('mail_outbox')
        .set({ recipient: seal(row.recipient, 'mail.recipient'), recipient_index: vault.emailIndex(row.tenant_id, row.recipient), body_text: seal(row.body_text, 'mail.text'), body_html: seal(row.body_html, 'mail.html') })
        .where('id', '=', row.id)
        .where('recipient_index', 'is', null)
        .executeTakeFirst();
      mails += Number(result.numUpdatedRows);
    }
  }
  // Authenticator-app secrets sealed under the root-derived TOTP key move under the account's key.
  for (const row of await db.selectFrom('totp_credentials').selectAll().where('sealed_with', '=', 'root').execute()) {
    const key = await vault.userKey(db, row.tenant_id, row.user_id);
    if (!key) continue;
    const secret = openString(vault.legacyTotpKey, row.secret_sealed, `totp:${row.tenant_id}:${row.user_id}`);
    await db
      .updateTable('totp_credentials')
      .set({ secret_sealed: vault.seal(key, secret, 'totp.secret', row.tenant_id, row.user_id), sealed_with: 'account' })
      .where('tenant_id', '=', row.tenant_id)
      .where('user_id', '=', row.user_id)
      .where('sealed_with', '=', 'root')
      .execute();
  }
  let texts = 0;
  for (const row of await db.selectFrom('sms_outbox').selectAll().execute()) {
    if (isSealed(row.recipient)) continue;
    const seal = (value: string, column: string) => vault.seal(vault.outboxKey, value, column, row.tenant_id, row.id);
    const result = await db.updateTable('sms_outbox').set({ recipient: seal(row.recipient, 'sms.recipient'), body: seal(row.body, 'sms.body') }).where('id', '=', row.id).where('recipient', '=', row.recipient).executeTakeFirst();
    texts += Number(result.numUpdatedRows);
  }
  return { users, mails, texts };
}

/** The account's other personal values, sealed under its key (the same columns the repositories seal). */
async function sealOwnedRows(trx: Db, tenantId: string, userId: string, seal: (value: string, column: string) => string) {
  const phone = await trx.selectFrom('phone_credentials').select('phone').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  if (phone && phone.phone.startsWith('+')) {
    await trx.updateTable('phone_credentials').set({ phone: seal(phone.phone, 'phone') }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  }
  const records = await trx.selectFrom('consent_records').select(['id', 'ip', 'user_agent']).where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  for (const record of records) {
    const ip = record.ip === null || isSealed(record.ip) ? record.ip : seal(record.ip, 'consent.ip');
    const userAgent = record.user_agent === null || isSealed(record.user_agent) ? record.user_agent : seal(record.user_agent, 'consent.user_agent');
    if (ip !== record.ip || userAgent !== record.user_agent) await trx.updateTable('consent_records').set({ ip, user_agent: userAgent }).where('id', '=', record.id).execute();
  }
  const tokens = await trx.selectFrom('action_tokens').select(['token_hash', 'payload']).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('payload', 'is not', null).execute();
  for (const token of tokens) {
    if (token.payload === null || isSealed(token.payload)) continue;
    await trx.updateTable('action_tokens').set({ payload: seal(token.payload, 'action_token.payload') }).where('token_hash', '=', token.token_hash).execute();
  }
}
