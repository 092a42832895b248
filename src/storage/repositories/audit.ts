import type { AuditEvent, AuditRepository } from '../../core/ports.ts';
import type { Selectable } from 'kysely';
import type { AuditEventsTable } from '../schema.ts';
import { newestFirstPage, parseJson, type Db } from './rows.ts';

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    at: row.at,
    actor: row.actor,
    subject: row.subject,
    action: row.action,
    result: row.result as AuditEvent['result'],
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: parseJson(row.details, {}),
  };
}

// Append-only: the repository offers no update or delete.
export function auditRepository(db: Db): AuditRepository {
  return {
    async append(e) {
      await db
        .insertInto('audit_events')
        .values({
          id: e.id,
          tenant_id: e.tenantId,
          at: e.at,
          actor: e.actor,
          subject: e.subject,
          action: e.action,
          result: e.result,
          reason: e.reason,
          ip: e.ip,
          user_agent: e.userAgent,
          request_id: e.requestId,
          details: JSON.stringify(e.details),
        })
        .execute();
    },
    async query({ tenantId, subject, action, from, to, limit, cursor }) {
      let query = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (subject) query = query.where('subject', '=', subject);
      if (action) query = query.where('action', '=', action);
      if (from !== undefined) query = query.where('at', '>=', from);
      if (to !== undefined) query = query.where('at', '<', to);
      return newestFirstPage(query, cursor, limit, toEvent);
    },
  };
}
