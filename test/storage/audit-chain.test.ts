// The tamper-evident audit chain on both engines: sealed rows verify; a row changed, a row removed
// from the middle, or the tail cut off is found and named; two sealers at once link every row once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sealAuditChain, startAuditSealer, verifyAuditChain } from '../../src/core/audit/audit-chain.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(engines)('tamper-evident audit (%s)', (engine) => {
  let server: TestServer;
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A tenant of its own with `n` audit rows. */
  async function tenantWithEvents(n: number): Promise<string> {
    const id = `chain-${++seq}`;
    const now = Date.now();
    await server.services.store.tenants.create({ id, name: id, branding: {}, settings: {}, createdAt: now, updatedAt: now });
    for (let i = 0; i < n; i += 1) {
      await server.services.audit.record({ ip: '192.0.2.1', userAgent: 'test', requestId: `r${i}`, locale: 'en', actor: 'system' }, { tenantId: id, action: 'test.event', result: 'success', subject: `usr_${i}`, details: { n: i } });
    }
    return id;
  }
  const rowAt = async (tenantId: string, chainSeq: number) =>
    (await server.services.db.selectFrom('audit_events').select(['id', 'seq']).where('tenant_id', '=', tenantId).where('chain_seq', '=', chainSeq).executeTakeFirstOrThrow());

  it('seals the rows in the order they were written and verifies them, including rows added later', async () => {
    const tenantId = await tenantWithEvents(12);
    expect(await verifyAuditChain(server.services.store, tenantId)).toMatchObject({ ok: true, sealed: 0, unsealed: 12 });
    expect(await sealAuditChain(server.services, tenantId)).toBe(12);
    expect(await verifyAuditChain(server.services.store, tenantId)).toEqual({ tenantId, ok: true, start: 0, sealed: 12, unsealed: 0, anchored: null, checkpointsWithUnknownKey: 0, firstBroken: null });
    await server.services.audit.record({ ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'system' }, { tenantId, action: 'test.later', result: 'success' });
    expect(await sealAuditChain(server.services, tenantId)).toBe(1);
    expect(await verifyAuditChain(server.services.store, tenantId)).toMatchObject({ ok: true, sealed: 13 });
    // In the order written: the first row written is link 1.
    const first = await rowAt(tenantId, 1);
    const written = await server.services.db.selectFrom('audit_events').select(['id']).where('tenant_id', '=', tenantId).orderBy('seq').executeTakeFirstOrThrow();
    expect(first.id).toBe(written.id);
  });

  it('checks up to the head it read first: links a running node adds meanwhile are not taken for tampering', async () => {
    const tenantId = await tenantWithEvents(5);
    await sealAuditChain(server.services, tenantId);
    const { store } = server.services;
    // Another node seals a new row right after this check has read the head.
    const racing = {
      ...store,
      audit: {
        ...store.audit,
        chainHead: async (id: string) => {
          const head = await store.audit.chainHead(id);
          await server.services.audit.record({ ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'system' }, { tenantId: id, action: 'test.meanwhile', result: 'success' });
          await sealAuditChain(server.services, id);
          return head;
        },
      },
    };
    expect(await verifyAuditChain(racing, tenantId)).toMatchObject({ ok: true, sealed: 5 });
    expect(await verifyAuditChain(store, tenantId)).toMatchObject({ ok: true, sealed: 6 });
  });

  it('names the first row changed after it was sealed', async () => {
    const tenantId = await tenantWithEvents(10);
    await sealAuditChain(server.services, tenantId);
    const target = await rowAt(tenantId, 4);
    await sql`update audit_events set reason = 'nothing happened' where id = ${target.id}`.execute(server.services.db);
    expect(await verifyAuditChain(server.services.store, tenantId)).toMatchObject({ ok: false, sealed: 3, firstBroken: { seq: 4, id: target.id, problem: 'changed' } });
  });

  it('finds a row removed from the middle and rows cut off the end', async () => {
    const middle = await tenantWithEvents(8);
    await sealAuditChain(server.services, middle);
    await sql`delete from audit_events where id = ${(await rowAt(middle, 5)).id}`.execute(server.services.db);
    expect(await verifyAuditChain(server.services.store, middle)).toMatchObject({ ok: false, sealed: 4, firstBroken: { seq: 5, id: null, problem: 'missing' } });

    const tail = await tenantWithEvents(8);
    await sealAuditChain(server.services, tail);
    await sql`delete from audit_events where tenant_id = ${tail} and chain_seq > 6`.execute(server.services.db);
    expect(await verifyAuditChain(server.services.store, tail)).toMatchObject({ ok: false, sealed: 6, firstBroken: { seq: 7, problem: 'cut_off' } });
  });

  it('is sealed in the background by the sealer a running node starts', async () => {
    const tenantId = await tenantWithEvents(5);
    const errors: unknown[] = [];
    const stop = startAuditSealer({ ...server.services, issuerOf: () => 'https://issuer.test' }, 20, (error) => errors.push(error));
    try {
      await expect.poll(async () => (await verifyAuditChain(server.services.store, tenantId)).sealed, { timeout: 10_000, interval: 50 }).toBe(5);
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
  });

  it('links every row exactly once when two sealers run at the same time', async () => {
    const tenantId = await tenantWithEvents(60);
    const [a, b] = await Promise.all([sealAuditChain(server.services, tenantId), sealAuditChain(server.services, tenantId)]);
    expect(a + b).toBe(60);
    expect(await verifyAuditChain(server.services.store, tenantId)).toMatchObject({ ok: true, sealed: 60, unsealed: 0 });
  });
});
