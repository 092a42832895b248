// Audit retention: a tenant's oldest audit rows go once they are older than it keeps them
// (`retention.auditEventDays`). Only a prefix of the chain is removed, never a row in the middle:
// the link before the first row kept becomes where the chain begins, and a signed checkpoint at
// that place vouches for it, so `audit verify` (and an export) still checks everything kept, and
// removing rows or moving the start behind Frontdoor's back is still seen. Rows written up to a
// few seconds either side of the limit may go or stay with the next run (nodes' clocks differ).
import type { AuditChainLink, TenantId } from '../ports.ts';
import { chainGenesis, sealAuditChain } from './audit-chain.ts';
import { signAuditCheckpointAt, type AuditCheckpointDeps } from './audit-checkpoint.ts';

export interface AuditRemoval {
  removed: number;
  /** Where the chain begins now, when rows were removed. */
  start: AuditChainLink | null;
}

/** Removes the tenant's audit rows written before `before`, from the start of its chain. Safe to run on several nodes at once. */
export async function removeAuditEventsBefore(deps: AuditCheckpointDeps, tenantId: TenantId, before: number): Promise<AuditRemoval> {
  const { store } = deps;
  // Rows not linked yet would be cut off from the chain; link them first.
  await sealAuditChain(deps, tenantId);
  const head = await store.audit.chainHead(tenantId);
  if (!head || head.seq === 0) return { removed: 0, start: null };
  const firstKept = await store.audit.firstLinkedAtOrAfter(tenantId, before);
  const through = firstKept === null ? head.seq : firstKept - 1;
  const current = await store.audit.chainStart(tenantId);
  if (through <= (current?.seq ?? 0)) return { removed: 0, start: null };
  const [row] = await store.audit.chain(tenantId, through - 1, 1);
  if (!row || row.chainSeq !== through || !row.chainHash) return { removed: 0, start: null };
  const start: AuditChainLink = { seq: through, hash: row.chainHash };
  // Signed before anything goes, so the chain never begins at a place nothing vouches for.
  await signAuditCheckpointAt(deps, tenantId, start);
  const removed = await store.transaction(async (tx) => {
    await tx.audit.lockChainHead(tenantId, chainGenesis(tenantId), deps.clock.now());
    const now = await tx.audit.chainStart(tenantId);
    if (now && now.seq >= start.seq) return 0;
    return tx.audit.removeThrough(tenantId, start);
  });
  return { removed, start: removed > 0 ? start : null };
}
