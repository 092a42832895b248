// `frontdoor keys rotate|list` as an operator runs them: a real subprocess against the database named
// by its environment, on both engines; bad input is one stderr line and exit code 1.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, expectOneLineFailure, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines, type TestEngine } from '../support/engines.ts';

/** Private JWK members (EC/OKP `d`, RSA `p`, `q`, `dp`, `dq`, `qi`) must never be printed. */
function expectNoPrivateMaterial(text: string) {
  expect(text).not.toMatch(/"(d|p|q|dp|dq|qi|private_jwk)"\s*:/);
  expect(text).not.toMatch(/\bv1\.[\w-]{16}\.[\w-]{22}\.[\w-]+/); // no sealed key either
}

describe('frontdoor keys: help and bad input', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-cli-keys-'));
    env = { FRONTDOOR_DATA_DIR: dataDir };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints usage for the group and each command, lists them at the top, and refuses bad options with one line', async () => {
    const [top, group, rotateHelp, listHelp, badAlg, noTenant, listNoTenant, extra] = await Promise.all([
      frontdoor(env, '--help'),
      frontdoor(env, 'keys', '--help'),
      frontdoor(env, 'keys', 'rotate', '--help'),
      frontdoor(env, 'keys', 'list', '--help'),
      frontdoor(env, 'keys', 'rotate', '--tenant', 'acme', '--alg', 'HS256'),
      frontdoor(env, 'keys', 'rotate'),
      frontdoor(env, 'keys', 'list', '--alg', 'ES256'),
      frontdoor(env, 'keys', 'list', '--tenant', 'acme', 'extra'),
    ]);
    for (const run of [top, group, rotateHelp, listHelp]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Usage: frontdoor /);
    }
    expect(top.stdout).toContain('keys rotate');
    expect(top.stdout).toContain('keys list');
    expect(rotateHelp.stdout).toContain('--alg');
    expect(expectOneLineFailure(badAlg, 1)).toContain('--alg must be one of ES256, EdDSA, RS256');
    expect(expectOneLineFailure(noTenant, 1)).toContain('--tenant');
    expect(expectOneLineFailure(listNoTenant, 1)).toContain('--alg'); // unknown option for list
    expect(expectOneLineFailure(extra, 1)).toContain('extra');
    // Refused before any database was opened.
    expect(readdirSync(dataDir)).toEqual([]);
  }, SLOW);
});

describe.each(engines)('frontdoor keys against %s', (engine: TestEngine) => {
  let dataDir: string;
  let env: Record<string, string>;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, dataDir, remove } = await cliEnvironment(engine, 'frontdoor-cli-keys-'));
    const created = await frontdoor(env, 'tenant', 'create', 'acme');
    expect(created.code, created.stderr).toBe(0);
  }, SLOW);
  afterAll(async () => {
    await remove?.();
  }, SLOW);

  it('rotates and lists keys without printing private material', async () => {
    const empty = await frontdoor(env, 'keys', 'list', '--tenant', 'acme');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no signing keys yet');
    expect(json(await frontdoor(env, 'keys', 'list', '--tenant', 'acme', '--json'))).toEqual({ items: [] });

    const firstRun = await frontdoor(env, 'keys', 'rotate', '--tenant', 'acme', '--json');
    expectNoPrivateMaterial(firstRun.stdout);
    const first = json(firstRun);
    expect(first).toEqual({ tenant: 'acme', alg: 'ES256', active: expect.any(String), retired: expect.any(String), retire_after: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), next: expect.any(String) });

    const listRun = await frontdoor(env, 'keys', 'list', '--tenant', 'acme', '--json');
    expectNoPrivateMaterial(listRun.stdout);
    const listed = json(listRun).items as { kid: string; alg: string; status: string; created_at: string; retire_after: string | null }[];
    expect(listed.map((k) => [k.alg, k.status])).toEqual([
      ['ES256', 'active'],
      ['EdDSA', 'active'],
      ['RS256', 'active'],
      ['ES256', 'next'],
      ['EdDSA', 'next'],
      ['RS256', 'next'],
      ['ES256', 'retired'],
    ]);
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['activated_at', 'alg', 'created_at', 'kid', 'retire_after', 'status']);
    expect(listed.find((k) => k.status === 'active' && k.alg === 'ES256')?.kid).toBe(first.active);
    expect(listed.find((k) => k.status === 'next' && k.alg === 'ES256')?.kid).toBe(first.next);
    expect(listed.find((k) => k.status === 'retired')).toMatchObject({ kid: first.retired, retire_after: first.retire_after });

    // The second rotation promotes the key the first one published as next.
    const second = await frontdoor(env, 'keys', 'rotate', '--tenant', 'acme');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`active   ${first.next} (was next)`);
    expect(second.stdout).toContain(`retired  ${first.active}`);
    expectNoPrivateMaterial(second.stdout);

    const rsa = json(await frontdoor(env, 'keys', 'rotate', '--tenant', 'acme', '--alg', 'RS256', '--json'));
    expect(rsa.alg).toBe('RS256');
    expect(rsa.active).toBe(listed.find((k) => k.status === 'next' && k.alg === 'RS256')?.kid);

    const human = await frontdoor(env, 'keys', 'list', '--tenant', 'acme');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^KID\s+ALG\s+STATUS\s+CREATED\s+RETIRE AFTER\n/);
    expect(human.stdout).toMatch(new RegExp(`${first.next}\\s+ES256\\s+active`));
    expectNoPrivateMaterial(human.stdout);

    expect(expectOneLineFailure(await frontdoor(env, 'keys', 'rotate', '--tenant', 'nope'), 1)).toContain('tenant.not_found');
    expect(expectOneLineFailure(await frontdoor(env, 'keys', 'list', '--tenant', 'nope'), 1)).toContain('tenant.not_found');
  }, SLOW);
});
