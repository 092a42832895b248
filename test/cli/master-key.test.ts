// `frontdoor keys rotate-master` as an operator runs it: a real subprocess on both engines. After a
// rotation every wrapped key names the new master key, the accounts read back unchanged (their
// sealed columns were never rewritten), and the old key alone no longer opens anything.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { masterKeyId } from '../../src/adapters/keys/local-key-provider.ts';
import { cliEnvironment, expectOneLineFailure, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines } from '../support/engines.ts';
import { rawRows } from '../support/raw-db.ts';

type Environment = Awaited<ReturnType<typeof cliEnvironment>>;

/** Rows read straight from the database the environment names. */
const rows = (env: Record<string, string>, dataDir: string, query: string) =>
  rawRows(env.DATABASE_URL ? { engine: 'postgres', url: env.DATABASE_URL } : { engine: 'sqlite', file: join(dataDir, 'frontdoor.sqlite') }, query);

describe.each(engines)('frontdoor keys rotate-master (%s)', (engine) => {
  let environment: Environment | undefined;
  afterEach(async () => {
    await environment?.remove();
    environment = undefined;
  });

  async function seed(env: Record<string, string>) {
    json(await frontdoor(env, 'tenant', 'create', 'acme', '--json'));
    const user = json(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'rotate@example.com', '--json'));
    return user.id as string;
  }

  it('embedded: replaces the data dir key, re-wraps every key, and the accounts read back', async () => {
    environment = await cliEnvironment(engine, 'frontdoor-cli-master-');
    const { env, dataDir } = environment;
    const userId = await seed(env);
    const oldKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    // As a rotation cut short before its new key was written leaves the data dir: it starts again.
    writeFileSync(join(dataDir, 'master.key.previous'), `${oldKey}\n`, { mode: 0o600 });
    const sealedBefore = await rows(env, dataDir, `select email, profile from users where id = '${userId}'`);

    const result = json(await frontdoor(env, 'keys', 'rotate-master', '--json'));
    const newKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    expect(newKey).not.toBe(oldKey);
    expect(existsSync(join(dataDir, 'master.key.previous'))).toBe(false);
    const newId = masterKeyId(Buffer.from(newKey, 'base64url'));
    expect(result).toEqual({ master_key: newId, user_keys: 1, system_keys: 1 });
    for (const table of ['user_data_keys', 'system_keys']) {
      const ids = (await rows(env, dataDir, `select key_id from ${table}`)).map((r) => r.key_id);
      expect(ids.length, table).toBeGreaterThan(0);
      expect(new Set(ids), table).toEqual(new Set([newId]));
    }
    // The sealed columns were not touched, and they still open.
    expect(await rows(env, dataDir, `select email, profile from users where id = '${userId}'`)).toEqual(sealedBefore);
    const listed = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--email', 'ROTATE@example.com', '--json'));
    expect(listed.items.map((u: { id: string }) => u.id)).toEqual([userId]);
    // Again: nothing is left to re-wrap.
    expect(json(await frontdoor(env, 'keys', 'rotate-master', '--json'))).toMatchObject({ user_keys: 1, system_keys: 1 });
  }, SLOW);

  it('configured: re-wraps from FRONTDOOR_PREVIOUS_MASTER_KEYS to FRONTDOOR_MASTER_KEY, after which the old key opens nothing', async () => {
    environment = await cliEnvironment(engine, 'frontdoor-cli-master-env-');
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('hex');
    const oldEnv = { ...environment.env, FRONTDOOR_MASTER_KEY: oldKey };
    const newEnv = { ...environment.env, FRONTDOOR_MASTER_KEY: newKey };
    const userId = await seed(oldEnv);

    // The new key alone cannot open what the old one wrapped.
    expect(expectOneLineFailure(await frontdoor(newEnv, 'user', 'list', '--tenant', 'acme'), 1)).toContain('unknown master key');
    // Without the old key named, the command refuses before touching anything.
    expect(expectOneLineFailure(await frontdoor(newEnv, 'keys', 'rotate-master'), 1)).toContain('FRONTDOOR_PREVIOUS_MASTER_KEYS');

    const rotated = await frontdoor({ ...newEnv, FRONTDOOR_PREVIOUS_MASTER_KEYS: oldKey }, 'keys', 'rotate-master');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('Re-wrapped 1 account data key(s) and 1 system key(s)');
    expect(rotated.stdout).not.toContain(oldKey);
    expect(rotated.stdout).not.toContain(newKey);

    const listed = json(await frontdoor(newEnv, 'user', 'list', '--tenant', 'acme', '--json'));
    expect(listed.items.map((u: { id: string; email: string }) => [u.id, u.email])).toEqual([[userId, 'rotate@example.com']]);
    expect(expectOneLineFailure(await frontdoor(oldEnv, 'user', 'list', '--tenant', 'acme'), 1)).toContain('unknown master key');
  }, SLOW);
});
