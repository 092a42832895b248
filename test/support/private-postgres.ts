// A PostgreSQL server of the test's own (Debian's binaries, a fresh data dir, a free loopback
// port), so a test can stop and restart it under load without touching the server every other
// test shares. As root the server runs as the `postgres` user (PostgreSQL refuses root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './server.ts';

const VERSIONS = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
const BIN = VERSIONS.length > 0 ? `/usr/lib/postgresql/${VERSIONS[VERSIONS.length - 1]}/bin` : '';

export const privatePostgresAvailable = () => BIN !== '' && existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'postgres'));

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/frontdoor */
  url: string;
  /** A fast shutdown (SIGINT): connections are cut, the server is gone until start(). */
  stop(): Promise<void>;
  /** Again on the same port and data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
// setpriv execs the server itself (no process in between), so signals reach it directly.
const command = (bin: string, args: string[]): [string, string[]] => (asRoot ? ['/usr/bin/setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', join(BIN, bin), ...args]] : [join(BIN, bin), args]);

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'frontdoor-pg-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  const [initdb, initArgs] = command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    const [postgres, args] = command('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
    child = spawn(postgres, args, { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1000 });
      const up = await client.connect().then(() => true, () => false);
      await client.end().catch(() => undefined);
      if (up) return;
      if (Date.now() > deadline) throw new Error(`private PostgreSQL on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // SIGINT is PostgreSQL's fast shutdown.
    running.kill('SIGINT');
    await exited;
  };
  await start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('create database frontdoor');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/frontdoor`,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
