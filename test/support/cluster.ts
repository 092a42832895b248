// `frontdoor cluster` as a user starts it, in a child process, for the failure tests: N nodes
// behind our balancer on a fresh PostgreSQL database and the given Redis. The layout (pids, node
// URLs) is read from the cluster.json the supervisor writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.ts';
import { createPostgresDatabase } from './engines.ts';
import { freePort } from './server.ts';

export interface ClusterLayout {
  balancer: string;
  nodes: { id: string; url: string; pid: number | null }[];
}

export interface TestCluster {
  url: string;
  databaseUrl: string;
  adminToken: string;
  layout(): ClusterLayout;
  /** Output of the supervisor and its nodes so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A base port with `count` free ports after it (the nodes listen on base + i). */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const probes = await Promise.all(Array.from({ length: count + 1 }, (_, i) => portFree(base + i)));
    if (probes.every(Boolean)) return base;
  }
  return freePort();
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function startTestCluster(options: { nodes: number; redisUrl: string; databaseUrl?: string; env?: Record<string, string> }): Promise<TestCluster> {
  // A fresh database on the shared server, unless the test brings a server of its own.
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-cluster-'));
  const port = await freePortRun(options.nodes);
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [BIN, 'cluster', '--nodes', String(options.nodes), '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: database.url, REDIS_URL: options.redisUrl, FRONTDOOR_DATA_DIR: dataDir, FRONTDOOR_BASE_URL: `http://localhost:${port}`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const layoutFile = join(dataDir, 'cluster.json');
  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    // Nodes left behind by a supervisor that died are not ours to keep.
    if (existsSync(layoutFile)) {
      for (const node of (JSON.parse(readFileSync(layoutFile, 'utf8')) as ClusterLayout).nodes) {
        if (node.pid) {
          try {
            process.kill(node.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  };

  const deadline = Date.now() + 120_000;
  while (!existsSync(layoutFile)) {
    if (gone || Date.now() > deadline) {
      await stop();
      throw new Error(`frontdoor cluster did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const layout = () => JSON.parse(readFileSync(layoutFile, 'utf8')) as ClusterLayout;
  return { url: `http://localhost:${port}`, databaseUrl: database.url, adminToken: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), layout, output: () => output, stop };
}

/** Polls until `condition` holds (every 100 ms); fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Customers `{prefix}.{i}@example.org` with `password`, made through the cluster's admin API. */
export async function createCustomers(cluster: TestCluster, prefix: string, count: number, password: string): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const created = await fetch(`${cluster.url}/admin/api/v1/tenants/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${prefix}.${i}@example.org`, password, email_verified: true }),
    });
    if (created.status !== 201) throw new Error(`creating ${prefix}.${i}: ${created.status} ${await created.text()}`);
  }
}
