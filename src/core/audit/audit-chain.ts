// Tamper-evident audit: each tenant's audit rows are linked into a hash chain. Rows are appended as
// before (no lock on the request path); a sealer links the new ones every few seconds, in the order
// they were written: link n = SHA-256(link n-1, row n), starting from a genesis value bound to the
// tenant, and the tenant's head records the last link. Changing a sealed row, removing one, or
// cutting off the tail breaks the chain at that point, and `verifyAuditChain` names it. (A row
// changed in the seconds before it is sealed is not caught; a signed checkpoint that lets an
// exported log be verified offline is still to come.)
import { createHash } from 'node:crypto';
import { runPeriodically } from '../periodic.ts';
import type { AuditChainLink, AuditChainRow, Clock, Store, TenantId } from '../ports.ts';

const SEAL_BATCH = 500;
const VERIFY_PAGE = 1000;

export function chainGenesis(tenantId: TenantId): string {
  return createHash('sha256').update(`frontdoor audit chain\u0000${tenantId}`).digest('base64url');
}

export function linkHash(previous: string, row: Pick<AuditChainRow, 'content'>): string {
  return createHash('sha256').update(previous).update('\u0000').update(row.content).digest('base64url');
}

/** Links every row of the tenant written so far; returns how many. Safe to run on several nodes at once. */
export async function sealAuditChain(deps: { store: Store; clock: Clock }, tenantId: TenantId): Promise<number> {
  let sealed = 0;
  for (;;) {
    const count = await deps.store.transaction(async (tx) => {
      const head = await tx.audit.lockChainHead(tenantId, chainGenesis(tenantId), deps.clock.now());
      const rows = await tx.audit.unsealed(tenantId, SEAL_BATCH);
      if (rows.length === 0) return 0;
      let last: AuditChainLink = head;
      const links = rows.map((row) => {
        last = { seq: last.seq + 1, hash: linkHash(last.hash, row) };
        return { id: row.id, ...last };
      });
      await tx.audit.seal(tenantId, links, last, deps.clock.now());
      return rows.length;
    });
    sealed += count;
    if (count < SEAL_BATCH) return sealed;
  }
}

export interface AuditChainReport {
  tenantId: TenantId;
  ok: boolean;
  /** Rows checked in the chain. */
  sealed: number;
  /** Rows written but not linked yet (the sealer runs every few seconds). */
  unsealed: number;
  /** The first link that does not hold, and why. */
  firstBroken: { seq: number; id: string | null; problem: 'changed' | 'missing' | 'cut_off' } | null;
}

/**
 * Walks the tenant's chain from the start up to its head as read first (links a running node adds
 * meanwhile are left for the next check) and checks every link, and the head against the last.
 */
export async function verifyAuditChain(store: Store, tenantId: TenantId): Promise<AuditChainReport> {
  const head = (await store.audit.chainHead(tenantId)) ?? { seq: 0, hash: chainGenesis(tenantId) };
  const unsealed = await store.audit.countUnsealed(tenantId);
  let previous: AuditChainLink = { seq: 0, hash: chainGenesis(tenantId) };
  const report = (firstBroken: AuditChainReport['firstBroken']): AuditChainReport => ({ tenantId, ok: firstBroken === null, sealed: previous.seq, unsealed, firstBroken });
  while (previous.seq < head.seq) {
    const rows = await store.audit.chain(tenantId, previous.seq, Math.min(VERIFY_PAGE, head.seq - previous.seq));
    // The head says there is more: rows were removed from the end.
    if (rows.length === 0) return report({ seq: previous.seq + 1, id: null, problem: 'cut_off' });
    for (const row of rows) {
      const expected = previous.seq + 1;
      // A gap: the row that held this place is gone.
      if (row.chainSeq !== expected) return report({ seq: expected, id: null, problem: 'missing' });
      const hash = linkHash(previous.hash, row);
      if (hash !== row.chainHash) return report({ seq: expected, id: row.id, problem: 'changed' });
      previous = { seq: expected, hash };
    }
  }
  // Every link held up to the head; the head itself must be the last of them.
  if (head.hash !== previous.hash) return report({ seq: previous.seq, id: null, problem: 'changed' });
  return report(null);
}

/** Seals every tenant's new rows every `intervalMs`; returns a stop function. */
export function startAuditSealer(deps: { store: Store; clock: Clock }, intervalMs: number, onError: (error: unknown) => void): () => void {
  return runPeriodically(
    async () => {
      for (const tenantId of await deps.store.audit.tenantsWithUnsealed(100)) await sealAuditChain(deps, tenantId);
    },
    intervalMs,
    onError,
  );
}
