// Optional Redis storage for oidc-provider's short-lived models (sessions, interactions, codes…),
// and the factory that routes each model to Redis or to the database (sql-adapter.ts).
//
// Keys, all under `{prefix}{tenant}:` (prefix `frontdoor:oidc:` by default):
//   {Model}:{id}                 hash: payload (JSON), expiresAt, consumed (ms), grantId, userCode, uid, model, id
//   ~grant:{grantId}             set of the artifact keys of a grant
//   ~userCode:{Model}:{code}     id of the artifact with that user code
//   ~uid:{Model}:{uid}           id of the session with that uid
// Model names never start with `~`, so index keys cannot collide with artifact keys. Artifacts and
// indexes expire with the artifact's TTL; a stale index entry is harmless because every lookup
// checks the artifact it points to. The scripts derive keys from set members and hash fields, so
// they need a single Redis (standalone or Sentinel), not Redis Cluster.
//
// consume() is one Lua script (exists + HSETNX), so of two concurrent redemptions only one wins;
// the loser revokes the grant (in both stores when routed) and throws InvalidGrant, as in SQL.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../core/ports.ts';
import type { Database } from '../storage/schema.ts';
import {
  CLIENT_MODEL,
  alreadyConsumed,
  clientsNotStored,
  consumedAtOf,
  expiresAtOf,
  grantIdOf,
  modelLabel,
  revokeOidcGrant,
  sqlAdapterFactory,
  type ReplayHandler,
} from './sql-adapter.ts';

export const DEFAULT_REDIS_KEY_PREFIX = 'frontdoor:oidc:';

/** The models `oidcAdapterFactory` keeps in Redis when a client is given; all others stay in SQL. */
export const REDIS_MODELS: ReadonlySet<string> = new Set([
  'Session',
  'Interaction',
  'AuthorizationCode',
  'DeviceCode',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'BackchannelAuthenticationRequest',
]);

export interface RedisAdapterOptions {
  /** Default `frontdoor:oidc:`; the tenant id and `:` follow it. */
  keyPrefix?: string;
  /** Default: revoke the grant in Redis only. */
  onReplay?: ReplayHandler;
}

// ---------------------------------------------------------------------------------------------
// Lua scripts. Each runs atomically on the server.

interface LuaScript {
  source: string;
  sha: string;
}

function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

async function run(redis: Redis, script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

// Deletes one artifact and the index entries that still point to it. ARGV[1] is the tenant's base.
const DROP = `
local function drop(key, base)
  local f = redis.call('HMGET', key, 'model', 'id', 'grantId', 'userCode', 'uid')
  if not f[1] then return 0 end
  redis.call('DEL', key)
  if f[3] and f[3] ~= '' then redis.call('SREM', base .. '~grant:' .. f[3], key) end
  if f[4] and f[4] ~= '' then
    local k = base .. '~userCode:' .. f[1] .. ':' .. f[4]
    if redis.call('GET', k) == f[2] then redis.call('DEL', k) end
  end
  if f[5] and f[5] ~= '' then
    local k = base .. '~uid:' .. f[1] .. ':' .. f[5]
    if redis.call('GET', k) == f[2] then redis.call('DEL', k) end
  end
  return 1
end
`;

// KEYS: artifact, grant set, user-code index, uid index.
// ARGV: payload, ttl ms (0 = none), expiresAt ('' = none), consumed ('' = no), grantId, userCode, uid, model, id.
const UPSERT = lua(`
local key = KEYS[1]
local consumed = redis.call('HGET', key, 'consumed')
if not consumed and ARGV[4] ~= '' then consumed = ARGV[4] end
redis.call('DEL', key)
redis.call('HSET', key, 'payload', ARGV[1], 'expiresAt', ARGV[3], 'grantId', ARGV[5], 'userCode', ARGV[6], 'uid', ARGV[7], 'model', ARGV[8], 'id', ARGV[9])
-- Consumption is one-way: re-saving an artifact never makes it redeemable again.
if consumed then redis.call('HSET', key, 'consumed', consumed) end
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
local function index(k, value)
  if ttl > 0 then redis.call('SET', k, value, 'PX', ttl) else redis.call('SET', k, value) end
end
if ARGV[5] ~= '' then
  local existed = redis.call('EXISTS', KEYS[2])
  redis.call('SADD', KEYS[2], key)
  -- The set lives as long as its longest-lived member.
  if ttl == 0 then
    redis.call('PERSIST', KEYS[2])
  elseif existed == 0 then
    redis.call('PEXPIRE', KEYS[2], ttl)
  else
    local current = redis.call('PTTL', KEYS[2])
    if current >= 0 and current < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
if ARGV[6] ~= '' then index(KEYS[3], ARGV[9]) end
if ARGV[7] ~= '' then index(KEYS[4], ARGV[9]) end
return 1
`);

// KEYS: artifact. ARGV: now (ms). Returns {0} unknown, {1} consumed now, {2, grantId} already consumed.
const CONSUME = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return {1, ''} end
return {2, redis.call('HGET', KEYS[1], 'grantId') or ''}
`);

// KEYS: artifact. ARGV: base.
const DESTROY = lua(`${DROP}
return drop(KEYS[1], ARGV[1])
`);

// KEYS: grant set. ARGV: base, grantId. Only members still of this grant go.
const REVOKE = lua(`${DROP}
local n = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('HGET', key, 'grantId') == ARGV[2] then n = n + drop(key, ARGV[1]) end
end
redis.call('DEL', KEYS[1])
return n
`);

function tenantBase(prefix: string, tenantId: string): string {
  return `${prefix}${tenantId}:`;
}

/** Deletes every Redis artifact of a tenant's grant; returns how many. */
export async function revokeRedisGrant(redis: Redis, tenantId: string, grantId: string, keyPrefix: string = DEFAULT_REDIS_KEY_PREFIX): Promise<number> {
  const base = tenantBase(keyPrefix, tenantId);
  return Number(await run(redis, REVOKE, [`${base}~grant:${grantId}`], [base, grantId]));
}

/** The oidc-provider adapter over Redis for one tenant: `new Adapter(modelName)`. */
export function redisAdapterFactory(redis: Redis, tenantId: string, clock: Clock, options: RedisAdapterOptions = {}): AdapterConstructor {
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const base = tenantBase(prefix, tenantId);
  const onReplay: ReplayHandler =
    options.onReplay ??
    (async (grantId) => {
      await revokeRedisGrant(redis, tenantId, grantId, prefix);
    });

  return class RedisAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    private key(id: string): string {
      return `${base}${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      const now = clock.now();
      const expiresAt = expiresAtOf(expiresIn, now);
      // Redis keeps the key for the TTL; `expiresAt` (our clock) decides visibility, as in SQL.
      const ttlMs = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? Math.max(1, Math.ceil(expiresIn * 1000)) : 0;
      const consumedAt = consumedAtOf(payload, now);
      const grantId = grantIdOf(this.model, payload) ?? '';
      const userCode = typeof payload.userCode === 'string' ? payload.userCode : '';
      const uid = typeof payload.uid === 'string' ? payload.uid : '';
      await run(
        redis,
        UPSERT,
        [this.key(id), `${base}~grant:${grantId}`, `${base}~userCode:${this.model}:${userCode}`, `${base}~uid:${this.model}:${uid}`],
        [JSON.stringify(payload), ttlMs, expiresAt === null ? '' : expiresAt, consumedAt === null ? '' : consumedAt, grantId, userCode, uid, this.model, id],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL) return undefined;
      const [payload, expiresAt, consumed] = await redis.hmget(this.key(id), 'payload', 'expiresAt', 'consumed');
      if (!payload) return undefined;
      if (expiresAt && Number(expiresAt) <= clock.now()) return undefined;
      const result = JSON.parse(payload) as AdapterPayload;
      if (consumed) result.consumed = Math.floor(Number(consumed) / 1000);
      return result;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL) return undefined;
      const id = await redis.get(`${base}~userCode:${this.model}:${userCode}`);
      if (!id) return undefined;
      const payload = await this.find(id);
      return payload?.userCode === userCode ? payload : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL) return undefined;
      const id = await redis.get(`${base}~uid:${this.model}:${uid}`);
      if (!id) return undefined;
      const payload = await this.find(id);
      return payload?.uid === uid ? payload : undefined;
    }

    async consume(id: string): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      const [outcome, grantId] = (await run(redis, CONSUME, [this.key(id)], [clock.now()])) as [number, string];
      if (outcome === 1) return;
      if (outcome === 0) throw new errors.InvalidGrant(`${modelLabel(this.model)} not found`);
      if (grantId) await onReplay(grantId);
      throw alreadyConsumed(this.model);
    }

    async destroy(id: string): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      await run(redis, DESTROY, [this.key(id)], [base]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeRedisGrant(redis, tenantId, grantId, prefix);
    }
  };
}

export interface OidcAdapterFactoryOptions {
  db: Kysely<Database>;
  /** When given, the short-lived models (REDIS_MODELS) live in Redis; otherwise everything is in SQL. */
  redis?: Redis | null;
  tenantId: string;
  clock: Clock;
  /** Redis key prefix; default `frontdoor:oidc:`. */
  redisKeyPrefix?: string;
}

/**
 * The adapter for a tenant's provider: every model in SQL, or with a Redis client the short-lived
 * ones in Redis. A grant's artifacts may then sit in both stores, so revocation (by the provider or
 * after a replayed code) always clears both.
 */
export function oidcAdapterFactory(options: OidcAdapterFactoryOptions): AdapterConstructor {
  const { db, redis, tenantId, clock } = options;
  if (!redis) return sqlAdapterFactory(db, tenantId, clock);
  const keyPrefix = options.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;

  const revokeEverywhere: ReplayHandler = async (grantId) => {
    await Promise.all([revokeOidcGrant(db, tenantId, grantId), revokeRedisGrant(redis, tenantId, grantId, keyPrefix)]);
  };
  const Sql = sqlAdapterFactory(db, tenantId, clock, { onReplay: revokeEverywhere });
  const InRedis = redisAdapterFactory(redis, tenantId, clock, { keyPrefix, onReplay: revokeEverywhere });

  return class RoutedAdapter implements Adapter {
    readonly model: string;
    readonly store: Adapter;
    readonly sql: Adapter;
    readonly redis: Adapter;

    constructor(model: string) {
      this.model = model;
      this.sql = new Sql(model);
      this.redis = new InRedis(model);
      this.store = REDIS_MODELS.has(model) ? this.redis : this.sql;
    }

    upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      return this.store.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      return this.store.find(id);
    }
    findByUserCode(userCode: string) {
      return this.store.findByUserCode(userCode);
    }
    findByUid(uid: string) {
      return this.store.findByUid(uid);
    }
    consume(id: string) {
      return this.store.consume(id);
    }
    destroy(id: string) {
      return this.store.destroy(id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      await Promise.all([this.sql.revokeByGrantId(grantId), this.redis.revokeByGrantId(grantId)]);
    }
  };
}
