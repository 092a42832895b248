import { chainContent } from '../../core/audit/audit-chain.ts';
import type { AuditChainRow, AuditCheckpoint, AuditEvent, AuditRepository } from '../../core/ports.ts';
import type { Selectable } from 'kysely';
import type { AuditCheckpointsTable, AuditEventsTable } from '../schema.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import { newestFirstPage, parseJson, type Db } from './rows.ts';
import { ownerKeys, traceOwner, traceSealer, type OwnerKeys } from './activity-sealing.ts';

// The address and browser of an audit row are the actor's: a signed-in customer's are sealed under
// their data key, an unauthenticated request about an account (a sign-in attempt) under that
// account's; an admin's, the CLI's and the system's under the activity key, so erasing a customer
// does not erase what staff did to the account. The chain hashes the sealed values, so it still
// verifies after an erasure has made them unreadable.
function ownerCandidates(e: { subject: string | null; actor: string }): (string | null)[] {
  if (e.actor.startsWith('user:')) return [e.actor.slice('user:'.length)];
  return e.actor === 'anonymous' ? [e.subject] : [];
}

function toEvent(row: Selectable<AuditEventsTable>, keys: OwnerKeys, vault: PersonalDataVault): AuditEvent {
  const traces = traceSealer(vault, keys, row.tenant_id, traceOwner(keys, row.tenant_id, ownerCandidates(row)));
  return {
    id: row.id,
    tenantId: row.tenant_id,
    at: row.at,
    actor: row.actor,
    subject: row.subject,
    action: row.action,
    result: row.result as AuditEvent['result'],
    reason: row.reason,
    ip: traces.open(row.ip, 'audit.ip'),
    userAgent: traces.open(row.user_agent, 'audit.user_agent'),
    requestId: row.request_id,
    details: parseJson(row.details, {}),
  };
}

/** What the chain hashes: every column of the row as stored (details as its stored JSON text). */
function toChainRow(row: Selectable<AuditEventsTable>): AuditChainRow {
  const content = chainContent({
    id: row.id,
    tenantId: row.tenant_id,
    at: Number(row.at),
    actor: row.actor,
    subject: row.subject,
    action: row.action,
    result: row.result,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: row.details,
  });
  return { id: row.id, chainSeq: row.chain_seq === null ? null : Number(row.chain_seq), chainHash: row.chain_hash, content };
}

function toCheckpoint(row: Selectable<AuditCheckpointsTable>): AuditCheckpoint {
  return { tenantId: row.tenant_id, seq: Number(row.seq), hash: row.hash, signedAt: Number(row.signed_at), kid: row.kid, jws: row.jws };
}

// Append-only: no update but the chain's own columns, which are set once (`seal` only touches rows
// not in the chain yet), and no delete but retention's, of the chain's oldest part through a place a
// signed checkpoint vouches for (core/audit/audit-retention.ts).
export function auditRepository(db: Db, vault: PersonalDataVault): AuditRepository {
  return {
    async append(e) {
      const candidates = ownerCandidates(e);
      const keys = await ownerKeys(db, vault, [{ tenantId: e.tenantId, userIds: candidates }]);
      const traces = traceSealer(vault, keys, e.tenantId, traceOwner(keys, e.tenantId, candidates));
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
          ip: traces.seal(e.ip, 'audit.ip'),
          user_agent: traces.seal(e.userAgent, 'audit.user_agent'),
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
      const page = await newestFirstPage(query, cursor, limit, (row) => row);
      const keys = await ownerKeys(db, vault, [{ tenantId, userIds: page.items.flatMap(ownerCandidates) }]);
      return { ...page, items: page.items.map((row) => toEvent(row, keys, vault)) };
    },
    async lockChainHead(tenantId, genesis, now) {
      await db.insertInto('audit_chain_heads').values({ tenant_id: tenantId, seq: 0, hash: genesis, updated_at: now }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      // A write that changes nothing takes the row's lock (PostgreSQL) or the database's write lock
      // (SQLite) until the transaction ends: a second sealer waits, then reads the new head.
      await db.updateTable('audit_chain_heads').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('tenant_id', '=', tenantId).execute();
      const head = await db.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return { seq: Number(head.seq), hash: head.hash };
    },
    async chainHead(tenantId) {
      const head = await db.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
      return head ? { seq: Number(head.seq), hash: head.hash } : null;
    },
    async unsealed(tenantId, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).where('chain_seq', 'is', null).orderBy('seq').limit(limit).execute();
      return rows.map(toChainRow);
    },
    async countUnsealed(tenantId) {
      const row = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('chain_seq', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async tenantsWithUnsealed(limit) {
      const rows = await db.selectFrom('audit_events').select('tenant_id').where('chain_seq', 'is', null).groupBy('tenant_id').limit(limit).execute();
      return rows.map((r) => r.tenant_id);
    },
    async seal(tenantId, links, head, now) {
      for (const link of links) {
        await db.updateTable('audit_events').set({ chain_seq: link.seq, chain_hash: link.hash }).where('tenant_id', '=', tenantId).where('id', '=', link.id).where('chain_seq', 'is', null).execute();
      }
      await db.updateTable('audit_chain_heads').set({ seq: head.seq, hash: head.hash, updated_at: now }).where('tenant_id', '=', tenantId).execute();
    },
    async chain(tenantId, afterSeq, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).where('chain_seq', '>', afterSeq).orderBy('chain_seq').limit(limit).execute();
      return rows.map(toChainRow);
    },
    async chainStart(tenantId) {
      const row = await db.selectFrom('audit_chain_heads').select(['start_seq', 'start_hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && row.start_hash !== null ? { seq: Number(row.start_seq), hash: row.start_hash } : null;
    },
    async firstLinkedAtOrAfter(tenantId, at) {
      // The (tenant, at) index finds it; rows are linked in the order written, so times follow places (up to clock skew between nodes).
      const row = await db.selectFrom('audit_events').select('chain_seq').where('tenant_id', '=', tenantId).where('at', '>=', at).where('chain_seq', 'is not', null).orderBy('at').limit(1).executeTakeFirst();
      return row?.chain_seq == null ? null : Number(row.chain_seq);
    },
    async removeThrough(tenantId, start) {
      const removed = await db.deleteFrom('audit_events').where('tenant_id', '=', tenantId).where('chain_seq', '<=', start.seq).executeTakeFirst();
      await db.deleteFrom('audit_checkpoints').where('tenant_id', '=', tenantId).where('seq', '<', start.seq).execute();
      await db.updateTable('audit_chain_heads').set({ start_seq: start.seq, start_hash: start.hash }).where('tenant_id', '=', tenantId).execute();
      return Number(removed.numDeletedRows);
    },
    async addCheckpoint(c) {
      await db
        .insertInto('audit_checkpoints')
        .values({ tenant_id: c.tenantId, seq: c.seq, hash: c.hash, signed_at: c.signedAt, kid: c.kid, jws: c.jws })
        .onConflict((oc) => oc.columns(['tenant_id', 'seq']).doNothing())
        .execute();
    },
    async latestCheckpoint(tenantId) {
      const row = await db.selectFrom('audit_checkpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row ? toCheckpoint(row) : null;
    },
    async checkpoints(tenantId) {
      const rows = await db.selectFrom('audit_checkpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('seq').execute();
      return rows.map(toCheckpoint);
    },
  };
}
