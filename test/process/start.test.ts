// `npm start` as a newcomer runs it: the real command in a child process, on a fresh data dir.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server.ts';

const BIN = join(process.cwd(), 'bin/frontdoor.js');

async function start(dataDir: string, port: number): Promise<{ child: ChildProcessWithoutNullStreams; stdout: () => string }> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { PATH: process.env.PATH ?? '', FRONTDOOR_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 300 && !out.includes('Frontdoor is running'); i += 1) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!out.includes('Frontdoor is running')) throw new Error(`server did not start:\n${out}`);
  // The banner is printed after listen; give the rest of it a moment to flush.
  await new Promise((r) => setTimeout(r, 200));
  return { child, stdout: () => out };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

describe('frontdoor start on a fresh machine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the URLs and a one-time admin token, serves the demo tenant, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const first = await start(dataDir, port);
    const out = first.stdout();
    expect(out).toContain(`http://localhost:${port}/t/demo/register`);
    expect(out).toContain(`http://localhost:${port}/dev/mailbox`);
    const token = /\n\s+(fda_[A-Za-z0-9_-]+)\n/.exec(out)?.[1];
    expect(token).toBeDefined();
    const tokenFile = join(dataDir, 'admin-token');
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const page = await fetch(`http://localhost:${port}/t/demo/register`);
    expect(page.status).toBe(200);
    const users = await fetch(`http://localhost:${port}/admin/api/v1/tenants/demo/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(users.status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    // A second start keeps the data and does not print a new admin token.
    const second = await start(dataDir, port);
    expect(second.stdout()).not.toMatch(/fda_/);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 60_000);

  it('refuses a bad setting with one line naming it', async () => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env.PATH ?? '', FRONTDOOR_DATA_DIR: dataDir, PORT: 'eighty' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child as ChildProcessWithoutNullStreams)).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('PORT');
  });
});
