// The server half of `npm run bench:login`, run as its own process so the load generator never
// shares an event loop with it. Starts a real Frontdoor (the same composition as `npm start`) on a
// free loopback port — SQLite in a temporary data dir, or a fresh PostgreSQL database when
// BENCH_DATABASE_URL names an admin connection — creates BENCH_USERS verified users with one strong
// password, prints one JSON line `{"port":…,"users":[…],…}` on stdout when ready, and cleans up
// (database, data dir) when stdin closes or on SIGTERM/SIGINT. A `cpu` line on stdin is answered
// with `{"cpu":{"user":µs,"system":µs},"threads":{main,pool,other ms}|null}`, so the runner can tell what a sign-in costs in CPU time;
// `profile-start` and `profile-stop <file>` write a CPU profile of the main thread (BENCH_PROFILE_DIR).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServices } from '../src/app.ts';
import { firstStart } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { cliContext } from '../src/core/context.ts';
import type { RateLimiter, RateLimitResult } from '../src/core/ports.ts';
import { createUser } from '../src/core/users/user-admin.ts';
import { buildServer } from '../src/http/server.ts';
import { threadCpuMs } from './machine.ts';
import { createPostgresDatabase, freePort, stopWithCleanups } from './support.ts';

const BENCH_PASSWORD = 'Quartz-Lantern-Orchard-5821';

/** The line this process prints once the server accepts sign-ins. */
export interface ReadyLine {
  port: number;
  engine: string;
  users: string[];
  password: string;
  argon2: { memoryCostKiB: number; timeCost: number; parallelism: number };
  pid: number;
  /** Name of the temporary PostgreSQL database; null on SQLite. */
  database: string | null;
}

// BENCH-ONLY CHOICE: a rate limiter that always allows. The sign-in path throttles per IP (30/min)
// and per account (60/15 min); from one loopback IP at ~100 sign-ins/s almost every request would be
// a cheap 429. This benchmark measures how close full sign-ins get to the raw argon2id rate, not the
// throttle, so the throttle is switched off here — and only here. Never use this outside bench/.
const allowEverything: RateLimiter = {
  async hit(): Promise<RateLimitResult> {
    return { allowed: true, retryAfterSeconds: 0, count: 0 };
  },
  async peek(): Promise<RateLimitResult> {
    return { allowed: true, retryAfterSeconds: 0, count: 0 };
  },
  async reset(): Promise<void> {},
  async distinct(): Promise<number> {
    return 0;
  },
};

function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const userCount = wholeNumber('BENCH_USERS', 200, 1, 100_000);
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || null;

  const { cleanups, stop } = stopWithCleanups('bench server');
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // Commands on stdin, each answered with one JSON line: `cpu` (this process's CPU time so far, in
  // all and by thread kind); `profile-start` / `profile-stop <file>` (a CPU profile of the main
  // thread, for BENCH_PROFILE_DIR).
  const profiler = new Session();
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim().split(/\s/, 1)[0] ?? '';
    const argument = line.trim().slice(command.length).trim();
    const answer = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
    if (command === 'cpu') answer({ cpu: process.cpuUsage(), threads: threadCpuMs() });
    else if (command === 'profile-start') {
      profiler.connect();
      void profiler
        .post('Profiler.enable')
        .then(() => profiler.post('Profiler.start'))
        .then(() => answer({ profiling: true }));
    } else if (command === 'profile-stop' && argument) {
      void profiler.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(argument, JSON.stringify(profile));
        profiler.disconnect();
        answer({ profile: argument });
      });
    }
  });

  try {
    const database = adminUrl ? await createPostgresDatabase(adminUrl) : null;
    if (database) cleanups.push(database.drop);
    const port = await freePort();
    const config = loadConfig({
      // What `npm start` runs on a developer machine, minus the logs (they would be the bottleneck).
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      HOST: '127.0.0.1',
      FRONTDOOR_DATA_DIR: dataDir,
      FRONTDOOR_BASE_URL: `http://localhost:${port}`,
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    const services = await createServices(config, { limiter: allowEverything });
    cleanups.push(() => services.close());
    await firstStart(services);
    const tenant = await services.store.tenants.get('demo');
    if (!tenant) throw new Error('first start did not create tenant "demo"');

    // Each user gets its own salt, so every sign-in is a real verification of a distinct hash.
    const users = Array.from({ length: userCount }, (_, i) => `bench.user.${i}@example.com`);
    const batch = 16; // below the hasher's queue bound (64)
    for (let i = 0; i < users.length; i += batch) {
      await Promise.all(users.slice(i, i + batch).map((email) => createUser(services, { tenant, email, password: BENCH_PASSWORD, verified: true }, cliContext)));
    }

    const { app } = await buildServer(services, { logger: false });
    cleanups.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port });

    const ready: ReadyLine = { port, engine: services.engine, users, password: BENCH_PASSWORD, argon2: config.argon2, pid: process.pid, database: database?.name ?? null };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } catch (error) {
    process.stderr.write(`bench server: ${(error as Error).stack ?? String(error)}\n`);
    await stop(1);
  }
}

await main();
