import type { MailOutboxRepository, OutboxMail } from '../../core/ports.ts';
import type { Selectable } from 'kysely';
import type { MailOutboxTable } from '../schema.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { Db } from './rows.ts';

// A mail holds an address and often a sign-in link or code: recipient and bodies are sealed under
// the outbox key, bound to the mail's id; a blind index of the recipient finds an erased account's
// queued mail. Rows without the index predate encryption and are sealed at the next start.
function toMail(vault: PersonalDataVault, row: Selectable<MailOutboxTable>): OutboxMail {
  const open = (value: string, column: string) => (row.recipient_index === null ? value : vault.open(vault.outboxKey, value, column, row.tenant_id, row.id));
  return {
    id: row.id,
    tenantId: row.tenant_id,
    to: open(row.recipient, 'mail.recipient'),
    subject: row.subject,
    text: open(row.body_text, 'mail.text'),
    html: open(row.body_html, 'mail.html'),
    createdAt: row.created_at,
    sentAt: row.sent_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export function mailOutboxRepository(db: Db, vault: PersonalDataVault): MailOutboxRepository {
  const toMails = (rows: Selectable<MailOutboxTable>[]) => rows.map((row) => toMail(vault, row));
  return {
    async enqueue(m) {
      const seal = (value: string, column: string) => vault.seal(vault.outboxKey, value, column, m.tenantId, m.id);
      await db
        .insertInto('mail_outbox')
        .values({
          id: m.id,
          tenant_id: m.tenantId,
          recipient: seal(m.to, 'mail.recipient'),
          recipient_index: vault.emailIndex(m.tenantId, m.to),
          subject: m.subject,
          body_text: seal(m.text, 'mail.text'),
          body_html: seal(m.html, 'mail.html'),
          created_at: m.createdAt,
          sent_at: m.sentAt,
          attempts: m.attempts,
          last_error: m.lastError,
        })
        .execute();
    },
    async listRecent(limit) {
      const rows = await db.selectFrom('mail_outbox').selectAll().orderBy('seq', 'desc').limit(limit).execute();
      return toMails(rows);
    },
    async listUnsent(limit) {
      const rows = await db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).where('attempts', '<', 10).orderBy('seq').limit(limit).execute();
      return toMails(rows);
    },
    async deleteForRecipient(tenantId, recipient) {
      const result = await db
        .deleteFrom('mail_outbox')
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('recipient_index', '=', vault.emailIndex(tenantId, recipient)), eb.and([eb('recipient_index', 'is', null), eb('recipient', '=', recipient)])]))
        .executeTakeFirst();
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
