// `frontdoor cluster`: N identical nodes (`frontdoor start` child processes) on loopback behind our
// balancer, all on one PostgreSQL database and one Redis — the way to try the cluster on one
// machine. The first node starts alone (it migrates the database and, outside production, makes
// the demo tenant, the admin token and the master key in the shared data dir); the others follow.
// A node that exits unexpectedly is started again (after 1 s, backing off to 10 s). The current
// layout (balancer URL, each node's id, pid and URL) is kept in `{data dir}/cluster.json`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBalancer, type Balancer } from './balancer.ts';

const FRONTDOOR_BIN = fileURLToPath(new URL('../../bin/frontdoor.js', import.meta.url));

export interface ClusterOptions {
  nodes: number;
  host: string;
  /** The balancer's port; node i listens on port + i. */
  port: number;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
}

export interface ClusterNode {
  id: string;
  url: string;
  pid: number | null;
}

export interface Cluster {
  url: string;
  balancer: Balancer;
  nodes(): ClusterNode[];
  stop(): Promise<void>;
}

export class ClusterConfigError extends Error {}

/** The cluster's database is made when it does not exist yet (a local PostgreSQL, trust or password auth). */
export async function ensurePostgresDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name || !/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new ClusterConfigError('DATABASE_URL must name its database (letters, digits, _ and -)');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

interface Running {
  id: string;
  port: number;
  child: ChildProcess | null;
  restarts: number;
  stopping: boolean;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { env, log } = options;
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 32) throw new ClusterConfigError('--nodes must be 1 to 32');
  const databaseUrl = env.DATABASE_URL?.trim();
  const redisUrl = env.REDIS_URL?.trim();
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ClusterConfigError('a cluster shares one PostgreSQL database: set DATABASE_URL=postgres://…');
  if (!redisUrl) throw new ClusterConfigError('a cluster shares rate limits, replay caches and change notices through Redis: set REDIS_URL=redis://…');
  await ensurePostgresDatabase(databaseUrl);

  const dataDir = resolve(env.FRONTDOOR_DATA_DIR?.trim() || './data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const publicUrl = env.FRONTDOOR_BASE_URL?.trim() || `http://localhost:${options.port}`;
  const nodes: Running[] = Array.from({ length: options.nodes }, (_, i) => ({ id: `node-${i + 1}`, port: options.port + i + 1, child: null, restarts: 0, stopping: false }));
  const nodeUrl = (n: Running) => `http://127.0.0.1:${n.port}`;
  let balancer: Balancer | null = null;
  let stopping = false;

  const layout = (): ClusterNode[] => nodes.map((n) => ({ id: n.id, url: nodeUrl(n), pid: n.child?.pid ?? null }));
  function writeLayout() {
    const file = join(dataDir, 'cluster.json');
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ balancer: balancer?.url ?? null, public_url: publicUrl, nodes: layout() }, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  function prefixLines(stream: NodeJS.ReadableStream, id: string) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) log(`[${id}] ${line}`);
    });
  }

  function launch(node: Running): ChildProcess {
    const child = spawn(process.execPath, [FRONTDOOR_BIN, 'start'], {
      env: {
        ...env,
        PORT: String(node.port),
        HOST: '127.0.0.1',
        FRONTDOOR_BASE_URL: publicUrl,
        FRONTDOOR_DATA_DIR: dataDir,
        FRONTDOOR_TRUST_PROXY: 'true',
        // The readiness checks every half second would fill an info-level log.
        LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
        ...(node === nodes[0] ? {} : { FRONTDOOR_BANNER: 'off' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.child = child;
    prefixLines(child.stdout!, node.id);
    prefixLines(child.stderr!, node.id);
    child.once('exit', (code, signal) => {
      node.child = null;
      writeLayout();
      if (stopping || node.stopping) return;
      node.restarts += 1;
      const delay = Math.min(10_000, 1000 * 2 ** Math.min(node.restarts - 1, 4));
      log(`[cluster] ${node.id} exited (${signal ?? `code ${code}`}); starting it again in ${delay / 1000} s`);
      setTimeout(() => {
        if (!stopping) {
          launch(node);
          writeLayout();
        }
      }, delay).unref();
    });
    return child;
  }

  async function ready(node: Running, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!node.child) throw new Error(`${node.id} exited while starting`);
      const ok = await fetch(`${nodeUrl(node)}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${node.id} did not become ready within ${timeoutMs / 1000} s`);
  }

  async function stop() {
    if (stopping) return;
    stopping = true;
    await balancer?.close();
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolveStop) => {
            const child = node.child;
            if (!child) return resolveStop();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolveStop();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  try {
    // The first node alone: migrations and first-start setup must not race.
    launch(nodes[0]!);
    await ready(nodes[0]!, 60_000);
    for (const node of nodes.slice(1)) launch(node);
    await Promise.all(nodes.slice(1).map((node) => ready(node, 60_000)));
    balancer = await startBalancer({ host: options.host, port: options.port, nodes: nodes.map((n) => ({ id: n.id, url: nodeUrl(n) })) });
    writeLayout();
  } catch (error) {
    await stop();
    throw error;
  }
  log(`[cluster] ${nodes.length} node${nodes.length === 1 ? '' : 's'} behind ${balancer.url} (public URL ${publicUrl}); layout in ${join(dataDir, 'cluster.json')}`);
  return { url: balancer.url, balancer, nodes: layout, stop };
}
