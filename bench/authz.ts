// `npm run bench:authz`: the check API's decisions, in-process and over HTTP, on a tenant loaded with
// BENCH_USERS users (100,000), 1,000 roles, 100 groups and 10,000 organizations with their members
// (bench/authz-server.ts, its own process).
//
//   in-process  `access.check` for random users and actions, p50/p99/p99.9, against the plain account
//               read each decision makes (the reference, measured in the same loop)
//   HTTP        autocannon in this process against POST /t/demo/authz/check (user, action, amount;
//               client credentials), two ways:
//                 cold  every request for a user not asked about before (the first 80% of the
//                       users, walked once across all rounds): nothing cached, every decision reads
//                       the account and its roles
//                 warm  the other 20% (20,000 users) as a working set, each asked about again
//                       every few seconds, after one untimed lap over them: the decision cache's
//                       steady state (an entry is kept up to 30 s, core/authz/access.ts)
//               against GET /healthz on the same server (the reference: what Fastify and the
//               loopback cost with no work) and against the same route deciding nothing (/bench/…:
//               what authentication, validation and serialization cost), alternating per round;
//               checks per second, and the server's CPU time per check (checks per CPU-second is
//               the "per core" figure: the server's JavaScript runs on one thread)
// Goals (issue 7): p99 under 2 ms in-process; at least 5,000 checks/s per core over HTTP.
// Settings (env): BENCH_USERS (100000), BENCH_CHECKS (50000), BENCH_DURATION_SECONDS (10),
// BENCH_CONNECTIONS (8), BENCH_ROUNDS (3), BENCH_DATABASE_URL (PostgreSQL admin URL; default SQLite).
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request } from 'autocannon';
import type { AuthzReady } from './authz-server.ts';
import { processCpuMs } from './machine.ts';
import { JsonLines } from './support.ts';

const env = (name: string, fallback: number) => {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench:authz: ${name} must be a positive whole number\n`);
    process.exit(2);
  }
  return value;
};
const settings = {
  users: env('BENCH_USERS', 100_000),
  checks: env('BENCH_CHECKS', 50_000),
  durationSeconds: env('BENCH_DURATION_SECONDS', 10),
  connections: env('BENCH_CONNECTIONS', 8),
  rounds: env('BENCH_ROUNDS', 3),
  databaseUrl: process.env.BENCH_DATABASE_URL?.trim() || null,
};
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The next cold user: each used once across all rounds (wraps only past 80% of the users). */
let coldCursor = 0;

async function measure(ready: AuthzReady, what: 'cold' | 'warm' | 'route' | 'healthz', amount?: number): Promise<{ perSecond: number; cpuMicros: number | null; bad: number }> {
  const base = `http://127.0.0.1:${ready.port}`;
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(ready.clientId)}:${encodeURIComponent(ready.secret)}`).toString('base64')}`;
  let ok = 0;
  let bad = 0;
  let firstBad: string | null = null;
  let n = 0;
  const warmFrom = Math.floor(ready.userIds.length * 0.8);
  const warmIds = ready.userIds.slice(warmFrom);
  const subject = () => (what === 'cold' ? ready.userIds[coldCursor++ % warmFrom] : warmIds[(n * 7919) % warmIds.length]);
  const requests: Request[] =
    what !== 'healthz'
      ? [
          {
            method: 'POST',
            // `route`: the same route deciding nothing (bench/authz-server.ts), what the route itself costs.
            path: what === 'route' ? '/bench/t/demo/authz/check' : '/t/demo/authz/check',
            setupRequest: (request) => {
              n += 1;
              const body = JSON.stringify({ subject: subject(), action: ready.scopes[(n * 31) % ready.scopes.length], resource: { amount: (n * 37) % 2000 }, context: { acr: 'pwd' } });
              return { ...request, headers: { authorization, 'content-type': 'application/json' }, body };
            },
            onResponse: (status, text) => {
              if (status === 200 && text.includes('"allowed"')) ok += 1;
              else {
                bad += 1;
                firstBad ??= `${status} ${text.slice(0, 200)}`;
              }
            },
          },
        ]
      : [{ method: 'GET', path: '/healthz', onResponse: (status) => (status === 200 ? (ok += 1) : (bad += 1)) }];
  const cpuBefore = processCpuMs(ready.pid);
  const result = await autocannon({ url: base, connections: settings.connections, ...(amount ? { amount } : { duration: settings.durationSeconds }), requests });
  const cpuAfter = processCpuMs(ready.pid);
  if (firstBad) log(`  first wrong answer: ${firstBad}`);
  return { perSecond: ok / (result.duration ?? settings.durationSeconds), cpuMicros: cpuBefore !== null && cpuAfter !== null && ok > 0 ? ((cpuAfter - cpuBefore) * 1000) / ok : null, bad: bad + (result.errors ?? 0) };
}

async function main(): Promise<void> {
  log(`bench:authz — ${settings.users} users, 1,000 roles, 100 groups, 10,000 organizations; ${settings.databaseUrl ? 'PostgreSQL' : 'SQLite'}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./authz-server.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_USERS: String(settings.users), BENCH_CHECKS: String(settings.checks), ...(settings.databaseUrl ? { BENCH_DATABASE_URL: settings.databaseUrl } : {}) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const ready = await new JsonLines(child, 'bench/authz-server.ts').next<AuthzReady>(1_800_000, 'authz server start');
    log(`  loaded in ${ready.seedSeconds.toFixed(1)} s (${ready.organizations} organizations, ${ready.memberships} memberships)`);
    const checks: { perSecond: number; cpuMicros: number | null }[] = [];
    const colds: { perSecond: number; cpuMicros: number | null }[] = [];
    const references: { perSecond: number; cpuMicros: number | null }[] = [];
    const routes: { perSecond: number; cpuMicros: number | null }[] = [];
    const each = (m: { perSecond: number; cpuMicros: number | null }) => `${m.perSecond.toFixed(0)}/s (${m.cpuMicros?.toFixed(0) ?? '?'} µs CPU each)`;
    for (let round = 0; round < settings.rounds; round += 1) {
      const reference = await measure(ready, 'healthz');
      const route = await measure(ready, 'route');
      const cold = await measure(ready, 'cold');
      // One lap over the working set, untimed, then the timed run over it.
      const lap = await measure(ready, 'warm', Math.ceil(ready.userIds.length * 0.2));
      const check = await measure(ready, 'warm');
      const bad = check.bad + cold.bad + lap.bad + route.bad;
      log(`  round ${round + 1}: warm check ${each(check)}, cold check ${each(cold)}, route deciding nothing ${each(route)}, healthz ${each(reference)}${bad ? `, ${bad} bad` : ''}`);
      if (bad > 0) throw new Error('wrong answers from the check API');
      checks.push(check);
      colds.push(cold);
      references.push(reference);
      routes.push(route);
    }
    const cpu = checks.map((c) => c.cpuMicros).filter((c): c is number => c !== null);
    const perCpuSecond = cpu.length ? 1e6 / median(cpu) : null;
    const referenceCpu = references.map((r) => r.cpuMicros).filter((c): c is number => c !== null);
    const routeCpu = routes.map((r) => r.cpuMicros).filter((c): c is number => c !== null);
    const coldCpu = colds.map((r) => r.cpuMicros).filter((c): c is number => c !== null);
    const summary = {
      engine: settings.databaseUrl ? 'postgres' : 'sqlite',
      users: settings.users,
      roles: 1000,
      groups: 100,
      organizations: ready.organizations,
      memberships: ready.memberships,
      inProcess: ready.inProcess,
      inProcessP99OverRead: ready.inProcess.check.p99 / ready.inProcess.read.p99,
      http: {
        connections: settings.connections,
        checksPerSecond: median(checks.map((c) => c.perSecond)),
        healthzPerSecond: median(references.map((r) => r.perSecond)),
        checkCpuMicros: cpu.length ? median(cpu) : null,
        healthzCpuMicros: referenceCpu.length ? median(referenceCpu) : null,
        routeOnlyPerSecond: median(routes.map((r) => r.perSecond)),
        routeOnlyCpuMicros: routeCpu.length ? median(routeCpu) : null,
        checksPerCpuSecond: perCpuSecond,
        coldChecksPerSecond: median(colds.map((c) => c.perSecond)),
        coldCheckCpuMicros: coldCpu.length ? median(coldCpu) : null,
        coldChecksPerCpuSecond: coldCpu.length ? 1e6 / median(coldCpu) : null,
      },
      ratioToHealthz: median(checks.map((c) => c.perSecond)) / median(references.map((r) => r.perSecond)),
      goals: { inProcessP99Under2ms: ready.inProcess.check.p99 < 2, atLeast5000PerCore: perCpuSecond !== null && perCpuSecond >= 5000 },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

await main();
