// `npm run bench:login`: full password sign-ins per second over HTTP, against the raw argon2id
// verification rate of the same machine in the same run. The hash is meant to be the only real
// cost of a sign-in; the goal is sign-ins ≥ 85 % of the raw rate.
//
//   server     bench/login-server.ts, its own process (SQLite, or PostgreSQL via BENCH_DATABASE_URL)
//   reference  bench/argon2-reference.ts, its own process: verifies/s, one in flight per core
//   load       autocannon in this process: POST /t/demo/login, each request the next user
//
// Phases alternate (reference, sign-in, reference, sign-in, …) so machine noise hits both, and
// the table reports medians. Settings (env): BENCH_DURATION_SECONDS (20), BENCH_CONNECTIONS (8),
// BENCH_USERS (200), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (3), BENCH_DATABASE_URL (unset: SQLite;
// else an admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres, under which a temporary
// database is created and dropped).
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ReferenceResult, ReferenceSettings } from './argon2-reference.ts';
import type { ReadyLine } from './login-server.ts';

const GOAL = 0.85;
const TENANT = 'demo';
const LOGIN_PATH = `/t/${TENANT}/login`;
const SUCCESS_LOCATION = `/t/${TENANT}/account`;
const CSRF_COOKIE = '__Host-fd-csrf';

function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    process.stderr.write(`bench:login: ${name} must be a whole number between ${min} and ${max}, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

const settings = {
  durationSeconds: wholeNumber('BENCH_DURATION_SECONDS', 20, 1, 3600),
  warmupSeconds: wholeNumber('BENCH_WARMUP_SECONDS', 3, 0, 600),
  connections: wholeNumber('BENCH_CONNECTIONS', 8, 1, 1000),
  users: wholeNumber('BENCH_USERS', 200, 1, 100_000),
  rounds: wholeNumber('BENCH_ROUNDS', 3, 1, 50),
  databaseUrl: process.env.BENCH_DATABASE_URL?.trim() || null,
};
const cores = availableParallelism();
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- child processes -----------------------------------------------------------------------------

/** Resolves with the first stdout line of `child` that parses as JSON; rejects if it exits first. */
function firstJsonLine<T>(child: ChildProcess, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`${what}: no result within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      lines.close();
      reject(error);
    };
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      lines.close();
      resolve(JSON.parse(line) as T);
    });
    child.once('exit', (code, signal) => fail(new Error(`${what} exited (${signal ?? `code ${code}`}) before reporting`)));
  });
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function startServer(): Promise<{ child: ChildProcess; ready: ReadyLine; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [here('./login-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      BENCH_USERS: String(settings.users),
      ...(settings.databaseUrl ? { BENCH_DATABASE_URL: settings.databaseUrl } : {}),
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await firstJsonLine<ReadyLine>(child, 'bench server', 300_000);
  return {
    child,
    ready,
    stop: async () => {
      child.stdin!.end(); // the server cleans up (drops the temporary database) and exits
      const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function measureReference(argon2: ReadyLine['argon2']): Promise<ReferenceResult> {
  const referenceSettings: ReferenceSettings = {
    ...argon2,
    concurrency: cores,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: settings.durationSeconds,
  };
  const child = spawn(process.execPath, [here('./argon2-reference.ts'), JSON.stringify(referenceSettings)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const result = await firstJsonLine<ReferenceResult>(child, 'argon2 reference', (settings.warmupSeconds + settings.durationSeconds + 60) * 1000);
  await exited;
  return result;
}

// ---- sign-in load --------------------------------------------------------------------------------

interface CsrfPair {
  cookie: string;
  token: string;
}

/** What a browser gets from the sign-in page: the CSRF cookie and the matching form token. */
async function fetchCsrfPair(base: string): Promise<CsrfPair> {
  const response = await fetch(new URL(LOGIN_PATH, base), { headers: { accept: 'text/html' } });
  const html = await response.text();
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!.trim())
    .find((pair) => pair.startsWith(`${CSRF_COOKIE}=`));
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (response.status !== 200 || !cookie || !token) throw new Error(`GET ${LOGIN_PATH} gave no CSRF cookie and token (status ${response.status})`);
  return { cookie, token };
}

function loginBody(pair: CsrfPair, email: string, password: string): string {
  return new URLSearchParams({ _csrf: pair.token, email, password }).toString();
}

/** One sign-in with fetch, to fail fast (and say why) before any load is generated. */
async function checkOneSignIn(base: string, pair: CsrfPair, email: string, password: string): Promise<void> {
  const response = await fetch(new URL(LOGIN_PATH, base), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pair.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: loginBody(pair, email, password),
  });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  if (response.status !== 303 || location !== SUCCESS_LOCATION) {
    throw new Error(`a sign-in that should succeed answered ${response.status} (location ${location ?? 'none'})`);
  }
}

interface LoadResult {
  successes: number;
  seconds: number;
  perSecond: number;
  /** Latencies (ms) of the successful sign-ins. */
  latencies: number[];
  /** Everything that was not a successful sign-in, by status (or "errors"/"timeouts"). */
  other: Record<string, number>;
}

function runLoad(base: string, pairs: CsrfPair[], users: string[], password: string, durationSeconds: number): Promise<LoadResult> {
  // Each connection holds one browser's CSRF cookie; its body carries the matching token. The
  // cookie header tells setupRequest which token to use (autocannon resets the per-connection
  // context on every request when there is one request in the list, so it cannot hold it).
  const tokenByCookie = new Map(pairs.map((pair) => [pair.cookie, pair]));
  let nextPair = 0;
  let nextUser = 0;
  let lastWasSuccess = false;
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  let successes = 0;

  const instance = autocannon({
    url: base,
    connections: pairs.length,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 30,
    setupClient(client) {
      const pair = pairs[nextPair++ % pairs.length]!;
      client.setHeaders({ cookie: pair.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
    },
    requests: [
      {
        method: 'POST',
        path: LOGIN_PATH,
        setupRequest(request) {
          // Built once before setupClient runs (no cookie yet, never sent), then before every request.
          const pair = tokenByCookie.get(request.headers?.cookie ?? '') ?? pairs[0]!;
          const email = users[nextUser++ % users.length]!;
          return { ...request, body: loginBody(pair, email, password) };
        },
        onResponse(status, _body, _context, headers) {
          const location = headers.location ?? headers.Location;
          lastWasSuccess = status === 303 && location === SUCCESS_LOCATION;
          if (lastWasSuccess) successes += 1;
          else other[String(status)] = (other[String(status)] ?? 0) + 1;
        },
      },
    ],
  });
  // autocannon calls onResponse and then emits `response` (with the latency) for the same response,
  // synchronously, so `lastWasSuccess` belongs to this latency.
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (lastWasSuccess) latencies.push(responseTime);
  });
  return new Promise((resolve, reject) => {
    instance.then((result) => {
      if (result.errors - result.timeouts > 0) other.errors = result.errors - result.timeouts;
      if (result.timeouts > 0) other.timeouts = result.timeouts;
      resolve({ successes, seconds: result.duration, perSecond: successes / result.duration, latencies, other });
    }, reject);
  });
}

// ---- statistics and output -----------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`bench:login: starting server (${settings.databaseUrl ? `PostgreSQL under ${redactUrl(settings.databaseUrl)}` : 'SQLite'}, ${settings.users} users)…`);
  const server = await startServer();
  try {
    const { ready } = server;
    const base = `http://127.0.0.1:${ready.port}`;
    const pairs = await Promise.all(Array.from({ length: settings.connections }, () => fetchCsrfPair(base)));
    await checkOneSignIn(base, pairs[0]!, ready.users[0]!, ready.password);

    const reference: ReferenceResult[] = [];
    const signIns: LoadResult[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      log(`round ${round}/${settings.rounds}: raw argon2id verify, ${cores} in flight, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s…`);
      const ref = await measureReference(ready.argon2);
      reference.push(ref);
      log(`  ${fmt(ref.perSecond)} verifies/s`);
      await sleep(500);

      log(`round ${round}/${settings.rounds}: sign-in, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s…`);
      if (settings.warmupSeconds > 0) await runLoad(base, pairs, ready.users, ready.password, settings.warmupSeconds);
      const load = await runLoad(base, pairs, ready.users, ready.password, settings.durationSeconds);
      signIns.push(load);
      const others = Object.entries(load.other);
      log(`  ${fmt(load.perSecond)} sign-ins/s${others.length ? `; not signed in: ${others.map(([k, v]) => `${k}×${v}`).join(', ')}` : ''}`);
      await sleep(500); // let the requests still in flight on the server finish
    }

    const refRates = reference.map((r) => r.perSecond);
    const loginRates = signIns.map((r) => r.perSecond);
    const latencies = signIns.flatMap((r) => r.latencies);
    const other: Record<string, number> = {};
    for (const load of signIns) for (const [k, v] of Object.entries(load.other)) other[k] = (other[k] ?? 0) + v;
    const ratio = median(loginRates) / median(refRates);
    const { memoryCostKiB: m, timeCost: t, parallelism: p } = ready.argon2;

    const out = [
      '',
      table([
        ['', 'median', 'min', 'max', 'per round'],
        ['raw argon2id verifies/s', fmt(median(refRates)), fmt(Math.min(...refRates)), fmt(Math.max(...refRates)), refRates.map((r) => fmt(r)).join(' ')],
        ['sign-ins/s (HTTP 303)', fmt(median(loginRates)), fmt(Math.min(...loginRates)), fmt(Math.max(...loginRates)), loginRates.map((r) => fmt(r)).join(' ')],
      ]),
      '',
      `ratio (median sign-ins / median raw): ${fmt(ratio * 100)} %  — goal ≥ ${fmt(GOAL * 100, 0)} %: ${ratio >= GOAL ? 'MET' : 'NOT MET'}`,
      `sign-in latency: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms (${latencies.length} successful sign-ins)`,
      `not signed in: ${Object.keys(other).length ? Object.entries(other).map(([k, v]) => `${k}×${v}`).join(', ') : 'none'}`,
      '',
      table([
        ['engine', ready.engine],
        ['connections', String(settings.connections)],
        ['duration', `${settings.durationSeconds} s per phase (+ ${settings.warmupSeconds} s warm-up), ${settings.rounds} rounds`],
        ['users', String(settings.users)],
        ['argon2id', `m=${m}, t=${t}, p=${p}; reference: ${cores} verifications in flight`],
        ['node', `${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`],
        ['cpu', `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} (availableParallelism ${cores})`],
      ]),
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    await server.stop();
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:login: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
