// Tamper-evident audit: each tenant's audit rows are linked into a hash chain. Rows are appended as
// before (no lock on the request path); a sealer links the new ones every few seconds, in the order
// they were written: link n = SHA-256(link n-1, row n), starting from a genesis value bound to the
// tenant, and the tenant's head records the last link. Changing a sealed row, removing one, or
// cutting off the tail breaks the chain at that point, and `verifyAuditChain` names it. The hashes
// are unkeyed, so whoever can write the database could rebuild the whole chain; signed checkpoints
// (audit-checkpoint.ts) anchor it to a key they cannot use. (A row changed in the seconds before it
// is sealed is not caught.)
import { createHash } from 'node:crypto';
import { runPeriodically } from '../periodic.ts';
import type { JWK } from 'jose';
import type { AuditChainLink, AuditChainRow, AuditCheckpoint, Clock, Store, TenantId } from '../ports.ts';
import { AUDIT_CHECKPOINT_INTERVAL_MS, signAuditCheckpoint, verifyAuditCheckpoint, type AuditCheckpointDeps } from './audit-checkpoint.ts';

const SEAL_BATCH = 500;
const VERIFY_PAGE = 1000;

export function chainGenesis(tenantId: TenantId): string {
  return createHash('sha256').update(`frontdoor audit chain\u0000${tenantId}`).digest('base64url');
}

/** One audit row as the chain covers it: every column as stored, `details` as its stored JSON text. */
export interface AuditChainEvent {
  id: string;
  tenantId: TenantId;
  at: number;
  actor: string;
  subject: string | null;
  action: string;
  result: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: string;
}

/** The text a row's link hashes (and an export carries back). */
export function chainContent(e: AuditChainEvent): string {
  return JSON.stringify([e.id, e.tenantId, e.at, e.actor, e.subject, e.action, e.result, e.reason, e.ip, e.userAgent, e.requestId, e.details]);
}

/** The row back from its chain content (for an export). */
export function chainEvent(content: string): AuditChainEvent {
  const [id, tenantId, at, actor, subject, action, result, reason, ip, userAgent, requestId, details] = JSON.parse(content) as [string, string, number, string, string | null, string, string, string | null, string | null, string | null, string | null, string];
  return { id, tenantId, at, actor, subject, action, result, reason, ip, userAgent, requestId, details };
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

export type AuditChainProblem = 'changed' | 'missing' | 'cut_off' | 'rewritten' | 'bad_checkpoint' | 'unanchored_start';

export interface AuditChainReport {
  tenantId: TenantId;
  ok: boolean;
  /** The place the check began after: 0 from the genesis, else the last row retention removed. */
  start: number;
  /** The last place checked (rows checked: `sealed - start`). */
  sealed: number;
  /** Rows written but not linked yet (the sealer runs every few seconds). */
  unsealed: number;
  /** The last place a verified signed checkpoint vouches for (rows after it are only hash-linked). */
  anchored: { seq: number; signedAt: number; kid: string } | null;
  /** Checkpoints whose signature could not be checked: their key is not among the keys given. */
  checkpointsWithUnknownKey: number;
  /** The first link that does not hold, and why. */
  firstBroken: { seq: number; id: string | null; problem: AuditChainProblem } | null;
}

/** What a chain check reads, from the database or from an export (audit-export.ts). */
export interface AuditChainSource {
  tenantId: TenantId;
  /** The last link as recorded when the check began. */
  head: AuditChainLink;
  /** Where the chain begins when retention removed its oldest rows (a signed checkpoint must vouch for it); null: at its genesis. */
  start: AuditChainLink | null;
  unsealed: number;
  /** Signed checkpoints, any order. */
  checkpoints: Pick<AuditCheckpoint, 'seq' | 'jws'>[];
  /** Public keys to check their signatures with. */
  keys: JWK[];
  /** The chain's rows in order, in pages, from the first after `start`. */
  rows(upTo: number): AsyncIterable<AuditChainRow[]>;
}

/**
 * Walks the chain from its first row up to the head and checks every link, the head against the
 * last, and every signed checkpoint against the link at its place: a chain rebuilt after its rows
 * were changed links up again, but no longer matches what was signed.
 */
export async function checkAuditChain(source: AuditChainSource): Promise<AuditChainReport> {
  const { tenantId, head, unsealed } = source;
  const anchors = new Map<number, { hash: string; signedAt: number; kid: string }>();
  const unknownKeyPlaces = new Set<number>();
  let anchored: AuditChainReport['anchored'] = null;
  const start = source.start && source.start.seq > 0 ? source.start : null;
  let previous: AuditChainLink = start ?? { seq: 0, hash: chainGenesis(tenantId) };
  const report = (firstBroken: AuditChainReport['firstBroken']): AuditChainReport => ({ tenantId, ok: firstBroken === null, start: start?.seq ?? 0, sealed: previous.seq, unsealed, anchored, checkpointsWithUnknownKey: unknownKeyPlaces.size, firstBroken });

  for (const checkpoint of [...source.checkpoints].sort((a, b) => a.seq - b.seq)) {
    const verdict = await verifyAuditCheckpoint(checkpoint.jws, source.keys);
    if (verdict.result === 'unknown_key') unknownKeyPlaces.add(checkpoint.seq);
    else if (verdict.result !== 'valid' || verdict.claims.sub !== tenantId || verdict.claims.seq !== checkpoint.seq) return report({ seq: checkpoint.seq, id: null, problem: 'bad_checkpoint' });
    else anchors.set(verdict.claims.seq, { hash: verdict.claims.hash, signedAt: verdict.claims.iat * 1000, kid: verdict.kid });
  }
  const lastAnchor = Math.max(0, ...anchors.keys());

  // A chain whose oldest rows were removed begins at a link only a signed checkpoint can vouch for:
  // otherwise removing rows and moving the start would go unnoticed.
  if (start) {
    const anchor = anchors.get(start.seq);
    if (anchor && anchor.hash !== start.hash) return report({ seq: start.seq, id: null, problem: 'rewritten' });
    if (!anchor && !unknownKeyPlaces.has(start.seq)) return report({ seq: start.seq, id: null, problem: 'unanchored_start' });
    if (anchor) anchored = { seq: start.seq, signedAt: anchor.signedAt, kid: anchor.kid };
  }

  for await (const rows of source.rows(head.seq)) {
    for (const row of rows) {
      const expected = previous.seq + 1;
      if (expected > head.seq) break;
      // A gap: the row that held this place is gone.
      if (row.chainSeq !== expected) return report({ seq: expected, id: null, problem: 'missing' });
      const hash = linkHash(previous.hash, row);
      if (hash !== row.chainHash) return report({ seq: expected, id: row.id, problem: 'changed' });
      const anchor = anchors.get(expected);
      if (anchor && anchor.hash !== hash) return report({ seq: expected, id: row.id, problem: 'rewritten' });
      previous = { seq: expected, hash };
      if (anchor) anchored = { seq: expected, signedAt: anchor.signedAt, kid: anchor.kid };
    }
  }
  // The head (or a signed checkpoint) says there is more: rows were removed from the end.
  if (previous.seq < Math.max(head.seq, lastAnchor)) return report({ seq: previous.seq + 1, id: null, problem: 'cut_off' });
  // Every link held up to the head; the head itself must be the last of them.
  if (head.hash !== previous.hash) return report({ seq: previous.seq, id: null, problem: 'changed' });
  return report(null);
}

/** Checks the tenant's chain in the database, its checkpoints against `keys` (the tenant's public signing keys). */
export async function verifyAuditChain(store: Store, tenantId: TenantId, keys: JWK[] = []): Promise<AuditChainReport> {
  const head = (await store.audit.chainHead(tenantId)) ?? { seq: 0, hash: chainGenesis(tenantId) };
  const [start, unsealed, checkpoints] = await Promise.all([store.audit.chainStart(tenantId), store.audit.countUnsealed(tenantId), store.audit.checkpoints(tenantId)]);
  return checkAuditChain({
    tenantId,
    head,
    start,
    unsealed,
    checkpoints,
    keys,
    async *rows(upTo) {
      let after = start?.seq ?? 0;
      while (after < upTo) {
        const rows = await store.audit.chain(tenantId, after, Math.min(VERIFY_PAGE, upTo - after));
        if (rows.length === 0) return;
        yield rows;
        after = rows.at(-1)!.chainSeq ?? upTo;
      }
    },
  });
}

/**
 * Every `intervalMs`: links new rows into their tenants' chains, and signs a checkpoint for a chain
 * that grew, at most once a minute per tenant; a tenant whose checkpoint had to wait is signed on a
 * later run even when nothing new arrives.
 */
export function startAuditSealer(deps: AuditCheckpointDeps, intervalMs: number, onError: (error: unknown) => void): () => void {
  const unsigned = new Set<TenantId>();
  return runPeriodically(
    async () => {
      for (const tenantId of await deps.store.audit.tenantsWithUnsealed(100)) {
        if ((await sealAuditChain(deps, tenantId)) > 0) unsigned.add(tenantId);
      }
      for (const tenantId of [...unsigned]) {
        const { behind } = await signAuditCheckpoint(deps, tenantId, { minIntervalMs: AUDIT_CHECKPOINT_INTERVAL_MS });
        if (!behind) unsigned.delete(tenantId);
      }
    },
    intervalMs,
    onError,
  );
}
