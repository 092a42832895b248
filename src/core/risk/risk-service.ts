// Gathers the facts an assessment needs, runs the one `assess`, stores the result as a risk event,
// and keeps the memory the facts come from: failure counters (in the RateLimiter, so shared across
// nodes with Redis) and each account's sign-in history (devices, networks, places).
//
// An attempt is assessed twice. `before` the credential is checked, on what the source shows (its
// pace, its failures, how many accounts it tried, its user agent, the bot challenge): that stage can
// ask for a bot challenge or refuse, and never tells whether the account exists. `after` the
// credential proved who it is, on who it is (a new device, network or country, impossible travel, a
// breached password): that stage can ask for a second factor or refuse.
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, RateLimiter, RiskEvent, Session, SignInEvent, Store, Tenant, User } from '../ports.ts';
import { hmac, newId } from '../secrets.ts';
import { assess, compileRiskPolicy, DEFAULT_RISK_POLICY, IDENTITY_SIGNALS, SESSION_SIGNALS, SOURCE_SIGNALS, type CompiledRiskPolicy, type RiskAssessment, type RiskPolicy } from './engine.ts';
import type { GeoLocator } from './geo.ts';
import { createWriteBehind } from './write-behind.ts';
import type { SecurityEventBus } from '../events/security-events.ts';
import { networkOf } from './ip-lists.ts';
import type { AttemptKind, GeoPoint, RiskFacts } from './signal.ts';

/** What the client showed, read at the edge: the device cookie, client hints, the form's pace, the bot challenge. */
export interface ClientSignals {
  /** The browser's device id (from its signed cookie); null when the client has none. */
  deviceId: string | null;
  /** Browser and system without versions ("Chrome on Linux"): part of the device's identity. */
  deviceName: string;
  clientHints: Record<string, string>;
  formMillis: number | null;
  botChallenge: 'passed' | 'failed' | null;
}

/** A client that says nothing (the CLI, tests of the domain): no device, no hints, no pace. */
export const NO_CLIENT_SIGNALS: ClientSignals = { deviceId: null, deviceName: 'unknown', clientHints: {}, formMillis: null, botChallenge: null };

export interface StoredAssessment extends RiskAssessment {
  /** The stored risk event; null for an assessment that was not an attempt (a page view). */
  eventId: string | null;
}

/** Windows of the velocity counters. */
const FAILURE_WINDOW_SECONDS = 15 * 60;
const DISTINCT_WINDOW_SECONDS = 60 * 60;
/** Wrong passwords from one familiar browser in the failure window before it is treated as a stranger. */
const FAMILIAR_DEVICE_FAILURES = 10;
/** How much of an account's sign-in history tells familiar from new. */
const HISTORY_LIMIT = 100;
/**
 * A tenant-wide spike: at least this many password sign-ins in the window, at least this share of
 * them failing (a healthy tenant sees typos, well under a third).
 */
export const SPIKE_WINDOW_SECONDS = 5 * 60;
export const SPIKE_MIN_ATTEMPTS = 50;
export const SPIKE_FAILURE_RATIO = 0.6;
/** Records are written in batches of up to this many, at most this long after the first. */
const WRITE_BATCH = 100;
const WRITE_DELAY_MS = 50;
/** Registrations per address and network are counted over this long. */
const REGISTRATION_WINDOW_SECONDS = 60 * 60;
/** One event per source, or per tenant spike, per this long. */
const ATTACK_EVENT_SECONDS = 60 * 60;

export interface RiskService {
  /** The tenant's policy over the defaults, compiled (cached until the tenant changes). */
  policyOf(tenant: Tenant): CompiledRiskPolicy;
  /** How the source looks before anyone is named (a page view): not stored. */
  assessSource(tenant: Tenant, kind: AttemptKind, client: ClientSignals, ctx: RequestContext): Promise<RiskAssessment>;
  /**
   * Before the credential is checked. Throws `risk.denied` when refused and `risk.challenge` when
   * the bot challenge is needed and was not solved; returns the stored assessment otherwise.
   */
  before(tenant: Tenant, attempt: { kind: AttemptKind; account: string | null; email?: string | null; familiarDevice?: boolean }, client: ClientSignals, ctx: RequestContext): Promise<StoredAssessment>;
  /**
   * After the credential proved who it is. Throws `risk.denied` when refused; a `challenge` is for
   * the caller to meet — unless `provenByMethod`: a passkey, or a code or link from the verified
   * address, is itself the step-up a challenge would ask for, so it is recorded as met (`allow`).
   */
  after(
    tenant: Tenant,
    user: User,
    attempt: { kind: AttemptKind; passwordBreached: boolean; history?: SignInEvent[]; provenByMethod?: boolean },
    client: ClientSignals,
    ctx: RequestContext,
  ): Promise<StoredAssessment>;
  /**
   * A sensitive account action (a new passkey, phone or authenticator app; removing one) from a
   * signed-in session, judged like a sign-in on who it is against the account's history: `confirm`
   * when it should prove itself again first (the caller asks for the password or a passkey, even
   * within the recent-sign-in window), `allow` otherwise; throws `risk.denied` for the tenant's lists.
   * Stored when any signal fired.
   */
  assessSensitiveAction(tenant: Tenant, user: User, client: ClientSignals, ctx: RequestContext): Promise<'allow' | 'confirm'>;
  /** The account's recent sign-ins that familiarity is judged on (empty for no account). */
  history(tenant: Tenant, userId: string | null): Promise<SignInEvent[]>;
  /**
   * Whether this browser has signed in to the account of `history` before — and has not itself
   * failed many times lately (a copied device cookie must not become a way around the limits).
   */
  isFamiliarDevice(tenant: Tenant, history: readonly SignInEvent[], client: ClientSignals, account: string): Promise<boolean>;
  /** A registration went through (new account or not: the answer is the same): counts toward the source's sign-ups. */
  recordRegistration(tenant: Tenant, ctx: RequestContext): Promise<void>;
  /** A failed credential: counts toward the account's and the source's failures. */
  recordFailure(tenant: Tenant, account: string, ctx: RequestContext, client?: ClientSignals): Promise<void>;
  /** A completed sign-in: remembered as familiar from now on; true when it was from a device the account had not used. */
  recordSignIn(tenant: Tenant, user: User, input: { methods: readonly string[]; sessionId: string | null }, client: ClientSignals, ctx: RequestContext): Promise<{ id: string; newDevice: boolean; country: string | null }>;
  recentSignIns(tenant: Tenant, userId: string, limit: number): Promise<SignInEvent[]>;
  /**
   * Continuous evaluation of a signed-in session used from another network than the one it started
   * on: impossible travel since it started, or a different browser, ends it (`end`). Same
   * network: nothing is looked at. `startedOn` is the browser the session started on.
   */
  reassessSession(tenant: Tenant, session: Session, startedOn: string, client: ClientSignals, ctx: RequestContext): Promise<'keep' | 'end'>;
  /**
   * Continuous evaluation of an app's refresh from the user's own device (a public client): from a
   * place the account's last sign-in could not have reached by now, `end` (the caller revokes the
   * app's grant). Nothing stored when nothing fires.
   */
  reassessRefresh(tenant: Tenant, userId: string, ctx: RequestContext): Promise<'keep' | 'end'>;
  /** Writes the buffered risk events and sign-ins now (before reading them from storage; at shutdown). */
  flush(): Promise<void>;
}

/** Refused by the tenant's IP or country deny list (not by score). */
const byList = (a: RiskAssessment) => a.reasons[0]?.signal === 'ip_deny_list' || a.reasons[0]?.signal === 'country_deny_list';

/** Once a credential proved who it is, only the tenant's lists refuse; any other high score asks for proof (a traveller on a VPN is still the owner). */
const refusedOnlyByList = (a: RiskAssessment): RiskAssessment => (a.action === 'deny' && !byList(a) ? { ...a, action: 'challenge' } : a);

/** Where and when a located sign-in was, as the travel signal compares it. */
const placeOf = (h: SignInEvent): NonNullable<RiskFacts['previousSignIn']> => ({ at: h.at, location: { country: h.country, latitude: h.latitude, longitude: h.longitude, accuracyKm: h.accuracyKm } });
const lastLocated = (history: readonly SignInEvent[]) => history.find((h) => h.latitude !== null && h.longitude !== null);

export function riskPolicyOf(tenant: Tenant): RiskPolicy {
  const custom = tenant.settings.risk ?? {};
  return {
    weights: { ...DEFAULT_RISK_POLICY.weights, ...(custom.weights ?? {}) },
    thresholds: { ...DEFAULT_RISK_POLICY.thresholds, ...(custom.thresholds ?? {}) },
    notifyNewDevice: custom.notifyNewDevice ?? DEFAULT_RISK_POLICY.notifyNewDevice,
    disposableEmail: custom.disposableEmail ?? DEFAULT_RISK_POLICY.disposableEmail,
    ipAllow: custom.ipAllow ?? [],
    ipDeny: custom.ipDeny ?? [],
    countryAllow: custom.countryAllow ?? [],
    countryDeny: custom.countryDeny ?? [],
  };
}

/** Where the buffered records are written: the store's own inserts by default. */
export interface RiskRecordWriter {
  signIns(items: SignInEvent[]): Promise<void>;
  riskEvents(items: RiskEvent[]): Promise<void>;
}

// The stored part of an account's history is read at most once a second per account on this node: a
// password sign-in looks at it before the password, after it, and when it is recorded.
const STORED_HISTORY_TTL_MS = 1000;
const STORED_HISTORY_MAX_ACCOUNTS = 10_000;

export function createRiskService(deps: {
  store: Store;
  /** Writes the buffered records somewhere other than the store's request-thread inserts (SQLite: a worker). */
  recordWriter?: RiskRecordWriter;
  clock: Clock;
  limiter: RateLimiter;
  geo: GeoLocator;
  deviceKey: Buffer;
  events?: SecurityEventBus;
  /** A batch of records could not be written (they are lost; decisions already made stand). */
  onWriteError?: (error: unknown, lost: number) => void;
}): RiskService {
  const { store, clock, limiter } = deps;
  const onError = deps.onWriteError ?? (() => undefined);
  const writer: RiskRecordWriter = deps.recordWriter ?? { signIns: (items) => store.signInEvents.addMany(items), riskEvents: (items) => store.riskEvents.addMany(items) };
  const riskEvents = createWriteBehind<RiskEvent>((items) => writer.riskEvents(items), { maxItems: WRITE_BATCH, maxDelayMs: WRITE_DELAY_MS, onError });
  const signIns = createWriteBehind<SignInEvent>((items) => writer.signIns(items).finally(() => forgetStoredHistory(items)), { maxItems: WRITE_BATCH, maxDelayMs: WRITE_DELAY_MS, onError });

  // This node's own sign-ins are pending until written, and a written batch drops its accounts'
  // entries, so nothing recorded here is ever missing; other nodes' show within a second.
  const storedHistory = new Map<string, { rows: SignInEvent[]; limit: number; until: number }>();
  // Bumped by every written batch: a read that started before one must not cache what it read.
  let historyGeneration = 0;
  const accountKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;
  function forgetStoredHistory(items: readonly SignInEvent[]): void {
    historyGeneration += 1;
    for (const e of items) storedHistory.delete(accountKey(e.tenantId, e.userId));
  }
  async function storedHistoryOf(tenantId: string, userId: string, limit: number): Promise<SignInEvent[]> {
    const id = accountKey(tenantId, userId);
    const now = performance.now();
    const hit = storedHistory.get(id);
    if (hit && hit.until > now && hit.limit >= limit) return hit.rows.slice(0, limit);
    const started = historyGeneration;
    const rows = await store.signInEvents.listRecent(tenantId, userId, limit);
    if (started === historyGeneration) {
      if (storedHistory.size >= STORED_HISTORY_MAX_ACCOUNTS) storedHistory.clear();
      storedHistory.set(id, { rows, limit, until: now + STORED_HISTORY_TTL_MS });
    }
    return rows;
  }

  /** The account's recent sign-ins: this node's unwritten ones first (newest first), then storage. */
  async function historyOf(tenantId: string, userId: string, limit: number): Promise<SignInEvent[]> {
    // Pending first, then storage: a batch finishing in between shows up in both, never in neither.
    const pending = signIns.pending().filter((e) => e.tenantId === tenantId && e.userId === userId);
    const stored = await storedHistoryOf(tenantId, userId, limit);
    if (pending.length === 0) return stored;
    const ids = new Set(pending.map((e) => e.id));
    return [...pending.slice().reverse(), ...stored.filter((e) => !ids.has(e.id))].slice(0, limit);
  }
  // Keyed by the policy's own text: a change is seen at once, whatever the tenant's clock says.
  const compiled = new Map<string, { source: string; policy: CompiledRiskPolicy }>();

  function policyOf(tenant: Tenant): CompiledRiskPolicy {
    const source = JSON.stringify(tenant.settings.risk ?? null);
    const hit = compiled.get(tenant.id);
    if (hit && hit.source === source) return hit.policy;
    const policy = compileRiskPolicy(riskPolicyOf(tenant));
    compiled.set(tenant.id, { source, policy });
    return policy;
  }

  const key = {
    accountFailures: (t: Tenant, account: string) => `risk:af:${t.id}:${account}`,
    ipFailures: (t: Tenant, ip: string) => `risk:if:${t.id}:${ip}`,
    ipAccounts: (t: Tenant, ip: string) => `risk:ia:${t.id}:${ip}`,
    accountIps: (t: Tenant, account: string) => `risk:ai:${t.id}:${account}`,
    tenantAttempts: (t: Tenant) => `risk:ta:${t.id}`,
    deviceFailures: (t: Tenant, account: string, device: string) => `risk:df:${t.id}:${account}:${device}`,
    registrationsFromIp: (t: Tenant, ip: string) => `risk:ri:${t.id}:${ip}`,
    registrationsFromNetwork: (t: Tenant, network: string) => `risk:rn:${t.id}:${network}`,
    tenantFailures: (t: Tenant) => `risk:tf:${t.id}`,
    attackEvent: (t: Tenant, what: string) => `risk:ev:${t.id}:${what}`,
  };

  async function registrations(tenant: Tenant, ip: string | null): Promise<RiskFacts['registrations']> {
    const network = networkOf(ip);
    if (!ip || !network) return null;
    const [fromIp, fromNetwork] = await Promise.all([
      limiter.peek(key.registrationsFromIp(tenant, ip), Number.MAX_SAFE_INTEGER, REGISTRATION_WINDOW_SECONDS),
      limiter.peek(key.registrationsFromNetwork(tenant, network), Number.MAX_SAFE_INTEGER, REGISTRATION_WINDOW_SECONDS),
    ]);
    return { fromIp: fromIp.count, fromNetwork: fromNetwork.count };
  }

  async function tenantSpike(tenant: Tenant): Promise<RiskFacts['tenantFailureSpike']> {
    const [attempts, failures] = await Promise.all([
      limiter.peek(key.tenantAttempts(tenant), Number.MAX_SAFE_INTEGER, SPIKE_WINDOW_SECONDS),
      limiter.peek(key.tenantFailures(tenant), Number.MAX_SAFE_INTEGER, SPIKE_WINDOW_SECONDS),
    ]);
    if (attempts.count < SPIKE_MIN_ATTEMPTS) return null;
    const failureRatio = Math.min(1, failures.count / attempts.count);
    return failureRatio >= SPIKE_FAILURE_RATIO ? { attempts: attempts.count, failureRatio } : null;
  }

  /** An attack in progress, told once per `what` per hour across every node sharing the limiter. */
  async function raiseAttack(tenant: Tenant, type: 'attack.credential_stuffing' | 'attack.failure_spike', what: string, details: Record<string, string | number | null>): Promise<void> {
    const first = await limiter.hit(key.attackEvent(tenant, what), 1, ATTACK_EVENT_SECONDS);
    if (first.count === 1) deps.events?.publish({ type, tenantId: tenant.id, at: clock.now(), userId: null, details });
  }

  async function velocity(tenant: Tenant, account: string | null, ip: string | null): Promise<RiskFacts['velocity']> {
    const [accountFailures, ipFailures, ipDistinctAccounts, accountDistinctIps] = await Promise.all([
      account ? limiter.peek(key.accountFailures(tenant, account), Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_SECONDS).then((r) => r.count) : 0,
      ip ? limiter.peek(key.ipFailures(tenant, ip), Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_SECONDS).then((r) => r.count) : 0,
      ip ? limiter.distinct(key.ipAccounts(tenant, ip), null, DISTINCT_WINDOW_SECONDS) : 0,
      account ? limiter.distinct(key.accountIps(tenant, account), null, DISTINCT_WINDOW_SECONDS) : 0,
    ]);
    return { accountFailures, ipFailures, ipDistinctAccounts, accountDistinctIps };
  }

  function baseFacts(tenant: Tenant, kind: AttemptKind, client: ClientSignals, ctx: RequestContext, location: GeoPoint | null): RiskFacts {
    return {
      kind,
      tenantId: tenant.id,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      clientHints: client.clientHints,
      deviceKnown: null,
      networkKnown: null,
      passwordBreached: false,
      formMillis: client.formMillis,
      email: null,
      velocity: { accountFailures: 0, ipFailures: 0, ipDistinctAccounts: 0, accountDistinctIps: 0 },
      now: clock.now(),
      location,
      countryKnown: null,
      previousSignIn: null,
      botChallenge: client.botChallenge,
      tenantFailureSpike: null,
      registrations: null,
      sessionDevice: null,
    };
  }

  async function recordAssessment(tenant: Tenant, userId: string | null, kind: AttemptKind, stage: RiskEvent['stage'], assessment: RiskAssessment, location: GeoPoint | null, ctx: RequestContext): Promise<StoredAssessment> {
    const id = newId('rsk');
    riskEvents.add({
      id,
      tenantId: tenant.id,
      userId,
      at: clock.now(),
      kind,
      stage,
      score: assessment.score,
      level: assessment.level,
      action: assessment.action,
      reasons: assessment.reasons,
      ip: ctx.ip,
      country: location?.country ?? null,
      requestId: ctx.requestId,
    });
    return { ...assessment, eventId: id };
  }

  /** Who it is, against the account's sign-ins. With no history there is nothing to compare with: familiarity stays unknown. */
  function compareWithHistory(facts: RiskFacts, tenant: Tenant, history: readonly SignInEvent[], client: ClientSignals, ctx: RequestContext, location: GeoPoint | null): void {
    if (history.length === 0) return;
    const device = deviceHash(tenant, client);
    facts.deviceKnown = device === null ? null : history.some((h) => h.deviceHash === device);
    const network = networkOf(ctx.ip);
    facts.networkKnown = network === null ? null : history.some((h) => h.network === network);
    facts.countryKnown = location?.country ? history.some((h) => h.country === location.country) : null;
    const previous = lastLocated(history);
    if (previous) facts.previousSignIn = placeOf(previous);
  }

  /**
   * Continuous evaluation's end: a score that reaches the challenge threshold ends the session or
   * grant (stored as `deny`, published as `session.ended`); below it, stored as assessed.
   */
  async function endAtChallenge(tenant: Tenant, userId: string, kind: AttemptKind, result: RiskAssessment, location: GeoPoint | null, ctx: RequestContext, details: Record<string, string>): Promise<'keep' | 'end'> {
    const ended = result.action === 'challenge' || result.action === 'deny';
    const stored = await recordAssessment(tenant, userId, kind, 'after', ended ? { ...result, action: 'deny' } : result, location, ctx);
    if (!ended) return 'keep';
    deps.events?.publish({ type: 'session.ended', tenantId: tenant.id, at: clock.now(), userId, details: { ...details, riskEventId: stored.eventId, score: stored.score } });
    return 'end';
  }

  const deviceHash = (tenant: Tenant, client: ClientSignals) => (client.deviceId ? hmac(deps.deviceKey, `${tenant.id}\u0000${client.deviceId}\u0000${client.deviceName}`) : null);

  return {
    policyOf,

    async assessSource(tenant, kind, client, ctx) {
      const facts = baseFacts(tenant, kind, client, ctx, deps.geo.locate(ctx.ip));
      [facts.velocity, facts.tenantFailureSpike, facts.registrations] = await Promise.all([
        velocity(tenant, null, ctx.ip),
        kind === 'sign_in' ? tenantSpike(tenant) : null,
        kind === 'registration' ? registrations(tenant, ctx.ip) : null,
      ]);
      return assess(facts, policyOf(tenant), SOURCE_SIGNALS);
    },

    async before(tenant, attempt, client, ctx) {
      const location = deps.geo.locate(ctx.ip);
      const facts = baseFacts(tenant, attempt.kind, client, ctx, location);
      facts.email = attempt.email ?? null;
      facts.deviceKnown = attempt.familiarDevice ? true : null;
      [facts.velocity, facts.tenantFailureSpike, facts.registrations] = await Promise.all([
        velocity(tenant, attempt.account, ctx.ip),
        attempt.kind === 'sign_in' ? tenantSpike(tenant) : null,
        attempt.kind === 'registration' ? registrations(tenant, ctx.ip) : null,
      ]);
      // What others did to the account says nothing about its owner's own browser.
      if (attempt.familiarDevice) facts.velocity = { ...facts.velocity, accountFailures: 0, accountDistinctIps: 0 };
      const assessed = assess(facts, policyOf(tenant), SOURCE_SIGNALS);
      // A high score is refused outright only by the tenant's lists, or when the client already
      // failed the bot challenge; otherwise it is a challenge (a harder one): a shared address (an
      // office, a mobile network) must not lock out the people behind it.
      const result = assessed.action === 'deny' && !byList(assessed) && client.botChallenge !== 'failed' ? { ...assessed, action: 'challenge' as const } : assessed;
      // A solved bot challenge meets the challenge: the attempt goes on, and the record says why.
      const met = result.action === 'challenge' && client.botChallenge === 'passed';
      const recorded = met ? { ...result, action: 'allow' as const, reasons: [...result.reasons, { signal: 'bot_challenge_passed', points: 0, reason: 'the bot challenge was solved' }] } : result;
      const stored = await recordAssessment(tenant, null, attempt.kind, 'before', recorded, location, ctx);
      // Attacks in progress are told to the operator (once an hour each), whatever this attempt's fate.
      if (ctx.ip && stored.action !== 'allow' && stored.reasons.some((r) => r.signal === 'ip_distinct_accounts')) {
        await raiseAttack(tenant, 'attack.credential_stuffing', `ip:${ctx.ip}`, { ip: ctx.ip, accountsTried: facts.velocity.ipDistinctAccounts, failures: facts.velocity.ipFailures });
      }
      if (facts.tenantFailureSpike) {
        await raiseAttack(tenant, 'attack.failure_spike', 'tenant', { attempts: facts.tenantFailureSpike.attempts, failurePercent: Math.round(facts.tenantFailureSpike.failureRatio * 100) });
      }
      if (stored.action === 'deny') throw new FrontdoorError('risk.denied', { detail: stored.eventId ?? undefined });
      if (stored.action === 'challenge') throw new FrontdoorError('risk.challenge', { riskScore: stored.score });
      return stored;
    },

    async after(tenant, user, attempt, client, ctx) {
      const location = deps.geo.locate(ctx.ip);
      const facts = baseFacts(tenant, attempt.kind, client, ctx, location);
      facts.passwordBreached = attempt.passwordBreached;
      // The spike's ratio is over checked passwords only.
      if (attempt.kind === 'sign_in' && !attempt.provenByMethod) await limiter.hit(key.tenantAttempts(tenant), Number.MAX_SAFE_INTEGER, SPIKE_WINDOW_SECONDS);
      compareWithHistory(facts, tenant, attempt.history ?? (await historyOf(tenant.id, user.id, HISTORY_LIMIT)), client, ctx, location);
      // The source was judged before (and met any bot challenge); this stage is about who it is.
      let result = refusedOnlyByList(assess(facts, policyOf(tenant), IDENTITY_SIGNALS));
      if (attempt.provenByMethod && result.action === 'challenge') result = { ...result, action: 'allow' };
      const stored = await recordAssessment(tenant, user.id, attempt.kind, 'after', result, location, ctx);
      if (stored.action === 'deny') throw new FrontdoorError('risk.denied', { detail: stored.eventId ?? undefined });
      return stored;
    },

    async assessSensitiveAction(tenant, user, client, ctx) {
      const location = deps.geo.locate(ctx.ip);
      const facts = baseFacts(tenant, 'sensitive_action', client, ctx, location);
      const history = await historyOf(tenant.id, user.id, HISTORY_LIMIT);
      compareWithHistory(facts, tenant, history, client, ctx, location);
      // In a signed-in session the browser holds the device cookie it was given at sign-in: a
      // session cookie without it was carried somewhere else.
      if (history.length > 0 && facts.deviceKnown === null) facts.deviceKnown = false;
      const assessed = assess(facts, policyOf(tenant), IDENTITY_SIGNALS);
      if (assessed.score === 0 && assessed.action === 'allow') return 'allow';
      // As after a sign-in: only the lists refuse; any other high score asks for proof again.
      const stored = await recordAssessment(tenant, user.id, 'sensitive_action', 'after', refusedOnlyByList(assessed), location, ctx);
      if (stored.action === 'deny') throw new FrontdoorError('risk.denied', { detail: stored.eventId ?? undefined });
      return stored.action === 'challenge' ? 'confirm' : 'allow';
    },

    async recordRegistration(tenant, ctx) {
      const network = networkOf(ctx.ip);
      if (!ctx.ip || !network) return;
      await Promise.all([
        limiter.hit(key.registrationsFromIp(tenant, ctx.ip), Number.MAX_SAFE_INTEGER, REGISTRATION_WINDOW_SECONDS),
        limiter.hit(key.registrationsFromNetwork(tenant, network), Number.MAX_SAFE_INTEGER, REGISTRATION_WINDOW_SECONDS),
      ]);
    },

    async recordFailure(tenant, account, ctx, client) {
      const ip = ctx.ip;
      const device = client ? deviceHash(tenant, client) : null;
      await Promise.all([
        device ? limiter.hit(key.deviceFailures(tenant, account, device), FAMILIAR_DEVICE_FAILURES, FAILURE_WINDOW_SECONDS) : null,
        // The spike's ratio is over checked passwords only: challenged attempts count on neither side,
        // so the spike lasts while the failures are in the window, not until the attack is drowned out.
        limiter.hit(key.tenantAttempts(tenant), Number.MAX_SAFE_INTEGER, SPIKE_WINDOW_SECONDS),
        limiter.hit(key.tenantFailures(tenant), Number.MAX_SAFE_INTEGER, SPIKE_WINDOW_SECONDS),
        limiter.hit(key.accountFailures(tenant, account), Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_SECONDS),
        ip ? limiter.hit(key.ipFailures(tenant, ip), Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_SECONDS) : null,
        ip ? limiter.distinct(key.ipAccounts(tenant, ip), account, DISTINCT_WINDOW_SECONDS) : null,
        ip ? limiter.distinct(key.accountIps(tenant, account), ip, DISTINCT_WINDOW_SECONDS) : null,
      ]);
    },

    async recordSignIn(tenant, user, input, client, ctx) {
      const location = deps.geo.locate(ctx.ip);
      const device = deviceHash(tenant, client);
      const history = await historyOf(tenant.id, user.id, HISTORY_LIMIT);
      const newDevice = history.length > 0 && device !== null && !history.some((h) => h.deviceHash === device);
      const id = newId('sie');
      signIns.add({
        id,
        tenantId: tenant.id,
        userId: user.id,
        at: clock.now(),
        deviceHash: device,
        deviceName: client.deviceName,
        network: networkOf(ctx.ip),
        country: location?.country ?? null,
        latitude: location?.latitude ?? null,
        longitude: location?.longitude ?? null,
        accuracyKm: location?.accuracyKm ?? null,
        methods: [...input.methods],
        sessionId: input.sessionId,
        riskEventId: null,
      });
      // A success ends the account's run of failures (the source's failures stay counted).
      await limiter.reset(key.accountFailures(tenant, user.email));
      return { id, newDevice, country: location?.country ?? null };
    },

    // An unknown account reads too (an id that matches nothing): the work must not tell them apart.
    history(tenant, userId) {
      return historyOf(tenant.id, userId ?? '', HISTORY_LIMIT);
    },

    async isFamiliarDevice(tenant, history, client, account) {
      const device = deviceHash(tenant, client);
      if (device === null || !history.some((h) => h.deviceHash === device)) return false;
      const failures = await limiter.peek(key.deviceFailures(tenant, account, device), FAMILIAR_DEVICE_FAILURES, FAILURE_WINDOW_SECONDS);
      return failures.count < FAMILIAR_DEVICE_FAILURES;
    },

    async reassessSession(tenant, session, startedOn, client, ctx) {
      const here = networkOf(ctx.ip);
      if (here === null || here === networkOf(session.ip)) return 'keep';
      const location = deps.geo.locate(ctx.ip);
      const facts = baseFacts(tenant, 'session_use', client, ctx, location);
      const origin = deps.geo.locate(session.ip);
      // The session's address is the one it started from, at its start.
      if (origin) facts.previousSignIn = { at: session.createdAt, location: origin };
      facts.sessionDevice = { startedOn, now: client.deviceName };
      const result = assess(facts, policyOf(tenant), SESSION_SIGNALS);
      if (result.score === 0) return 'keep';
      return endAtChallenge(tenant, session.userId, 'session_use', result, location, ctx, { sessionId: session.id });
    },

    async reassessRefresh(tenant, userId, ctx) {
      const location = deps.geo.locate(ctx.ip);
      if (!location) return 'keep';
      const history = await historyOf(tenant.id, userId, HISTORY_LIMIT);
      // Already seen here: nothing moved.
      if (history[0]?.network !== undefined && history[0].network === networkOf(ctx.ip)) return 'keep';
      const previous = lastLocated(history);
      if (!previous) return 'keep';
      const facts = baseFacts(tenant, 'token_refresh', NO_CLIENT_SIGNALS, ctx, location);
      facts.previousSignIn = placeOf(previous);
      const result = assess(facts, policyOf(tenant), SESSION_SIGNALS);
      if (result.score === 0) return 'keep';
      return endAtChallenge(tenant, userId, 'token_refresh', result, location, ctx, { via: 'token_refresh' });
    },

    recentSignIns(tenant, userId, limit) {
      return historyOf(tenant.id, userId, limit);
    },

    async flush() {
      await Promise.all([riskEvents.flush(), signIns.flush()]);
    },
  };
}
