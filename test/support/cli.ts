// Runs the `frontdoor` command as an operator does: a real subprocess (bin/frontdoor.js) with only
// the environment the test gives it, plus the CLI's output contracts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createPostgresDatabase, type TestEngine } from './engines.ts';

export const BIN = fileURLToPath(new URL('../../bin/frontdoor.js', import.meta.url));
// Each run is a fresh Node process opening the database; a loaded machine needs room.
export const SLOW = 180_000;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function frontdoor(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // Only what the command needs: nothing from the test runner's environment leaks in.
      { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** The failure contract: exit code, exactly one line on stderr starting "frontdoor: ", nothing on stdout. */
export function expectOneLineFailure(run: Run, code: number): string {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^frontdoor: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
  return run.stderr;
}

/** A successful --json run: exit 0, nothing on stderr, the parsed output. */
export function json(run: Run): any {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

/**
 * What a CLI test runs against: a fresh data directory, and for PostgreSQL a fresh database named
 * by DATABASE_URL. `env` is what to pass to `frontdoor`; `remove` drops both.
 */
export async function cliEnvironment(engine: TestEngine, prefix: string): Promise<{ env: Record<string, string>; dataDir: string; remove: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const env: Record<string, string> = { FRONTDOOR_DATA_DIR: dataDir };
  let drop: (() => Promise<void>) | undefined;
  if (engine === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    drop = database.drop;
  }
  return {
    env,
    dataDir,
    remove: async () => {
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
