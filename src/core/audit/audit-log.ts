// Append-only security audit. Callers pass reasons and ids, never secrets: the event type has no
// field where a password, token or code could go, and `details` is filtered by a deny-list.
import type { RequestContext } from '../context.ts';
import type { AuditEvent, Clock, Store, TenantId } from '../ports.ts';
import { newId } from '../secrets.ts';

export interface AuditRecord {
  tenantId: TenantId;
  action: string;
  result: AuditEvent['result'];
  subject?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

const SECRET_KEYS = /pass|secret|token|code|cookie|authorization|otp/i;

function redact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !SECRET_KEYS.test(key)));
}

export interface AuditLog {
  record(ctx: RequestContext, record: AuditRecord): Promise<void>;
}

export function createAuditLog(deps: { store: Store; clock: Clock }): AuditLog {
  return {
    async record(ctx, record) {
      await deps.store.audit.append({
        id: newId('aud'),
        tenantId: record.tenantId,
        at: deps.clock.now(),
        actor: ctx.actor,
        subject: record.subject ?? null,
        action: record.action,
        result: record.result,
        reason: record.reason ?? null,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 512) ?? null,
        requestId: ctx.requestId,
        details: redact(record.details ?? {}),
      });
    },
  };
}
