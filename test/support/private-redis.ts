// A Redis server of the test's own on a free loopback port (Debian's redis-server), so a test can
// stop and start it without touching the Redis every other test shares.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './server.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: gone at once, as a crash. */
  kill(): Promise<void>;
  /** Again on the same port (empty: it keeps nothing). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export const privateRedisAvailable = () => existsSync(REDIS_SERVER);

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused while it starts: expected
      const up = await probe.connect().then(() => probe.ping().then(() => true), () => false);
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, close: kill };
}
