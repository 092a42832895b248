// The risk engine's stores: each account's sign-in history and every assessment. Where it came
// from (address, browser, network, country, place) is sealed under the account's data key
// (activity-sealing.ts); the device is only an HMAC already and stays as it is, for matching.
import type { RiskEvent, RiskEventRepository, SignInEvent, SignInEventRepository } from '../../core/ports.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { RiskEventsTable, SignInEventsTable } from '../schema.ts';
import { ownerKeys, traceSealer, type OwnerKeys } from './activity-sealing.ts';
import { isStorableText, newestFirstPage, parseJson, type Db } from './rows.ts';

const E4 = 10_000;
const fromE4 = (value: number | null) => (value === null ? null : Number(value) / E4);

interface SignInPlace {
  latitude: number | null;
  longitude: number | null;
  accuracyKm: number | null;
}

/** The row of a sign-in event, sealed (also what the SQLite record writer inserts). */
function signInEventRow(e: SignInEvent, keys: OwnerKeys, vault: PersonalDataVault): SignInEventsTable {
  const traces = traceSealer(vault, keys, e.tenantId, e.userId);
  const place: SignInPlace = { latitude: e.latitude, longitude: e.longitude, accuracyKm: e.accuracyKm };
  return {
    id: e.id,
    tenant_id: e.tenantId,
    user_id: e.userId,
    at: e.at,
    device_hash: e.deviceHash,
    device_name: traces.seal(e.deviceName, 'sign_in.device_name') ?? '',
    network: traces.seal(e.network, 'sign_in.network'),
    country: traces.seal(e.country, 'sign_in.country'),
    // The coordinates travel sealed in `place`; the numeric columns hold only rows from before.
    place: traces.seal(JSON.stringify(place), 'sign_in.place'),
    latitude_e4: null,
    longitude_e4: null,
    accuracy_km: null,
    methods: e.methods.join(' '),
    session_id: e.sessionId,
    risk_event_id: e.riskEventId,
  };
}

/** The row of a risk event, sealed (also what the SQLite record writer inserts). */
function riskEventRow(e: RiskEvent, keys: OwnerKeys, vault: PersonalDataVault): RiskEventsTable {
  const traces = traceSealer(vault, keys, e.tenantId, e.userId);
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
    ip: traces.seal(e.ip, 'risk.ip'),
    country: traces.seal(e.country, 'risk.country'),
    request_id: e.requestId,
  };
}

const ownersOf = (events: readonly { tenantId: string; userId: string | null }[]) => events.map((e) => ({ tenantId: e.tenantId, userIds: [e.userId] }));

/** Seals sign-in events into rows (the SQLite record writer inserts them from its worker). */
export function signInEventRows(db: Db, vault: PersonalDataVault) {
  return async (events: readonly SignInEvent[]): Promise<SignInEventsTable[]> => {
    const keys = await ownerKeys(db, vault, ownersOf(events));
    return events.map((e) => signInEventRow(e, keys, vault));
  };
}

/** Seals risk events into rows (the SQLite record writer inserts them from its worker). */
export function riskEventRows(db: Db, vault: PersonalDataVault) {
  return async (events: readonly RiskEvent[]): Promise<RiskEventsTable[]> => {
    const keys = await ownerKeys(db, vault, ownersOf(events));
    return events.map((e) => riskEventRow(e, keys, vault));
  };
}

function toSignIn(row: SignInEventsTable, keys: OwnerKeys, vault: PersonalDataVault): SignInEvent {
  const traces = traceSealer(vault, keys, row.tenant_id, row.user_id);
  const sealedPlace = traces.open(row.place, 'sign_in.place');
  const place: SignInPlace = sealedPlace
    ? (JSON.parse(sealedPlace) as SignInPlace)
    : { latitude: fromE4(row.latitude_e4), longitude: fromE4(row.longitude_e4), accuracyKm: row.accuracy_km === null ? null : Number(row.accuracy_km) };
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    at: Number(row.at),
    deviceHash: row.device_hash,
    deviceName: traces.open(row.device_name, 'sign_in.device_name') ?? '',
    network: traces.open(row.network, 'sign_in.network'),
    country: traces.open(row.country, 'sign_in.country'),
    latitude: place.latitude,
    longitude: place.longitude,
    accuracyKm: place.accuracyKm,
    methods: row.methods ? row.methods.split(' ') : [],
    sessionId: row.session_id,
    riskEventId: row.risk_event_id,
  };
}

export function signInEventRepository(db: Db, vault: PersonalDataVault): SignInEventRepository {
  const toRows = signInEventRows(db, vault);
  return {
    async addMany(events) {
      if (events.length === 0) return;
      await db
        .insertInto('sign_in_events')
        .values(await toRows(events))
        .execute();
    },
    async listRecent(tenantId, userId, limit) {
      const rows = await db.selectFrom('sign_in_events').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      const keys = await ownerKeys(db, vault, [{ tenantId, userIds: [userId] }]);
      return rows.map((row) => toSignIn(row, keys, vault));
    },
    async deleteOlderThan(before, tenantId) {
      let query = db.deleteFrom('sign_in_events').where('at', '<', before);
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRiskEvent(row: RiskEventsTable, keys: OwnerKeys, vault: PersonalDataVault): RiskEvent {
  const traces = traceSealer(vault, keys, row.tenant_id, row.user_id);
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
    ip: traces.open(row.ip, 'risk.ip'),
    country: traces.open(row.country, 'risk.country'),
    requestId: row.request_id,
  };
}

export function riskEventRepository(db: Db, vault: PersonalDataVault): RiskEventRepository {
  const toRows = riskEventRows(db, vault);
  const opened = async (rows: RiskEventsTable[]) => {
    const keys = await ownerKeys(db, vault, rows.map((row) => ({ tenantId: row.tenant_id, userIds: [row.user_id] })));
    return rows.map((row) => toRiskEvent(row, keys, vault));
  };
  return {
    async addMany(events) {
      if (events.length === 0) return;
      await db
        .insertInto('risk_events')
        .values(await toRows(events))
        .execute();
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('risk_events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? ((await opened([row]))[0] ?? null) : null;
    },
    async query({ tenantId, userId, action, kind, minScore, from, to, limit, cursor }) {
      let query = db.selectFrom('risk_events').selectAll().where('tenant_id', '=', tenantId);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      if (action !== undefined) query = query.where('action', '=', action);
      if (kind !== undefined) query = query.where('kind', '=', kind);
      if (minScore !== undefined) query = query.where('score', '>=', minScore);
      if (from !== undefined) query = query.where('at', '>=', from);
      if (to !== undefined) query = query.where('at', '<', to);
      const page = await newestFirstPage(query, cursor, limit, (row) => row);
      return { ...page, items: await opened(page.items) };
    },
    async deleteOlderThan(before, tenantId) {
      let query = db.deleteFrom('risk_events').where('at', '<', before);
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
