// /tenants/:tenantId/audit: the tenant's security events, newest first, filtered by subject, action
// and time range; /audit/export: the whole tamper-evident chain as a file that verifies offline
// (core/audit/audit-export.ts). /tenants/:tenantId/risk-events: every risk assessment with each signal's points
// and reason — why an attempt was let through, challenged or refused.
import { PassThrough } from 'node:stream';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { exportAuditLog } from '../../core/audit/audit-export.ts';
import { adminContext } from './auth.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { AuditPage, AuditQuery, errorResponses, RiskEventPage, RiskEventQuery, TenantParams, type AdminApp } from './schemas.ts';
import { auditEventToWire, riskEventToWire } from './wire.ts';

const DEFAULT_PAGE_SIZE = 50;

function instant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new FrontdoorError('request.invalid', { field });
  return ms;
}

export function registerAuditRoutes(app: AdminApp, services: Services): void {
  app.get(
    '/tenants/:tenantId/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Query audit events',
        description: 'Newest first. `from` is inclusive, `to` exclusive. Pass `next_cursor` back as `cursor` for the next page.',
        params: TenantParams,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(services.store, request.params.tenantId);
      const { subject, action, limit, cursor } = request.query;
      const from = instant(request.query.from, 'from');
      const to = instant(request.query.to, 'to');
      if (from !== undefined && to !== undefined && from > to) throw new FrontdoorError('request.invalid', { field: 'from', detail: 'from is after to' });
      const page = await services.store.audit.query({
        tenantId: tenant.id,
        ...(subject ? { subject } : {}),
        ...(action ? { action } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        limit: limit ?? DEFAULT_PAGE_SIZE,
        cursor: cursor ?? null,
      });
      return { items: page.items.map(auditEventToWire), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/tenants/:tenantId/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the audit log for offline verification',
        description:
          'JSON Lines: a header, the tenant\'s public signing keys, every signed checkpoint, then every sealed row in chain order. Pending rows are sealed and the head signed first. Check the file with `frontdoor audit verify --file F --jwks J`, giving the keys published at the issuer\'s `/jwks`.',
        params: TenantParams,
        response: { 200: Type.Any({ description: 'application/x-ndjson: one JSON object per line' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(services.store, request.params.tenantId);
      await services.audit.record(adminContext(request), { tenantId: tenant.id, action: 'admin.audit_exported', result: 'success' });
      const body = new PassThrough();
      exportAuditLog(services.auditChain, tenant.id, async (line) => {
        if (!body.write(`${line}\n`)) await new Promise((resolve) => body.once('drain', resolve));
      }).then(
        () => body.end(),
        (error: unknown) => {
          request.log.error({ err: error }, 'audit export failed');
          body.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
      return reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="audit-${tenant.id}.jsonl"`).send(body);
    },
  );

  app.get(
    '/tenants/:tenantId/risk-events',
    {
      schema: {
        tags: ['audit'],
        summary: 'Query risk assessments',
        description: 'Newest first; filter by account, action, kind, minimum score and time. Each item says which signals fired, how many points each added, and why.',
        params: TenantParams,
        querystring: RiskEventQuery,
        response: { 200: RiskEventPage, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(services.store, request.params.tenantId);
      const q = request.query;
      const from = instant(q.from, 'from');
      const to = instant(q.to, 'to');
      if (from !== undefined && to !== undefined && from > to) throw new FrontdoorError('request.invalid', { field: 'from', detail: 'from is after to' });
      // This node's buffered assessments first (other nodes write theirs within 50 ms).
      await services.flows.risk.flush();
      const page = await services.store.riskEvents.query({
        tenantId: tenant.id,
        ...(q.user_id ? { userId: q.user_id } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.min_score !== undefined ? { minScore: q.min_score } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        limit: q.limit ?? DEFAULT_PAGE_SIZE,
        cursor: q.cursor ?? null,
      });
      return { items: page.items.map(riskEventToWire), next_cursor: page.nextCursor };
    },
  );
}
