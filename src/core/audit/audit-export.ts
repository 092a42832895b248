// An exported audit log that can be checked without Frontdoor's database: JSON Lines, in order
//   {"type":"frontdoor.audit_export","version":1,"tenant","issuer","exported_at","head":{seq,hash},"start":{seq,hash}|null,"unsealed"}
//   (`start`: the link before the first row, when retention removed the oldest rows; a checkpoint vouches for it)
//   {"type":"keys","keys":[public JWKs]}          the tenant's signing keys as of the export
//   {"type":"checkpoint","seq","hash","signed_at","kid","jws"}   one per signed checkpoint
//   {"type":"row","seq","hash","event":{...}}     every sealed row, in chain order
// The keys in the file only show the file agrees with itself; an auditor checks the checkpoints
// against the keys the tenant publishes at `{issuer}/jwks` (`frontdoor audit verify --file F --jwks J`).
import type { JWK } from 'jose';
import type { AuditChainRow, Store, TenantId } from '../ports.ts';
import { chainContent, chainEvent, checkAuditChain, sealAuditChain, type AuditChainEvent, type AuditChainReport } from './audit-chain.ts';
import { publicSigningKeys, signAuditCheckpoint, type AuditCheckpointDeps } from './audit-checkpoint.ts';

export const AUDIT_EXPORT_TYPE = 'frontdoor.audit_export';
const PAGE = 1000;

interface ExportHeader {
  type: typeof AUDIT_EXPORT_TYPE;
  version: 1;
  tenant: TenantId;
  issuer: string;
  exported_at: string;
  head: { seq: number; hash: string };
  start: { seq: number; hash: string } | null;
  unsealed: number;
}

/** Seals what is pending, signs a checkpoint at the head, and writes the tenant's whole chain. */
export async function exportAuditLog(deps: AuditCheckpointDeps & { store: Store }, tenantId: TenantId, write: (line: string) => void | Promise<void>): Promise<{ rows: number }> {
  await sealAuditChain(deps, tenantId);
  await signAuditCheckpoint(deps, tenantId);
  const { store } = deps;
  const head = (await store.audit.chainHead(tenantId)) ?? { seq: 0, hash: '' };
  const [start, unsealed, checkpoints, keys] = await Promise.all([store.audit.chainStart(tenantId), store.audit.countUnsealed(tenantId), store.audit.checkpoints(tenantId), publicSigningKeys(deps.signingKeys, tenantId)]);
  const header: ExportHeader = { type: AUDIT_EXPORT_TYPE, version: 1, tenant: tenantId, issuer: deps.issuerOf(tenantId), exported_at: new Date(deps.clock.now()).toISOString(), head, start, unsealed };
  await write(JSON.stringify(header));
  await write(JSON.stringify({ type: 'keys', keys }));
  for (const c of checkpoints) {
    if (c.seq <= head.seq) await write(JSON.stringify({ type: 'checkpoint', seq: c.seq, hash: c.hash, signed_at: new Date(c.signedAt).toISOString(), kid: c.kid, jws: c.jws }));
  }
  let after = start?.seq ?? 0;
  let rows = 0;
  while (after < head.seq) {
    const page = await store.audit.chain(tenantId, after, Math.min(PAGE, head.seq - after));
    if (page.length === 0) break;
    for (const row of page) {
      await write(JSON.stringify({ type: 'row', seq: row.chainSeq, hash: row.chainHash, event: chainEvent(row.content) }));
      rows += 1;
    }
    after = page.at(-1)!.chainSeq ?? head.seq;
  }
  return { rows };
}

export class AuditExportFormatError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'AuditExportFormatError';
  }
}

/**
 * Checks an exported log: every link, and every checkpoint's signature against `keys` (or, without
 * them, the keys in the file). Throws AuditExportFormatError when the file is not an export.
 */
export async function verifyAuditExport(lines: AsyncIterable<string>, keys?: JWK[]): Promise<AuditChainReport & { issuer: string; keysFrom: 'given' | 'file' }> {
  const iterator = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<Record<string, unknown> | null> => {
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return null;
      lineNo += 1;
      if (value.trim() === '') continue;
      try {
        const parsed = JSON.parse(value) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // fall through
      }
      throw new AuditExportFormatError(lineNo, 'not a JSON object');
    }
  };
  const header = (await next()) as Partial<ExportHeader> | null;
  if (!header || header.type !== AUDIT_EXPORT_TYPE || header.version !== 1 || typeof header.tenant !== 'string' || typeof header.head?.seq !== 'number' || typeof header.head.hash !== 'string') {
    throw new AuditExportFormatError(1, 'not a Frontdoor audit export (version 1)');
  }
  const fileKeys: JWK[] = [];
  const checkpoints: { seq: number; jws: string }[] = [];
  let pending: Record<string, unknown> | null = null;
  for (let line = await next(); line; line = await next()) {
    if (line.type === 'keys' && Array.isArray(line.keys)) fileKeys.push(...(line.keys as JWK[]));
    else if (line.type === 'checkpoint' && typeof line.seq === 'number' && typeof line.jws === 'string') checkpoints.push({ seq: line.seq, jws: line.jws });
    else {
      pending = line;
      break;
    }
  }
  const toRow = (line: Record<string, unknown>): AuditChainRow => {
    if (line.type !== 'row' || typeof line.seq !== 'number' || typeof line.hash !== 'string' || !line.event || typeof line.event !== 'object') throw new AuditExportFormatError(lineNo, 'expected a row');
    const event = line.event as AuditChainEvent;
    return { id: String(event.id), chainSeq: line.seq, chainHash: line.hash, content: chainContent(event) };
  };
  const report = await checkAuditChain({
    tenantId: header.tenant,
    head: { seq: header.head.seq, hash: header.head.hash },
    start: typeof header.start?.seq === 'number' && typeof header.start.hash === 'string' ? { seq: header.start.seq, hash: header.start.hash } : null,
    unsealed: typeof header.unsealed === 'number' ? header.unsealed : 0,
    checkpoints,
    keys: keys ?? fileKeys,
    async *rows() {
      let batch: AuditChainRow[] = [];
      for (let line = pending; line; line = await next()) {
        batch.push(toRow(line));
        if (batch.length === PAGE) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  });
  return { ...report, issuer: String(header.issuer ?? ''), keysFrom: keys ? 'given' : 'file' };
}
