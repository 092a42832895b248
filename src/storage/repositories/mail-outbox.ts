import type { MailOutboxRepository, OutboxMail } from '../../core/ports.ts';
import type { Selectable } from 'kysely';
import type { MailOutboxTable } from '../schema.ts';
import type { Db } from './rows.ts';

function toMail(row: Selectable<MailOutboxTable>): OutboxMail {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    to: row.recipient,
    subject: row.subject,
    text: row.body_text,
    html: row.body_html,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export function mailOutboxRepository(db: Db): MailOutboxRepository {
  return {
    async enqueue(m) {
      await db
        .insertInto('mail_outbox')
        .values({ id: m.id, tenant_id: m.tenantId, recipient: m.to, subject: m.subject, body_text: m.text, body_html: m.html, created_at: m.createdAt, sent_at: m.sentAt, attempts: m.attempts, last_error: m.lastError })
        .execute();
    },
    async listRecent(limit) {
      const rows = await db.selectFrom('mail_outbox').selectAll().orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(toMail);
    },
    async listUnsent(limit) {
      const rows = await db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).where('attempts', '<', 10).orderBy('seq').limit(limit).execute();
      return rows.map(toMail);
    },
    async deleteForRecipient(tenantId, recipient) {
      const result = await db.deleteFrom('mail_outbox').where('tenant_id', '=', tenantId).where('recipient', '=', recipient).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async markSent(id, now) {
      await db.updateTable('mail_outbox').set((eb) => ({ sent_at: now, attempts: eb('attempts', '+', 1), last_error: null })).where('id', '=', id).execute();
    },
    async markFailed(id, error) {
      await db.updateTable('mail_outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500) })).where('id', '=', id).execute();
    },
  };
}
