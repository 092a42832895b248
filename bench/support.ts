// What the benchmark runners and their server processes share: JSON lines from a child process,
// a free loopback port, and a throwaway PostgreSQL database.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import pg from 'pg';

/** JSON lines from a child's stdout, one at a time; other lines are ignored. */
export class JsonLines {
  private readonly queue: unknown[] = [];
  private waiter: { resolve: (value: unknown) => void; reject: (error: Error) => void } | null = null;
  private ended: Error | null = null;

  constructor(child: ChildProcess, what: string) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const value: unknown = JSON.parse(line);
      if (this.waiter) {
        this.waiter.resolve(value);
        this.waiter = null;
      } else this.queue.push(value);
    });
    // stdout closes after its last line has been read, so nothing is lost to an early exit event.
    lines.once('close', () => {
      this.ended = new Error(`${what} ended (exit code ${child.exitCode ?? 'unknown'}) before reporting`);
      this.waiter?.reject(this.ended);
      this.waiter = null;
    });
  }

  next<T>(timeoutMs: number, what: string): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift() as T);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`${what}: no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** A fresh database on the server BENCH_DATABASE_URL points at; `drop` removes it. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `frontdoor_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Cleanup for a benchmark server process: `cleanups` run in reverse order (each failure reported,
 * none skipped) when `stop` is called, on SIGTERM/SIGINT, or when stdin ends (the runner is done,
 * or died); then the process exits.
 */
export function stopWithCleanups(what: string): { cleanups: (() => Promise<void> | void)[]; stop: (code: number) => Promise<void> } {
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | null = null;
  const stop = (code: number) => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          process.stderr.write(`${what}: cleanup failed: ${(error as Error).message}\n`);
        }
      }
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.stdin.on('end', () => void stop(0));
  return { cleanups, stop };
}
