// Environment → typed configuration, validated once at start. A bad value stops the start with one
// line naming the variable. Defaults are documented here and in README's configuration table.
import { join, resolve } from 'node:path';
import type { DatabaseLocation } from './storage/database.ts';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  baseUrl: URL;
  dataDir: string;
  database: DatabaseLocation;
  /** Accepted and validated; shared counters move to Redis in the scale-out work. */
  redisUrl: string | null;
  /** Base64url or hex 32-byte key; null means "generate into the data dir" (embedded only). */
  masterKey: Buffer | null;
  /** Earlier master keys (FRONTDOOR_PREVIOUS_MASTER_KEYS): they only unwrap, while `keys rotate-master` re-wraps. */
  previousMasterKeys: Buffer[];
  smtpUrl: string | null;
  mailFrom: string;
  /** Where text messages are POSTed (JSON); null = the development outbox, or no SMS in production. */
  smsWebhookUrl: string | null;
  /** Signs each webhook request (HMAC-SHA256), so the receiver can tell it came from us. */
  smsWebhookSecret: string | null;
  logLevel: string;
  trustProxy: boolean;
  argon2: { memoryCostKiB: number; timeCost: number; parallelism: number };
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  verifyEmailTtlSeconds: number;
  resetPasswordTtlSeconds: number;
  /** Place addresses with the shipped offline database (~90 MiB more resident memory, measured); off: no country or travel signals. */
  geolocation: boolean;
  /** Bound on each request to an upstream identity provider (social and enterprise login). */
  upstreamTimeoutMs: number;
  /** Load shedding: refuse new work (503) past this event-loop delay (ms; 0: never). */
  shedEventLoopDelayMs: number;
  /** Load shedding: refuse new work while this many queries wait for a pooled connection (0: never). */
  shedDatabaseWaiting: number;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(name: string, raw: string, protocols: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  return parsed;
}

export function decodeMasterKey(raw: string, name = 'FRONTDOOR_MASTER_KEY'): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  if (key.length !== 32) throw new ConfigError(name, 'must be 32 random bytes, base64url or hex encoded (e.g. `openssl rand -hex 32`)');
  return key;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function loadConfig(env: Env = process.env): Config {
  const envName = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || (envName === 'production' ? '0.0.0.0' : '127.0.0.1');
  const baseUrl = url('FRONTDOOR_BASE_URL', env.FRONTDOOR_BASE_URL?.trim() || `http://localhost:${port}`, ['http:', 'https:']);
  if (baseUrl.protocol === 'http:' && !LOCAL_HOSTS.has(baseUrl.hostname)) {
    // Secure cookies and the __Host- prefix need https; plain http is only for a developer's machine.
    throw new ConfigError('FRONTDOOR_BASE_URL', 'must be https unless the host is localhost');
  }
  if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) throw new ConfigError('FRONTDOOR_BASE_URL', 'must be an origin without a path, e.g. https://id.example.com');
  const dataDir = resolve(env.FRONTDOOR_DATA_DIR?.trim() || './data');

  let database: DatabaseLocation;
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) {
    url('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);
    database = {
      engine: 'postgres',
      url: databaseUrl,
      poolSize: integer(env, 'FRONTDOOR_DB_POOL_SIZE', 10, 1, 500),
      statementTimeoutMs: integer(env, 'FRONTDOOR_DB_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    };
  } else {
    database = { engine: 'sqlite', file: join(dataDir, 'frontdoor.sqlite') };
  }

  const redisRaw = env.REDIS_URL?.trim();
  const redisUrl = redisRaw ? url('REDIS_URL', redisRaw, ['redis:', 'rediss:']).toString() : null;
  const smtpRaw = env.SMTP_URL?.trim();
  const smtpUrl = smtpRaw ? url('SMTP_URL', smtpRaw, ['smtp:', 'smtps:']).toString() : null;
  const smsRaw = env.SMS_WEBHOOK_URL?.trim();
  const smsWebhookUrl = smsRaw ? url('SMS_WEBHOOK_URL', smsRaw, ['https:', 'http:']).toString() : null;
  if (smsWebhookUrl && envName === 'production' && !smsWebhookUrl.startsWith('https:')) throw new ConfigError('SMS_WEBHOOK_URL', 'must be https in production');
  const smsWebhookSecret = env.SMS_WEBHOOK_SECRET?.trim() || null;
  if (smsWebhookSecret && smsWebhookSecret.length < 32) throw new ConfigError('SMS_WEBHOOK_SECRET', 'must be at least 32 characters');
  if (smsWebhookUrl && !smsWebhookSecret) throw new ConfigError('SMS_WEBHOOK_SECRET', 'is required with SMS_WEBHOOK_URL');
  const masterKeyRaw = env.FRONTDOOR_MASTER_KEY;
  const masterKey = masterKeyRaw ? decodeMasterKey(masterKeyRaw) : null;
  if (!masterKey && envName === 'production') throw new ConfigError('FRONTDOOR_MASTER_KEY', 'is required in production');
  const previousMasterKeys = (env.FRONTDOOR_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => decodeMasterKey(part, 'FRONTDOOR_PREVIOUS_MASTER_KEYS'));
  if (previousMasterKeys.length > 0 && !masterKey) throw new ConfigError('FRONTDOOR_PREVIOUS_MASTER_KEYS', 'needs FRONTDOOR_MASTER_KEY (the key they are being rotated to)');

  const logLevel = env.LOG_LEVEL?.trim() || (envName === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }
  const geolocationRaw = env.FRONTDOOR_GEOLOCATION?.trim();
  if (geolocationRaw && !['on', 'off'].includes(geolocationRaw)) throw new ConfigError('FRONTDOOR_GEOLOCATION', 'must be on or off');
  const trustProxyRaw = env.FRONTDOOR_TRUST_PROXY?.trim();
  if (trustProxyRaw && !['true', 'false', '1', '0'].includes(trustProxyRaw)) throw new ConfigError('FRONTDOOR_TRUST_PROXY', 'must be true or false');

  return {
    env: envName,
    host,
    port,
    baseUrl,
    dataDir,
    database,
    redisUrl,
    masterKey,
    previousMasterKeys,
    smtpUrl,
    smsWebhookUrl,
    smsWebhookSecret,
    mailFrom: env.MAIL_FROM?.trim() || `Frontdoor <no-reply@${baseUrl.hostname === 'localhost' ? 'localhost.localdomain' : baseUrl.hostname}>`,
    logLevel,
    trustProxy: trustProxyRaw === 'true' || trustProxyRaw === '1',
    argon2: {
      memoryCostKiB: integer(env, 'FRONTDOOR_ARGON2_MEMORY_KIB', 19_456, 19_456, 4_194_304),
      timeCost: integer(env, 'FRONTDOOR_ARGON2_TIME_COST', 2, 2, 100),
      parallelism: integer(env, 'FRONTDOOR_ARGON2_PARALLELISM', 1, 1, 16),
    },
    sessionIdleSeconds: integer(env, 'FRONTDOOR_SESSION_IDLE_MINUTES', 24 * 60, 1, 525_600) * 60,
    sessionAbsoluteSeconds: integer(env, 'FRONTDOOR_SESSION_ABSOLUTE_HOURS', 30 * 24, 1, 8_760) * 3600,
    verifyEmailTtlSeconds: integer(env, 'FRONTDOOR_VERIFY_EMAIL_TTL_MINUTES', 24 * 60, 5, 10_080) * 60,
    resetPasswordTtlSeconds: integer(env, 'FRONTDOOR_RESET_PASSWORD_TTL_MINUTES', 30, 5, 1_440) * 60,
    geolocation: geolocationRaw !== 'off',
    upstreamTimeoutMs: integer(env, 'FRONTDOOR_UPSTREAM_TIMEOUT_MS', 10_000, 100, 60_000),
    shedEventLoopDelayMs: integer(env, 'FRONTDOOR_SHED_EVENT_LOOP_DELAY_MS', 1_000, 0, 60_000),
    shedDatabaseWaiting: integer(env, 'FRONTDOOR_SHED_DB_WAITING', 100, 0, 100_000),
  };
}
