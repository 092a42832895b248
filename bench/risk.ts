// `npm run bench:risk`: what the risk engine adds to a password sign-in, against the argon2id
// verification every password sign-in already pays, measured in the same run. Two parts: the engine
// alone (assess() over gathered facts), and the whole risk path of a sign-in as login() runs it on
// an embedded node (history read, velocity counters, geolocation, both assessments and their
// stored risk events, the sign-in recorded) — SQLite, in-process limiter, real geolocation data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArgon2Hasher } from '../src/adapters/password/argon2-hasher.ts';
import { createServices } from '../src/app.ts';
import { firstStart } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { newId } from '../src/core/secrets.ts';
import { assess, compileRiskPolicy, DEFAULT_RISK_POLICY } from '../src/core/risk/engine.ts';
import { createPostgresDatabase } from './support.ts';
import type { RiskFacts } from '../src/core/risk/signal.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200_000);
const HASHES = Number(process.env.BENCH_HASHES ?? 200);

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const variants: RiskFacts[] = Array.from({ length: 64 }, (_, i) => ({
  kind: i % 5 === 0 ? 'registration' : 'sign_in',
  tenantId: 'demo',
  ip: `198.51.${i}.${(i * 7) % 255}`,
  userAgent: i % 9 === 0 ? 'python-requests/2.32' : CHROME,
  clientHints: (i % 3 === 0 ? {} : { 'sec-ch-ua': '"Chromium";v="142"', 'sec-ch-ua-mobile': '?0' }) as Record<string, string>,
  deviceKnown: i % 4 !== 0,
  networkKnown: i % 6 !== 0,
  passwordBreached: i % 11 === 0,
  formMillis: i % 7 === 0 ? 300 : 5000,
  email: `user${i}@${i % 5 === 0 ? 'mailinator.com' : 'example.com'}`,
  velocity: { accountFailures: i % 12, ipFailures: i % 31, ipDistinctAccounts: i % 8, accountDistinctIps: i % 5 },
  now: 1_800_000_000_000,
  location: i % 10 === 0 ? null : { country: i % 2 ? 'US' : 'GB', latitude: 40 + (i % 10), longitude: i % 2 ? -74 : 0, accuracyKm: 20 },
  countryKnown: i % 8 !== 0,
  previousSignIn: i % 3 === 0 ? null : { at: 1_800_000_000_000 - 3_600_000, location: { country: 'GB', latitude: 51.5, longitude: -0.1, accuracyKm: 20 } },
  botChallenge: i % 13 === 0 ? 'failed' : null,
  tenantFailureSpike: i % 17 === 0 ? { attempts: 120, failureRatio: 0.8 } : null,
  registrations: i % 5 === 0 ? { fromIp: i % 9, fromNetwork: i % 25 } : null,
  sessionDevice: null,
}));
// A tenant with lists, so the CIDR matching is paid for too.
const policy = compileRiskPolicy({ ...DEFAULT_RISK_POLICY, ipDeny: ['192.0.2.0/24', '2001:db8::/32'], ipAllow: ['203.0.113.0/24'] });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// Warm up, then time each call.
for (let i = 0; i < 20_000; i += 1) assess(variants[i % variants.length]!, policy);
const samples = new Float64Array(ROUNDS);
for (let i = 0; i < ROUNDS; i += 1) {
  const start = process.hrtime.bigint();
  assess(variants[i % variants.length]!, policy);
  samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
}
const sorted = [...samples].sort((a, b) => a - b);

const hasher = createArgon2Hasher({ memoryCostKiB: 19_456, timeCost: 2, parallelism: 1 });
const hash = await hasher.hash('correct horse battery staple 42');
const verifies: number[] = [];
for (let i = 0; i < HASHES; i += 1) {
  const start = process.hrtime.bigint();
  await hasher.verify(hash, 'correct horse battery staple 42');
  verifies.push(Number(process.hrtime.bigint() - start) / 1e6);
}
verifies.sort((a, b) => a - b);

// ---- the whole risk path of a sign-in, on an embedded node -------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-risk-'));
// BENCH_DATABASE_URL (an admin connection to PostgreSQL): the same path on a fresh database there.
const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || null;
const database = adminUrl ? await createPostgresDatabase(adminUrl) : null;
const config = loadConfig({ NODE_ENV: 'test', FRONTDOOR_DATA_DIR: dataDir, FRONTDOOR_BASE_URL: 'http://localhost:3000', LOG_LEVEL: 'silent', ...(database ? { DATABASE_URL: database.url } : {}) });
const services = await createServices(config);
await services.geo.preload?.();
await firstStart(services);
const tenant = (await services.store.tenants.get('demo'))!;
const now = Date.now();
const users = await Promise.all(
  Array.from({ length: 50 }, async (_, i) => {
    const user = { id: newId('usr'), tenantId: 'demo', status: 'active' as const, email: `bench.${i}@example.com`, emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await services.store.users.create(user);
    return user;
  }),
);
const client = (i: number) => ({ deviceId: `device-${i % 80}-abcdefghijklmnop`, deviceName: 'Chrome on Windows', clientHints: { 'sec-ch-ua': '"Chromium";v="142"' }, formMillis: 4000, botChallenge: null });
const ctx = (i: number) => ({ ip: `${[81, 131, 8, 203][i % 4]}.${(i * 7) % 250}.${(i * 13) % 250}.${(i % 200) + 1}`, userAgent: CHROME, requestId: `r${i}`, locale: 'en', actor: 'anonymous' });
// Each user gets a history of ten sign-ins first, as a returning customer has.
for (let i = 0; i < 500; i += 1) await services.flows.risk.recordSignIn(tenant, users[i % users.length]!, { methods: ['pwd'], sessionId: null }, client(i), ctx(i));
const PATHS = Number(process.env.BENCH_PATHS ?? 5_000);
const path: number[] = [];
for (let i = 0; i < PATHS + 500; i += 1) {
  const user = users[i % users.length]!;
  const start = process.hrtime.bigint();
  // What login() and the session start add around the password check.
  const history = await services.flows.risk.history(tenant, user.id);
  const familiar = await services.flows.risk.isFamiliarDevice(tenant, history, client(i), user.email);
  await services.flows.risk.before(tenant, { kind: 'sign_in', account: user.email, familiarDevice: familiar }, client(i), ctx(i)).catch(() => null);
  if (i % 10 === 0) await services.flows.risk.recordFailure(tenant, user.email, ctx(i));
  else {
    await services.flows.risk.after(tenant, user, { kind: 'sign_in', passwordBreached: false, history }, client(i), ctx(i)).catch(() => null);
    await services.flows.risk.recordSignIn(tenant, user, { methods: ['pwd'], sessionId: null }, client(i), ctx(i));
  }
  if (i >= 500) path.push(Number(process.hrtime.bigint() - start) / 1e6);
}
path.sort((a, b) => a - b);
await services.close();
await database?.drop();
rmSync(dataDir, { recursive: true, force: true });

const result = {
  engine: services.engine,
  rounds: ROUNDS,
  assessMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9) },
  signInPathMs: { runs: PATHS, p50: percentile(path, 50), p99: percentile(path, 99), p999: percentile(path, 99.9) },
  argon2VerifyMs: { p50: percentile(verifies, 50) },
  p99OverVerifyMedian: percentile(sorted, 99) / percentile(verifies, 50),
  pathP99OverVerifyMedian: percentile(path, 99) / percentile(verifies, 50),
  goalMet: percentile(path, 99) <= 1,
};
console.log(JSON.stringify(result, null, 2));
