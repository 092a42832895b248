// Admin API: every admin write leaves one audit event (actor `admin:<token id>`, subject, request
// id, IP), the audit endpoint filters by subject, action and time, and no secret reaches a row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateAdmin } from '../../../src/core/admin/admin-credentials.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import type { AuditEvent } from '../../../src/core/ports.ts';
import type { JWK } from 'jose';
import { verifyAuditExport } from '../../../src/core/audit/audit-export.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from './admin-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = 'an entirely reasonable passphrase';
const ctx: RequestContext = { ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'anonymous' };

interface WireEvent {
  id: string;
  at: string;
  actor: string;
  subject: string | null;
  action: string;
  result: string;
  request_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

describe.each(engines)('admin API: audit (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let actor: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    const record = await authenticateAdmin(server.services, server.adminToken);
    actor = `admin:${record?.id}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  async function allEvents(tenantId: string): Promise<AuditEvent[]> {
    return (await server.services.store.audit.query({ tenantId, limit: 1000 })).items;
  }

  it('records one event per admin write, with the admin as actor; reads record nothing', async () => {
    const secrets: string[] = [server.adminToken, PASSWORD];
    const expected: Array<{ tenant: string; action: string; subject: string; requestId: string | null }> = [];

    async function write(method: string, path: string, body: unknown, tenant: string, action: string, subject: (response: any) => string) {
      const response = await api(method, path, body);
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
      expected.push({ tenant, action, subject: subject(response.body), requestId: response.headers.get('x-request-id') });
      return response.body;
    }

    await write('POST', '/tenants', { id: 'audited' }, 'audited', 'admin.tenant_created', () => 'audited');
    await write('PATCH', '/tenants/audited', { name: 'Audited' }, 'audited', 'admin.tenant_updated', () => 'audited');
    const app = await write('POST', '/tenants/audited/applications', { name: 'App', redirect_uris: ['https://a.example/cb'] }, 'audited', 'admin.app_created', (b) => b.id);
    secrets.push(app.client_secret);
    await write('DELETE', `/tenants/audited/applications/${app.id}`, undefined, 'audited', 'admin.app_deleted', () => app.id);
    const user = await write('POST', '/tenants/audited/users', { email: 'aud@example.com', password: PASSWORD }, 'audited', 'admin.user_created', (b) => b.id);
    await write('PATCH', `/tenants/audited/users/${user.id}`, { profile: { nickname: 'a' } }, 'audited', 'admin.user_updated', () => user.id);
    await write('POST', `/tenants/audited/users/${user.id}/enable`, undefined, 'audited', 'admin.user_enabled', () => user.id);
    const { token: sessionToken, session } = await server.services.sessions.start('audited', user.id, ctx);
    secrets.push(sessionToken, session.tokenHash);
    await server.services.sessions.start('audited', user.id, ctx);
    await write('DELETE', `/tenants/audited/users/${user.id}/sessions/${session.id}`, undefined, 'audited', 'admin.user_session_revoked', () => user.id);
    await write('DELETE', `/tenants/audited/users/${user.id}/sessions`, undefined, 'audited', 'admin.user_sessions_revoked', () => user.id);
    await write('POST', `/tenants/audited/users/${user.id}/disable`, undefined, 'audited', 'admin.user_disabled', () => user.id);
    await write('DELETE', `/tenants/audited/users/${user.id}`, undefined, 'audited', 'admin.user_deleted', () => user.id);

    // Reads leave no trace.
    const before = (await allEvents('audited')).length;
    await api('GET', '/tenants/audited');
    await api('GET', '/tenants/audited/users');
    await api('GET', '/tenants/audited/audit');
    expect((await allEvents('audited')).length).toBe(before);

    await write('DELETE', '/tenants/audited', undefined, 'audited', 'admin.tenant_deleted', () => 'audited');

    // The tenant is gone, its audit trail is not.
    const events = await allEvents('audited');
    expect(events).toHaveLength(expected.length);
    const chronological = [...events].reverse();
    expected.forEach((want, i) => {
      expect(chronological[i], want.action).toMatchObject({ action: want.action, subject: want.subject, actor, result: 'success', requestId: want.requestId, ip: '127.0.0.1' });
    });

    const dump = JSON.stringify(events);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(dump).not.toContain('argon2');
  });

  it('queries by subject, action and time range, newest first, with a cursor', async () => {
    expect((await api('POST', '/tenants', { id: 'query' })).status).toBe(201);
    const alice = (await api('POST', '/tenants/query/users', { email: 'alice@example.com' })).body;
    const bob = (await api('POST', '/tenants/query/users', { email: 'bob@example.com' })).body;
    // A clean millisecond boundary between the two groups of events.
    await sleep(5);
    const startedAt = new Date(server.services.clock.now()).toISOString();
    await sleep(5);
    for (let i = 0; i < 3; i++) await api('PATCH', `/tenants/query/users/${alice.id}`, { profile: { nickname: `n${i}` } });
    await api('POST', `/tenants/query/users/${bob.id}/disable`);

    const aboutAlice = await api('GET', `/tenants/query/audit?subject=${alice.id}`);
    expect(aboutAlice.status).toBe(200);
    expect(aboutAlice.body.items.map((e: WireEvent) => e.action)).toEqual(['admin.user_updated', 'admin.user_updated', 'admin.user_updated', 'admin.user_created']);
    expect(aboutAlice.body.next_cursor).toBeNull();
    expect(aboutAlice.body.items[0]).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      actor,
      subject: alice.id,
      action: 'admin.user_updated',
      result: 'success',
      reason: null,
      ip: '127.0.0.1',
      user_agent: expect.any(String),
      request_id: expect.any(String),
      details: { fields: ['profile'] },
    });

    const disabled = await api('GET', '/tenants/query/audit?action=admin.user_disabled');
    expect(disabled.body.items.map((e: WireEvent) => e.subject)).toEqual([bob.id]);

    const both = await api('GET', `/tenants/query/audit?subject=${alice.id}&action=admin.user_created`);
    expect(both.body.items).toHaveLength(1);

    // Time range: `from` inclusive, `to` exclusive.
    const since = await api('GET', `/tenants/query/audit?from=${encodeURIComponent(startedAt)}`);
    expect(since.body.items.map((e: WireEvent) => e.action).sort()).toEqual(['admin.user_disabled', 'admin.user_updated', 'admin.user_updated', 'admin.user_updated']);
    const until = await api('GET', `/tenants/query/audit?to=${encodeURIComponent(startedAt)}`);
    expect(until.body.items.map((e: WireEvent) => e.action).sort()).toEqual(['admin.tenant_created', 'admin.user_created', 'admin.user_created']);
    const future = new Date(server.services.clock.now() + 3_600_000).toISOString();
    expect((await api('GET', `/tenants/query/audit?from=${encodeURIComponent(future)}`)).body.items).toEqual([]);
    const offset = await api('GET', `/tenants/query/audit?from=${encodeURIComponent('2000-01-01T01:00:00+01:00')}&to=${encodeURIComponent(future)}`);
    expect(offset.body.items).toHaveLength(7);

    // Pages of two, newest first, nothing repeated or lost.
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: WireEvent[]; next_cursor: string | null } } = await api('GET', `/tenants/query/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.body.items.map((e) => e.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    const all = (await api('GET', '/tenants/query/audit?limit=200')).body.items.map((e: WireEvent) => e.id);
    expect(ids).toEqual(all);
    expect(new Set(ids).size).toBe(7);
  });

  it('keeps tenants apart and refuses malformed queries', async () => {
    expect((await api('POST', '/tenants', { id: 'separate' })).status).toBe(201);
    const events = (await api('GET', '/tenants/separate/audit')).body.items as WireEvent[];
    expect(events.map((e) => e.action)).toEqual(['admin.tenant_created']);
    expect((await api('GET', '/tenants/nope/audit')).body.error).toBe('tenant.not_found');

    for (const query of ['from=yesterday', 'to=2024-13-01T00:00:00Z', 'from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z', 'limit=0', 'limit=500', 'actor=cli', 'subject=a%0Ab']) {
      const response = await api('GET', `/tenants/separate/audit?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error, query).toBe('request.invalid');
    }
  });

  it('exports the tenant chain as JSON Lines that verify offline against the issuer keys, recording who exported it', async () => {
    expect((await api('POST', '/tenants', { id: 'exported' })).status).toBe(201);
    expect((await api('PATCH', '/tenants/exported', { name: 'Exported' })).status).toBe(200);
    const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants/exported/audit/export`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="audit-exported.jsonl"');
    const lines = (await response.text()).trim().split('\n');
    const rows = lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'row');
    expect(rows.map((r) => r.event.action)).toEqual(['admin.tenant_created', 'admin.tenant_updated', 'admin.audit_exported']);
    expect(rows.every((r) => r.event.tenantId === 'exported')).toBe(true);
    const jwks = (await (await fetch(`${server.baseUrl}/t/exported/oidc/jwks`)).json()) as { keys: JWK[] };
    async function* linesOf() {
      yield* lines;
    }
    expect(await verifyAuditExport(linesOf(), jwks.keys)).toMatchObject({ ok: true, sealed: 3, anchored: { seq: 3 } });

    expect((await fetch(`${server.baseUrl}/admin/api/v1/tenants/nope/audit/export`, { headers: { authorization: `Bearer ${server.adminToken}` } })).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/admin/api/v1/tenants/exported/audit/export`)).status).toBe(401);
  });
});
