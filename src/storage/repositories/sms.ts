// Phones for text-message codes, the codes sent, and the development outbox of text messages.
import type { OutboxSms, PhoneCredential, PhoneCredentialRepository, SmsCode, SmsCodePurpose, SmsCodeRepository, SmsOutboxRepository } from '../../core/ports.ts';
import type { PhoneCredentialsTable, SmsCodesTable } from '../schema.ts';
import { isSealed } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { Db } from './rows.ts';

// The number is sealed under the account's data key; an E.164 number (`+…`) is a row from before
// encryption, sealed at the next start.
async function toPhone(db: Db, vault: PersonalDataVault, row: PhoneCredentialsTable): Promise<PhoneCredential | null> {
  const sealed = !row.phone.startsWith('+') || row.pending_phone !== null;
  const key = sealed ? await vault.userKey(db, row.tenant_id, row.user_id) : null;
  if (sealed && !key) return null;
  const open = (value: string) => (value.startsWith('+') ? value : vault.open(key!, value, 'phone', row.tenant_id, row.user_id));
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    phone: open(row.phone),
    confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at),
    createdAt: Number(row.created_at),
    pendingPhone: row.pending_phone === null ? null : open(row.pending_phone),
  };
}

export function phoneCredentialRepository(db: Db, vault: PersonalDataVault): PhoneCredentialRepository {
  return {
    async get(tenantId, userId) {
      const row = await db.selectFrom('phone_credentials').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row ? toPhone(db, vault, row) : null;
    },
    async putPending(p) {
      const key = await vault.userKey(db, p.tenantId, p.userId);
      if (!key) return false;
      await db.deleteFrom('phone_credentials').where('tenant_id', '=', p.tenantId).where('user_id', '=', p.userId).where('confirmed_at', 'is', null).execute();
      const result = await db
        .insertInto('phone_credentials')
        .values({ tenant_id: p.tenantId, user_id: p.userId, phone: vault.seal(key, p.phone, 'phone', p.tenantId, p.userId), confirmed_at: null, created_at: p.createdAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async confirm(tenantId, userId, now) {
      const result = await db.updateTable('phone_credentials').set({ confirmed_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('confirmed_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(tenantId, userId) {
      const result = await db.deleteFrom('phone_credentials').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async putPendingChange(tenantId, userId, phone) {
      const key = await vault.userKey(db, tenantId, userId);
      if (!key) return false;
      const result = await db
        .updateTable('phone_credentials')
        .set({ pending_phone: vault.seal(key, phone, 'phone', tenantId, userId) })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async confirmChange(tenantId, userId, phone, now) {
      const row = await db.selectFrom('phone_credentials').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      const current = row ? await toPhone(db, vault, row) : null;
      if (!row || row.pending_phone === null || current?.pendingPhone !== phone) return false;
      // Only if the pending number is still the one read: a change begun again meanwhile wins.
      const result = await db
        .updateTable('phone_credentials')
        .set({ phone: row.pending_phone, pending_phone: null, confirmed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('pending_phone', '=', row.pending_phone)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

function toCode(row: SmsCodesTable): SmsCode {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    purpose: row.purpose as SmsCodePurpose,
    subject: row.subject,
    codeMac: row.code_mac,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
  };
}

export function smsCodeRepository(db: Db): SmsCodeRepository {
  return {
    async replace(c) {
      await db
        .updateTable('sms_codes')
        .set({ consumed_at: c.createdAt })
        .where('tenant_id', '=', c.tenantId)
        .where('user_id', '=', c.userId)
        .where('purpose', '=', c.purpose)
        .where('subject', '=', c.subject)
        .where('consumed_at', 'is', null)
        .execute();
      await db
        .insertInto('sms_codes')
        .values({ id: c.id, tenant_id: c.tenantId, user_id: c.userId, purpose: c.purpose, subject: c.subject, code_mac: c.codeMac, attempts: c.attempts, created_at: c.createdAt, expires_at: c.expiresAt, consumed_at: c.consumedAt })
        .execute();
    },
    async findOpen(tenantId, userId, purpose, subject, now) {
      const row = await db
        .selectFrom('sms_codes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('subject', '=', subject)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toCode(row) : null;
    },
    async recordAttempt(id) {
      await db.updateTable('sms_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
      const row = await db.selectFrom('sms_codes').select('attempts').where('id', '=', id).executeTakeFirst();
      return row ? Number(row.attempts) : Number.MAX_SAFE_INTEGER;
    },
    async consume(id, now) {
      const result = await db.updateTable('sms_codes').set({ consumed_at: now }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('sms_codes').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

// Messages hold the number and a code: both sealed under the outbox key, bound to the message id.
export function smsOutboxRepository(db: Db, vault: PersonalDataVault): SmsOutboxRepository {
  const seal = (value: string, column: string, tenantId: string, id: string) => vault.seal(vault.outboxKey, value, column, tenantId, id);
  // Messages queued before encryption stay readable as they were.
  const open = (value: string, column: string, tenantId: string, id: string) => (isSealed(value) ? vault.open(vault.outboxKey, value, column, tenantId, id) : value);
  return {
    async add(m: OutboxSms) {
      await db.insertInto('sms_outbox').values({ id: m.id, tenant_id: m.tenantId, recipient: seal(m.to, 'sms.recipient', m.tenantId, m.id), body: seal(m.text, 'sms.body', m.tenantId, m.id), created_at: m.createdAt }).execute();
    },
    async listRecent(limit) {
      const rows = await db.selectFrom('sms_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, to: open(r.recipient, 'sms.recipient', r.tenant_id, r.id), text: open(r.body, 'sms.body', r.tenant_id, r.id), createdAt: Number(r.created_at) }));
    },
  };
}
