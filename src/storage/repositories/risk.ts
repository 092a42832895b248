// The risk engine's stores: each account's sign-in history and every assessment.
import type { RiskEvent, RiskEventRepository, SignInEvent, SignInEventRepository } from '../../core/ports.ts';
import type { RiskEventsTable, SignInEventsTable } from '../schema.ts';
import { isStorableText, newestFirstPage, parseJson, type Db } from './rows.ts';

const E4 = 10_000;
const toE4 = (degrees: number | null) => (degrees === null ? null : Math.round(degrees * E4));
const fromE4 = (value: number | null) => (value === null ? null : Number(value) / E4);

/** The row of a sign-in event (also what the SQLite record writer inserts). */
export function signInEventRow(e: SignInEvent): SignInEventsTable {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    user_id: e.userId,
    at: e.at,
    device_hash: e.deviceHash,
    device_name: e.deviceName,
    network: e.network,
    country: e.country,
    latitude_e4: toE4(e.latitude),
    longitude_e4: toE4(e.longitude),
    accuracy_km: e.accuracyKm,
    methods: e.methods.join(' '),
    session_id: e.sessionId,
    risk_event_id: e.riskEventId,
  };
}

/** The row of a risk event (also what the SQLite record writer inserts). */
export function riskEventRow(e: RiskEvent): RiskEventsTable {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    user_id: e.userId,
    at: e.at,
    kind: e.kind,
    stage: e.stage,
    score: e.score,
    level: e.level,
    action: e.action,
    reasons: JSON.stringify(e.reasons),
    ip: e.ip,
    country: e.country,
    request_id: e.requestId,
  };
}

function toSignIn(row: SignInEventsTable): SignInEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    at: Number(row.at),
    deviceHash: row.device_hash,
    deviceName: row.device_name,
    network: row.network,
    country: row.country,
    latitude: fromE4(row.latitude_e4),
    longitude: fromE4(row.longitude_e4),
    accuracyKm: row.accuracy_km === null ? null : Number(row.accuracy_km),
    methods: row.methods ? row.methods.split(' ') : [],
    sessionId: row.session_id,
    riskEventId: row.risk_event_id,
  };
}

export function signInEventRepository(db: Db): SignInEventRepository {
  return {
    async addMany(events) {
      if (events.length === 0) return;
      await db
        .insertInto('sign_in_events')
        .values(events.map(signInEventRow))
        .execute();
    },
    async listRecent(tenantId, userId, limit) {
      const rows = await db.selectFrom('sign_in_events').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toSignIn);
    },
    async deleteOlderThan(before, tenantId) {
      let query = db.deleteFrom('sign_in_events').where('at', '<', before);
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRiskEvent(row: RiskEventsTable): RiskEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    at: Number(row.at),
    kind: row.kind,
    stage: row.stage as RiskEvent['stage'],
    score: Number(row.score),
    level: row.level as RiskEvent['level'],
    action: row.action as RiskEvent['action'],
    reasons: parseJson<RiskEvent['reasons']>(row.reasons, []),
    ip: row.ip,
    country: row.country,
    requestId: row.request_id,
  };
}

export function riskEventRepository(db: Db): RiskEventRepository {
  return {
    async addMany(events) {
      if (events.length === 0) return;
      await db
        .insertInto('risk_events')
        .values(events.map(riskEventRow))
        .execute();
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('risk_events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toRiskEvent(row) : null;
    },
    async query({ tenantId, userId, action, kind, minScore, from, to, limit, cursor }) {
      let query = db.selectFrom('risk_events').selectAll().where('tenant_id', '=', tenantId);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      if (action !== undefined) query = query.where('action', '=', action);
      if (kind !== undefined) query = query.where('kind', '=', kind);
      if (minScore !== undefined) query = query.where('score', '>=', minScore);
      if (from !== undefined) query = query.where('at', '>=', from);
      if (to !== undefined) query = query.where('at', '<', to);
      return newestFirstPage(query, cursor, limit, toRiskEvent);
    },
    async deleteOlderThan(before, tenantId) {
      let query = db.deleteFrom('risk_events').where('at', '<', before);
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
