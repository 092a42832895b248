// Signed checkpoints of the audit chain, on both engines. Someone who can write the database can
// change rows and rebuild every hash after them, and the chain links up again; the checkpoint
// signed with the tenant's key for that place no longer matches, and the check says so. An export
// is checked offline against the keys the issuer publishes, and a forged or edited file is caught.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { CompactSign, generateKeyPair, exportJWK, type JWK } from 'jose';
import { linkHash, sealAuditChain, startAuditSealer, verifyAuditChain } from '../../src/core/audit/audit-chain.ts';
import { AUDIT_CHECKPOINT_TYPE, publicSigningKeys, signAuditCheckpoint } from '../../src/core/audit/audit-checkpoint.ts';
import { exportAuditLog, verifyAuditExport } from '../../src/core/audit/audit-export.ts';
import { issuerFor } from '../../src/oidc/provider.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

async function* linesOf(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

describe.each(engines)('signed audit checkpoints (%s)', (engine) => {
  let server: TestServer;
  let seq = 0;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const deps = () => ({ ...server.services, issuerOf: (tenantId: string) => issuerFor(server.services.config.baseUrl, tenantId) });
  const keysOf = (tenantId: string) => publicSigningKeys(server.services.signingKeys, tenantId);

  async function tenantWithEvents(n: number): Promise<string> {
    const id = `signed-${++seq}`;
    await server.services.store.tenants.create({ id, name: id, branding: {}, settings: {}, createdAt: now, updatedAt: now });
    await record(id, n);
    return id;
  }
  async function record(tenantId: string, n: number) {
    for (let i = 0; i < n; i += 1) {
      await server.services.audit.record({ ip: '192.0.2.1', userAgent: 'test', requestId: `r${i}`, locale: 'en', actor: 'system' }, { tenantId, action: 'test.event', result: 'success', subject: `usr_${i}`, details: { n: i } });
    }
  }

  /** What an attacker with write access to the database can do: change a row, then rehash every link after it and the head. */
  async function rewriteAndRebuild(tenantId: string, chainSeq: number) {
    const { db, store } = server.services;
    await sql`update audit_events set reason = 'nothing happened' where tenant_id = ${tenantId} and chain_seq = ${chainSeq}`.execute(db);
    const rows = await store.audit.chain(tenantId, 0, 10_000);
    let previous = (await store.audit.chain(tenantId, 0, chainSeq - 1)).at(-1)?.chainHash ?? null;
    if (previous === null) throw new Error('rewrite from the second row on');
    for (const row of rows.filter((r) => r.chainSeq! >= chainSeq)) {
      const hash = linkHash(previous, row);
      await sql`update audit_events set chain_hash = ${hash} where id = ${row.id}`.execute(db);
      previous = hash;
    }
    await sql`update audit_chain_heads set hash = ${previous} where tenant_id = ${tenantId}`.execute(db);
  }

  it('anchors the chain with a checkpoint signed by the tenant key, and catches a chain rebuilt after rows were changed', async () => {
    const tenantId = await tenantWithEvents(6);
    await sealAuditChain(server.services, tenantId);
    const { checkpoint } = await signAuditCheckpoint(deps(), tenantId);
    expect(checkpoint).toMatchObject({ tenantId, seq: 6 });
    const keys = await keysOf(tenantId);
    expect(keys.map((k) => k.kid)).toContain(checkpoint!.kid);
    expect(await verifyAuditChain(server.services.store, tenantId, keys)).toMatchObject({ ok: true, sealed: 6, anchored: { seq: 6, kid: checkpoint!.kid }, firstBroken: null });

    await rewriteAndRebuild(tenantId, 3);
    // The links alone hold again; only the signature shows what happened.
    expect(await verifyAuditChain(server.services.store, tenantId, [])).toMatchObject({ ok: true, anchored: null, checkpointsWithUnknownKey: 1 });
    expect(await verifyAuditChain(server.services.store, tenantId, keys)).toMatchObject({ ok: false, sealed: 5, firstBroken: { seq: 6, problem: 'rewritten' } });
  });

  it('refuses a checkpoint that was edited or not signed by the tenant, and one past the end of the chain', async () => {
    const tenantId = await tenantWithEvents(4);
    await sealAuditChain(server.services, tenantId);
    const { checkpoint } = await signAuditCheckpoint(deps(), tenantId);
    const keys = await keysOf(tenantId);
    // An edited payload: the signature no longer covers it.
    const [header, , signature] = checkpoint!.jws.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ iss: 'x', sub: tenantId, seq: 4, hash: 'AAAA', iat: 1 })).toString('base64url');
    await sql`update audit_checkpoints set jws = ${`${header}.${forgedPayload}.${signature}`} where tenant_id = ${tenantId}`.execute(server.services.db);
    expect(await verifyAuditChain(server.services.store, tenantId, keys)).toMatchObject({ ok: false, firstBroken: { seq: 4, problem: 'bad_checkpoint' } });

    // Signed with the tenant key, then the rows it vouches for cut off together with the head.
    const other = await tenantWithEvents(5);
    await sealAuditChain(server.services, other);
    await signAuditCheckpoint(deps(), other);
    await sql`delete from audit_events where tenant_id = ${other} and chain_seq > 3`.execute(server.services.db);
    const third = (await server.services.store.audit.chain(other, 2, 1))[0]!;
    await sql`update audit_chain_heads set seq = 3, hash = ${third.chainHash} where tenant_id = ${other}`.execute(server.services.db);
    expect(await verifyAuditChain(server.services.store, other, await keysOf(other))).toMatchObject({ ok: false, sealed: 3, firstBroken: { seq: 4, problem: 'cut_off' } });
  });

  it('is signed by the sealer at most once a minute while the chain grows, and catches up when it stops growing', async () => {
    const tenantId = await tenantWithEvents(3);
    const errors: unknown[] = [];
    const stop = startAuditSealer(deps(), 20, (error) => errors.push(error));
    try {
      await expect.poll(async () => (await server.services.store.audit.latestCheckpoint(tenantId))?.seq, { timeout: 10_000, interval: 50 }).toBe(3);
      await record(tenantId, 2);
      // Sealed at once, but a checkpoint only a minute after the last one.
      await expect.poll(async () => (await server.services.store.audit.chainHead(tenantId))?.seq, { timeout: 10_000, interval: 50 }).toBe(5);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await server.services.store.audit.latestCheckpoint(tenantId))?.seq).toBe(3);
      now += 61_000;
      await expect.poll(async () => (await server.services.store.audit.latestCheckpoint(tenantId))?.seq, { timeout: 10_000, interval: 50 }).toBe(5);
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
  });

  it('exports a log that verifies offline against the JWKS the issuer publishes, and finds edits in the file', async () => {
    const tenantId = await tenantWithEvents(7);
    const lines: string[] = [];
    expect(await exportAuditLog(deps(), tenantId, (line) => void lines.push(line))).toEqual({ rows: 7 });
    // The tenant's keys as an auditor gets them: from the issuer, over HTTP.
    await server.services.signingKeys.ensureKeys(tenantId);
    const published = (await (await fetch(`${server.baseUrl}/t/${tenantId}/oidc/jwks`)).json()) as { keys: JWK[] };
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
    expect(await verifyAuditExport(linesOf(lines), published.keys)).toMatchObject({ ok: true, sealed: 7, anchored: { seq: 7 }, keysFrom: 'given', issuer: `${server.baseUrl}/t/${tenantId}/oidc` });

    // A row edited in the file.
    const edited = lines.map((line) => (line.includes('"seq":4,') && line.startsWith('{"type":"row"') ? line.replace('"actor":"system"', '"actor":"admin:mallory"') : line));
    expect(await verifyAuditExport(linesOf(edited), published.keys)).toMatchObject({ ok: false, firstBroken: { seq: 4, problem: 'changed' } });

    // A whole file rebuilt after an edit, its checkpoint re-signed with a key of the forger's own,
    // which the forger also puts in the file: it agrees with itself, but not with the issuer's keys.
    const forged = await forgeExport(lines, tenantId);
    expect(await verifyAuditExport(linesOf(forged))).toMatchObject({ ok: true, keysFrom: 'file', anchored: { seq: 7 } });
    expect(await verifyAuditExport(linesOf(forged), published.keys)).toMatchObject({ ok: true, anchored: null, checkpointsWithUnknownKey: 1 });
    // ...and with the tenant's genuine checkpoint left in, the rebuilt chain contradicts it.
    const withGenuine = [...forged.slice(0, 2), ...lines.filter((l) => l.startsWith('{"type":"checkpoint"')), ...forged.filter((l) => l.startsWith('{"type":"row"'))];
    expect(await verifyAuditExport(linesOf(withGenuine), published.keys)).toMatchObject({ ok: false, firstBroken: { seq: 7, problem: 'rewritten' } });

    await expect(verifyAuditExport(linesOf(['{"type":"something else"}']))).rejects.toThrow(/not a Frontdoor audit export/);
  });

  /** Edits row 2 of an export, rehashes every link after it, and signs a new checkpoint with a key of its own. */
  async function forgeExport(lines: string[], tenantId: string): Promise<string[]> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'forger', alg: 'ES256' };
    const header = JSON.parse(lines[0]!) as { head: { seq: number; hash: string } };
    const rows = lines.filter((l) => l.startsWith('{"type":"row"')).map((l) => JSON.parse(l) as { seq: number; hash: string; event: Record<string, unknown> });
    let previous = rows[0]!.hash;
    for (const row of rows.slice(1)) {
      if (row.seq === 2) row.event.actor = 'admin:mallory';
      const { chainContent } = await import('../../src/core/audit/audit-chain.ts');
      row.hash = linkHash(previous, { content: chainContent(row.event as never) });
      previous = row.hash;
    }
    header.head.hash = previous;
    const claims = { iss: 'x', sub: tenantId, seq: header.head.seq, hash: previous, iat: Math.floor(now / 1000) };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'ES256', kid: 'forger', typ: AUDIT_CHECKPOINT_TYPE }).sign(privateKey);
    return [
      JSON.stringify(header),
      JSON.stringify({ type: 'keys', keys: [jwk] }),
      JSON.stringify({ type: 'checkpoint', seq: header.head.seq, hash: previous, signed_at: new Date(now).toISOString(), kid: 'forger', jws }),
      ...rows.map((r) => JSON.stringify({ type: 'row', ...r })),
    ];
  }
});
