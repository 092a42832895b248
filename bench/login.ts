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
// database is created and dropped), BENCH_PROFILE_DIR (unset; else a directory for CPU profiles of
// the server's main thread during the measured sign-in phases — profiling slows the server a little).
import { spawn } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ReferenceResult, ReferenceSettings } from './argon2-reference.ts';
import type { ReadyLine } from './login-server.ts';
import { machineBusyMs, type ThreadCpu } from './machine.ts';
import { JsonLines } from './support.ts';
import { cpuBetween, watchPostgresCpu, type PostgresCpu } from './postgres-cpu.ts';

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
  /** When set, the server's main thread is profiled during each measured sign-in phase. */
  profileDir: process.env.BENCH_PROFILE_DIR?.trim() ? resolve(process.env.BENCH_PROFILE_DIR.trim()) : null,
};
const cores = availableParallelism();
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- child processes -----------------------------------------------------------------------------

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

interface BenchServer {
  ready: ReadyLine;
  /** CPU time (ms) the server process has used so far, in all and by thread kind (Linux). */
  cpuMs(): Promise<{ total: number; threads: ThreadCpu | null }>;
  /** Sends a line to the server and waits for its JSON answer. */
  command(line: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function startServer(): Promise<BenchServer> {
  const child = spawn(process.execPath, [here('./login-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      BENCH_USERS: String(settings.users),
      ...(settings.databaseUrl ? { BENCH_DATABASE_URL: settings.databaseUrl } : {}),
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = new JsonLines(child, 'bench server');
  const ready = await lines.next<ReadyLine>(300_000, 'bench server start');
  return {
    ready,
    async cpuMs() {
      child.stdin!.write('cpu\n');
      const { cpu, threads } = await lines.next<{ cpu: NodeJS.CpuUsage; threads: ThreadCpu | null }>(10_000, 'bench server cpu');
      return { total: (cpu.user + cpu.system) / 1000, threads };
    },
    async command(line) {
      child.stdin!.write(`${line}\n`);
      return lines.next(60_000, `bench server ${line}`);
    },
    async stop() {
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const result = await new JsonLines(child, 'argon2 reference').next<ReferenceResult>((settings.warmupSeconds + settings.durationSeconds + 60) * 1000, 'argon2 reference');
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

function table(rows: string[][], leftAligned = false): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const cell = (text: string, i: number) => (i === 0 || leftAligned ? text.padEnd(widths[i]!) : text.padStart(widths[i]!));
  return rows.map((row) => row.map(cell).join('  ').trimEnd()).join('\n');
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`bench:login: starting server (${settings.databaseUrl ? `PostgreSQL under ${redactUrl(settings.databaseUrl)}` : 'SQLite'}, ${settings.users} users)…`);
  const server = await startServer();
  // A PostgreSQL on this machine spends CPU on every sign-in too; count it when we can see it.
  let postgresCpu: PostgresCpu | null = null;
  try {
    const { ready } = server;
    const base = `http://127.0.0.1:${ready.port}`;
    const pairs = await Promise.all(Array.from({ length: settings.connections }, () => fetchCsrfPair(base)));
    await checkOneSignIn(base, pairs[0]!, ready.users[0]!, ready.password);

    const reference: ReferenceResult[] = [];
    const signIns: (LoadResult & { serverCpuMsPerSignIn: number; loaderCpuMsPerSignIn: number; databaseCpuMsPerSignIn: number | null; threads: ThreadCpu | null; otherCores: number | null })[] = [];
    if (settings.databaseUrl && ready.database) {
      postgresCpu = await watchPostgresCpu(settings.databaseUrl, ready.database).catch(() => null);
    }
    for (let round = 1; round <= settings.rounds; round += 1) {
      log(`round ${round}/${settings.rounds}: raw argon2id verify, ${cores} in flight, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s…`);
      const ref = await measureReference(ready.argon2);
      reference.push(ref);
      log(`  ${fmt(ref.perSecond)} verifies/s, ${fmt(ref.cpuMsPerVerify, 2)} CPU ms each${ref.otherCores === null ? '' : `; other processes used ${fmt(ref.otherCores, 2)} cores`}`);
      await sleep(500);

      log(`round ${round}/${settings.rounds}: sign-in, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s…`);
      if (settings.warmupSeconds > 0) await runLoad(base, pairs, ready.users, ready.password, settings.warmupSeconds);
      if (settings.profileDir) await server.command('profile-start');
      const serverCpuStart = await server.cpuMs();
      const loaderCpuStart = process.cpuUsage();
      const databaseCpuStart = (await postgresCpu?.sample()) ?? null;
      const busyStart = machineBusyMs();
      const load = await runLoad(base, pairs, ready.users, ready.password, settings.durationSeconds);
      const busyEnd = machineBusyMs();
      const loaderCpu = process.cpuUsage(loaderCpuStart);
      const databaseCpuMs = cpuBetween(databaseCpuStart, (await postgresCpu?.sample()) ?? null);
      const serverCpuEnd = await server.cpuMs();
      const serverCpuMs = serverCpuEnd.total - serverCpuStart.total;
      if (load.successes === 0) {
        throw new Error(`round ${round}: no successful sign-in (${Object.entries(load.other).map(([k, v]) => `${k}×${v}`).join(', ') || 'no responses'})`);
      }
      const perSignIn = (a: number, b: number) => (a - b) / load.successes;
      const threads =
        serverCpuStart.threads && serverCpuEnd.threads
          ? {
              main: perSignIn(serverCpuEnd.threads.main, serverCpuStart.threads.main),
              pool: perSignIn(serverCpuEnd.threads.pool, serverCpuStart.threads.pool),
              other: perSignIn(serverCpuEnd.threads.other, serverCpuStart.threads.other),
            }
          : null;
      const ownCpuMs = serverCpuMs + (loaderCpu.user + loaderCpu.system) / 1000 + (databaseCpuMs ?? 0);
      if (settings.profileDir) {
        mkdirSync(settings.profileDir, { recursive: true });
        const file = join(settings.profileDir, `server-${ready.engine}-round-${round}.cpuprofile`);
        await server.command(`profile-stop ${file}`);
        log(`  server CPU profile: ${file}`);
      }
      const measured = {
        ...load,
        serverCpuMsPerSignIn: serverCpuMs / load.successes,
        loaderCpuMsPerSignIn: (loaderCpu.user + loaderCpu.system) / 1000 / load.successes,
        databaseCpuMsPerSignIn: databaseCpuMs === null ? null : databaseCpuMs / load.successes,
        threads,
        otherCores: busyStart === null || busyEnd === null ? null : Math.max(0, busyEnd - busyStart - ownCpuMs) / (load.seconds * 1000),
      };
      signIns.push(measured);
      const others = Object.entries(load.other);
      log(
        `  ${fmt(load.perSecond)} sign-ins/s, ${fmt(measured.serverCpuMsPerSignIn, 2)} server CPU ms each` +
          (measured.databaseCpuMsPerSignIn === null ? '' : ` (+ ${fmt(measured.databaseCpuMsPerSignIn, 2)} in PostgreSQL)`) +
          (measured.otherCores === null ? '' : `; other processes used ${fmt(measured.otherCores, 2)} cores`) +
          (others.length ? `; not signed in: ${others.map(([k, v]) => `${k}×${v}`).join(', ')}` : ''),
      );
      await sleep(500); // let the requests still in flight on the server finish
    }

    const refRates = reference.map((r) => r.perSecond);
    const loginRates = signIns.map((r) => r.perSecond);
    const refCpu = median(reference.map((r) => r.cpuMsPerVerify));
    const serverCpu = median(signIns.map((r) => r.serverCpuMsPerSignIn));
    const loaderCpu = median(signIns.map((r) => r.loaderCpuMsPerSignIn));
    const databaseCpuValues = signIns.map((r) => r.databaseCpuMsPerSignIn).filter((v): v is number => v !== null);
    const databaseCpu = databaseCpuValues.length ? median(databaseCpuValues) : 0;
    const threadValues = signIns.map((r) => r.threads).filter((v): v is ThreadCpu => v !== null);
    const latencies = signIns.flatMap((r) => r.latencies);
    const other: Record<string, number> = {};
    for (const load of signIns) for (const [k, v] of Object.entries(load.other)) other[k] = (other[k] ?? 0) + v;
    const ratio = median(loginRates) / median(refRates);
    const { memoryCostKiB: m, timeCost: t, parallelism: p } = ready.argon2;
    const row = (label: string, values: number[], digits = 1) => [
      label,
      fmt(median(values), digits),
      fmt(Math.min(...values), digits),
      fmt(Math.max(...values), digits),
      values.map((v) => fmt(v, digits)).join(' '),
    ];

    const refOther = reference.map((r) => r.otherCores).filter((v): v is number => v !== null);
    const loginOther = signIns.map((r) => r.otherCores).filter((v): v is number => v !== null);
    const paired = signIns.map((load, i) => load.perSecond / reference[i]!.perSecond);
    // If every core is busy with this benchmark only, throughput is cores / CPU per operation, so
    // the ratio cannot exceed CPU per raw verify / CPU per sign-in (server + load generator + database).
    const cpuBound = refCpu / (serverCpu + loaderCpu + databaseCpu);
    const noisy = [...refOther, ...loginOther].some((cores) => cores > 0.25);

    const out = [
      '',
      table([
        ['', 'median', 'min', 'max', 'per round'],
        row('raw argon2id verifies/s', refRates),
        row('sign-ins/s (303 → /account)', loginRates),
        row('CPU ms per raw verify', reference.map((r) => r.cpuMsPerVerify), 2),
        row('CPU ms per sign-in, server', signIns.map((r) => r.serverCpuMsPerSignIn), 2),
        ...(threadValues.length
          ? [
              row('  of which event-loop thread', threadValues.map((t) => t.main), 2),
              row('  of which libuv pool (argon2)', threadValues.map((t) => t.pool), 2),
              row('  of which other threads (V8)', threadValues.map((t) => t.other), 2),
            ]
          : []),
        ...(databaseCpuValues.length ? [row('CPU ms per sign-in, PostgreSQL', databaseCpuValues, 2)] : []),
        row('CPU ms per sign-in, load gen.', signIns.map((r) => r.loaderCpuMsPerSignIn), 2),
        ...(refOther.length ? [row('other processes (cores), raw', refOther, 2)] : []),
        ...(loginOther.length ? [row('other processes (cores), sign-in', loginOther, 2)] : []),
      ]),
      '',
      `ratio (median sign-ins / median raw): ${fmt(ratio * 100)} %  — goal ≥ ${fmt(GOAL * 100, 0)} %: ${ratio >= GOAL ? 'MET' : 'NOT MET'}`,
      `  per round (sign-ins / the raw phase just before): ${paired.map((r) => `${fmt(r * 100)} %`).join(', ')}`,
      `  CPU-time bound (raw verify CPU / sign-in CPU incl. load generator${databaseCpuValues.length ? ' and PostgreSQL' : ''}): ${fmt(cpuBound * 100)} %; hash share of server CPU ${fmt((refCpu / serverCpu) * 100)} %`,
      ...(noisy ? ['  note: other processes used a noticeable share of the CPU during some phases; throughput figures are noisy, CPU-time figures steadier'] : []),
      `sign-in latency: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms (${latencies.length} successful sign-ins measured)`,
      `not signed in: ${Object.keys(other).length ? Object.entries(other).map(([k, v]) => `${k}×${v}`).join(', ') : 'none'}`,
      '',
      table(
        [
          ['engine', ready.engine],
          ['connections', String(settings.connections)],
          ['duration', `${settings.durationSeconds} s per phase (+ ${settings.warmupSeconds} s warm-up), ${settings.rounds} rounds`],
          ['users', String(settings.users)],
          ['argon2id', `m=${m}, t=${t}, p=${p}; reference: ${cores} verifications in flight`],
          ['node', `${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`],
          ['cpu', `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} (availableParallelism ${cores})`],
        ],
        true,
      ),
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    await postgresCpu?.close().catch(() => {});
    await server.stop();
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:login: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
