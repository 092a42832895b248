// Composition root: turns configuration into a running set of adapters, domain services and the
// HTTP server. Everything a test or the CLI needs is reachable from the returned object.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createAuditLog, type AuditLog } from './core/audit/audit-log.ts';
import { createPasskeyService } from './core/credentials/passkeys.ts';
import { createTotpService } from './core/credentials/totp.ts';
import { createSmsOtpService } from './core/credentials/sms-otp.ts';
import { createWebhookSmsSender } from './adapters/sms/webhook-sms-sender.ts';
import { createOutboxSmsSender } from './adapters/sms/outbox-sms-sender.ts';
import type { PasswordBlocklist } from './core/credentials/password-policy.ts';
import type { FlowDeps, LinkBuilder } from './core/flows/deps.ts';
import type { Clock, PasswordHasher, RateLimiter, SignInMethodNotifier, Store } from './core/ports.ts';
import { createAttemptGuard } from './core/risk/attempt-guard.ts';
import { createBotChallengeService } from './core/risk/bot-challenge.ts';
import { NO_GEOLOCATION, type GeoLocator } from './core/risk/geo.ts';
import { createRiskService } from './core/risk/risk-service.ts';
import { subscribeAdminAlerts } from './core/events/admin-alerts.ts';
import { createSecurityEventBus } from './core/events/security-events.ts';
import { createDbIpCityLocator } from './adapters/geo/dbip-city-mmdb-locator.ts';
import { createSessionService, type SessionService } from './core/sessions/session-service.ts';
import { createSigningKeyService, type SigningKeyService } from './core/keys/signing-keys.ts';
import { createArgon2Hasher } from './adapters/password/argon2-hasher.ts';
import { loadPasswordBlocklist } from './adapters/password/blocklist.ts';
import { createMemoryRateLimiter } from './adapters/rate-limit/memory-rate-limiter.ts';
import { createRedisRateLimiter } from './adapters/rate-limit/redis-rate-limiter.ts';
import { createRedisInvalidationBus } from './adapters/cache/redis-invalidation-bus.ts';
import { createOutboxMailer } from './adapters/mail/outbox-mailer.ts';
import { createSmtpDispatcher, type MailDispatcher } from './adapters/mail/smtp-dispatcher.ts';
import { composeMail } from './pages/mail.ts';
import { openDatabase, type Engine } from './storage/database.ts';
import { createKyselyStore } from './storage/kysely-store.ts';
import { withLookupCache } from './storage/lookup-cache.ts';
import { createSqliteRecordWriter } from './storage/sqlite-record-writer.ts';
import { migrateToLatest } from './storage/migrations.ts';
import { deriveKey, loadOrCreateMasterKeys } from './keys.ts';
import { createLocalKeyProvider } from './adapters/keys/local-key-provider.ts';
import { openPersonalDataVault } from './storage/personal-data-vault.ts';
import { issuerFor } from './oidc/issuer.ts';
import type { AuditCheckpointDeps } from './core/audit/audit-checkpoint.ts';
import { createAccessService, type AccessService } from './core/authz/access.ts';
import { riskEventRows, signInEventRows } from './storage/repositories/risk.ts';
import { sealLegacyPersonalData } from './storage/seal-legacy-data.ts';
import type { Kysely } from 'kysely';
import { Redis } from 'ioredis';
import { startClusterClock, type ClusterClock } from './storage/cluster-clock.ts';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from './storage/schema.ts';
import { upstreamByType, type UpstreamClient } from './core/federation/federated-sign-in.ts';
import { createOpenidUpstream } from './adapters/federation/openid-upstream.ts';
import { createSamlUpstream, type SamlUpstream } from './adapters/federation/saml-upstream.ts';

export const systemClock: Clock = { now: () => Date.now() };

/** How long a retired signing key stays in the JWKS: at least the lifetime of any JWT it signed. */
export const SIGNING_KEY_RETENTION_SECONDS = 24 * 3600;
/** How long a starting node waits for its Redis connection before it starts degraded. */
const REDIS_START_WAIT_MS = 3000;

export interface Services {
  config: Config;
  engine: Engine;
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  blocklist: PasswordBlocklist;
  limiter: RateLimiter;
  audit: AuditLog;
  sessions: SessionService;
  flows: FlowDeps;
  links: LinkBuilder;
  /** HMAC key for CSRF tokens (derived from the master key). */
  csrfKey: Buffer;
  /** HMAC keys of the risk engine's browser signals: the device cookie and the form stamp. */
  riskKeys: { device: Buffer; form: Buffer };
  /** The Kysely database behind `store`, for the OIDC artifact adapter. */
  db: Kysely<Database>;
  /** Queries waiting for a pooled database connection now (load shedding reads it). */
  waitingForConnection: () => number;
  /** IP geolocation (the risk engine's places); `preload` reads the data off the request path. */
  geo: GeoLocator & { preload?: () => Promise<void> };
  /** Redis when REDIS_URL is set (short-lived OIDC artifacts), else null. */
  redis: Redis | null;
  /** Keys for the OIDC provider, derived from the master key: cookie signing, client-secret placeholders, pairwise subjects. */
  oidcKeys: { cookie: Buffer; placeholder: Buffer; pairwise: Buffer };
  /** Per-tenant OIDC signing keys, sealed with a key derived from the master key. */
  signingKeys: SigningKeyService;
  /** What linking, signing, exporting and pruning the audit chain need (the tenant's issuer names its checkpoints). */
  auditChain: AuditCheckpointDeps;
  /** Roles, permissions and decisions (core/authz). */
  access: AccessService;
  /** Social and enterprise login: the upstream protocol clients (by connection type; SAML's also writes our SP metadata) and the key that seals their browser cookies. */
  federation: { upstream: UpstreamClient; saml: SamlUpstream; cookieKey: Buffer };
  mailDispatcher: MailDispatcher | null;
  close(): Promise<void>;
}

export function linkBuilder(baseUrl: URL): LinkBuilder {
  const at = (path: string) => new URL(path, baseUrl).toString();
  return {
    verifyEmail: (tenantId, token) => at(`/t/${tenantId}/verify?token=${encodeURIComponent(token)}`),
    resetPassword: (tenantId, token) => at(`/t/${tenantId}/reset?token=${encodeURIComponent(token)}`),
    login: (tenantId) => at(`/t/${tenantId}/login`),
    magicLink: (tenantId, token) => at(`/t/${tenantId}/login/email/link?token=${encodeURIComponent(token)}`),
    forgotPassword: (tenantId) => at(`/t/${tenantId}/forgot`),
    reportSignIn: (tenantId, token) => at(`/t/${tenantId}/report-sign-in?token=${encodeURIComponent(token)}`),
    cancelDeletion: (tenantId, token) => at(`/t/${tenantId}/account/keep?token=${encodeURIComponent(token)}`),
    confirmEmailChange: (tenantId, token) => at(`/t/${tenantId}/account/email/confirm?token=${encodeURIComponent(token)}`),
    organizationInvitation: (tenantId, token) => at(`/t/${tenantId}/invitation?token=${encodeURIComponent(token)}`),
    householdInvitation: (tenantId, token) => at(`/t/${tenantId}/household/invitation?token=${encodeURIComponent(token)}`),
  };
}

export interface ServiceOptions {
  clock?: Clock;
  /** Tests pass cheaper-to-construct limits; production uses the defaults. */
  limiter?: RateLimiter;
  /** IP geolocation; the shipped offline database by default. */
  geo?: GeoLocator;
  onMailError?: (error: unknown) => void;
}

/** Opens storage, runs migrations and wires every service. Does not listen. */
export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const { db, engine, waitingForConnection } = openDatabase(config.database);
  let vault;
  let clusterClock: ClusterClock | null = null;
  try {
    // Several nodes share one database: they keep its time (storage/cluster-clock.ts).
    if (engine === 'postgres') clusterClock = await startClusterClock(db, { onOffset: (ms) => process.stderr.write(`frontdoor: this machine's clock is ${ms} ms off the database's; keeping the database's time\n`) });
    await migrateToLatest(db, engine);
    const masterKeys = loadOrCreateMasterKeys(config);
    vault = await openPersonalDataVault(db, createLocalKeyProvider(masterKeys.current, masterKeys.previous), masterKeys.current);
    await sealLegacyPersonalData(db, vault);
  } catch (error) {
    clusterClock?.stop();
    await db.destroy();
    throw error;
  }
  const store = withLookupCache(createKyselyStore(db, vault));
  // Every purpose key derives from the stored root key, not from the master key, so a master-key
  // rotation changes none of them.
  const rootKey = vault.rootKey;
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
  // ioredis reconnects by itself; without a listener each failure would be an "unhandled error
  // event" on stderr with a stack. One line per failure, no URL (it may hold a password).
  redis?.on('error', (error: Error) => process.stderr.write(`frontdoor: redis: ${error.message}\n`));
  // Rate limits count in Redis only on a ready connection: wait for it (briefly) so a node's first
  // requests are counted with everyone else's; a node whose Redis is down starts degraded anyway.
  if (redis && redis.status !== 'ready') await Promise.race([once(redis, 'ready'), sleep(REDIS_START_WAIT_MS, undefined, { ref: false })]).catch(() => undefined);
  const blocklist = await loadPasswordBlocklist();
  const hasher = createArgon2Hasher(config.argon2);
  // The first dummy verification builds its reference hash; do it now, not during a request.
  await hasher.verifyDummy('warm-up');
  // Limits hold across nodes when they share Redis; a single node counts in memory.
  const limiter = options.limiter ?? (redis ? createRedisRateLimiter(redis, clock, createMemoryRateLimiter(clock)) : createMemoryRateLimiter(clock));
  // Role and assignment changes reach every node's decision cache at once through Redis.
  const authzInvalidations = redis ? createRedisInvalidationBus(redis, 'frontdoor:authz:invalidate', (error) => process.stderr.write(`frontdoor: redis: ${error.message}\n`)) : null;
  const audit = createAuditLog({ store, clock });
  const sessions = createSessionService({ store, clock, settings: { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds } });
  const mailDispatcher = config.smtpUrl
    ? createSmtpDispatcher({ store, clock, smtpUrl: config.smtpUrl, from: config.mailFrom, ...(options.onMailError ? { onError: options.onMailError } : {}) })
    : null;
  const mailer = createOutboxMailer({ store, clock, compose: composeMail, ...(mailDispatcher ? { onQueued: () => mailDispatcher.kick() } : {}) });
  const links = linkBuilder(config.baseUrl);
  const guard = createAttemptGuard({ limiter });
  const notify: SignInMethodNotifier = (tenant, user, change, locale) =>
    mailer.queue({ tenant, to: user.email, template: 'sign_in_method_changed', locale, params: { change, resetLink: links.forgotPassword(tenant.id) } });
  const totp = createTotpService({ store, clock, audit, notify });
  const passkeys = createPasskeyService({ store, clock, audit, baseUrl: config.baseUrl, challengeKey: deriveKey(rootKey, 'webauthn-challenge'), notify });
  const codeKey = deriveKey(rootKey, 'one-time-codes');
  // Text messages: the operator's webhook; in development the outbox; in production without a
  // webhook, none (SMS codes are then not offered).
  const smsSender =
    config.smsWebhookUrl && config.smsWebhookSecret
      ? createWebhookSmsSender({ url: config.smsWebhookUrl, secret: config.smsWebhookSecret, clock })
      : config.env === 'production'
        ? null
        : createOutboxSmsSender({ store, clock });
  const sms = createSmsOtpService({ store, clock, audit, guard, sender: smsSender, codeKey, baseUrl: config.baseUrl, notify });
  const geo = options.geo ?? (config.geolocation ? createDbIpCityLocator() : NO_GEOLOCATION);
  const events = createSecurityEventBus((error, event) => process.stderr.write(`frontdoor: security event listener failed on ${event.type}: ${(error as Error).message}\n`));
  subscribeAdminAlerts(events, { store, mailer });
  // On an SQLite file the risk records are appended from a worker thread (its own connection), off
  // the request thread; PostgreSQL writes are asynchronous already.
  const recordWriter =
    config.database.engine === 'sqlite' && config.database.file !== ':memory:'
      ? createSqliteRecordWriter(config.database.file, { signIns: signInEventRows(db, vault), riskEvents: riskEventRows(db, vault) }, { signIns: (items) => store.signInEvents.addMany(items), riskEvents: (items) => store.riskEvents.addMany(items) })
      : null;
  const risk = createRiskService({
    store,
    ...(recordWriter ? { recordWriter } : {}),
    clock,
    limiter,
    geo,
    deviceKey: deriveKey(rootKey, 'risk-device'),
    events,
    onWriteError: (error, lost) => process.stderr.write(`frontdoor: ${lost} risk records could not be written: ${(error as Error).message}\n`),
  });
  const botChallenges = createBotChallengeService({ store, clock, key: deriveKey(rootKey, 'bot-challenge') });
  const flows: FlowDeps = {
    store,
    clock,
    hasher,
    blocklist,
    mailer,
    guard,
    risk,
    botChallenges,
    events,
    audit,
    sessions,
    totp,
    passkeys,
    sms,
    links,
    codeKey,
    ttl: { verifyEmailSeconds: config.verifyEmailTtlSeconds, resetPasswordSeconds: config.resetPasswordTtlSeconds },
  };
  const signingKeys = createSigningKeyService({ store, clock, rootKey, maxTokenLifetimeSeconds: SIGNING_KEY_RETENTION_SECONDS, audit });
  const openidUpstream = createOpenidUpstream({ connections: store.connections, clock, timeoutMs: config.upstreamTimeoutMs });
  const samlUpstream = createSamlUpstream({ baseUrl: config.baseUrl, clock, usedAssertions: store.samlAssertions });
  return {
    config,
    engine,
    store,
    clock,
    hasher,
    blocklist,
    limiter,
    audit,
    sessions,
    flows,
    links,
    csrfKey: deriveKey(rootKey, 'csrf'),
    geo,
    riskKeys: { device: deriveKey(rootKey, 'risk-device-cookie'), form: deriveKey(rootKey, 'risk-form-stamp') },
    db,
    waitingForConnection,
    redis,
    oidcKeys: { cookie: deriveKey(rootKey, 'oidc-cookies'), placeholder: deriveKey(rootKey, 'oidc-client-placeholder'), pairwise: deriveKey(rootKey, 'oidc-pairwise') },
    signingKeys,
    auditChain: { store, clock, signingKeys, issuerOf: (tenantId) => issuerFor(config.baseUrl, tenantId) },
    access: createAccessService({ store, clock, ...(authzInvalidations ? { invalidations: authzInvalidations } : {}) }),
    federation: { upstream: upstreamByType({ oidc: openidUpstream, oauth2: openidUpstream, saml: samlUpstream }), saml: samlUpstream, cookieKey: deriveKey(rootKey, 'federation-cookies') },
    mailDispatcher,
    async close() {
      clusterClock?.stop();
      await risk.flush();
      await recordWriter?.close();
      await mailDispatcher?.close();
      await authzInvalidations?.close();
      await redis?.quit().catch(() => redis.disconnect());
      await store.close();
    },
  };
}

export type { FastifyInstance };
