// The `frontdoor` command as an operator runs it: a real subprocess (bin/frontdoor.js) against the
// database named by its environment, human output by default, --json for machines, and one stderr
// line with a non-zero exit code for every kind of bad input.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, expectOneLineFailure, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines, type TestEngine } from '../support/engines.ts';

const PASSWORD = 'a long and unremarkable passphrase';

describe('frontdoor CLI: help and bad input', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-cli-'));
    env = { FRONTDOOR_DATA_DIR: dataDir };
  }, SLOW);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints usage for --help at the top, for each group and for each command, and exits 0', async () => {
    const invocations = [
      ['--help'],
      ['-h'],
      ['tenant', '--help'],
      ['user', '--help'],
      ['admin', '--help'],
      ['start', '--help'],
      ['migrate', '--help'],
      ['tenant', 'create', '--help'],
      ['tenant', 'list', '--help'],
      ['app', 'create', '--help'],
      ['user', 'create', '--help'],
      ['user', 'list', '--help'],
      ['user', 'disable', '--help'],
      ['user', 'enable', '--help'],
      ['user', 'delete', '--help'],
      ['admin', 'bootstrap', '--help'],
      ['admin', 'token', 'create', '--help'],
    ];
    const runs = await Promise.all(invocations.map((args) => frontdoor(env, ...args)));
    runs.forEach((run, i) => {
      const label = invocations[i]?.join(' ');
      expect(run.code, label).toBe(0);
      expect(run.stderr, label).toBe('');
      expect(run.stdout, label).toMatch(/^Usage: frontdoor /);
    });
    const top = runs[0]?.stdout ?? '';
    for (const command of ['start', 'migrate', 'tenant create', 'app create', 'user create', 'user list', 'admin bootstrap']) expect(top).toContain(command);
    expect(runs[9]?.stdout).toContain('--redirect-uri');
    // Help needs no database: nothing was created in the data directory.
    expect(readdirSync(dataDir)).toEqual([]);
  }, SLOW);

  it('answers bad command lines with one stderr line and exit code 1', async () => {
    const [noCommand, unknownCommand, unknownSub, badFlag, missingTenant, missingId, extraArg, badLimit] = await Promise.all([
      frontdoor(env),
      frontdoor(env, 'frobnicate'),
      frontdoor(env, 'tenant', 'destroy'),
      frontdoor(env, 'tenant', 'create', 'acme', '--colour', 'red'),
      frontdoor(env, 'app', 'create', '--name', 'x', '--redirect-uri', 'https://a.example/cb'),
      frontdoor(env, 'tenant', 'create'),
      frontdoor(env, 'tenant', 'list', 'extra'),
      frontdoor(env, 'user', 'list', '--tenant', 'demo', '--limit', 'many'),
    ]);
    expect(expectOneLineFailure(noCommand, 1)).toContain('missing command');
    expect(expectOneLineFailure(unknownCommand, 1)).toContain('frobnicate');
    expect(expectOneLineFailure(unknownSub, 1)).toContain('tenant destroy');
    expect(expectOneLineFailure(badFlag, 1)).toContain('--colour');
    expect(expectOneLineFailure(missingTenant, 1)).toContain('--tenant');
    expect(expectOneLineFailure(missingId, 1)).toContain('<id>');
    expect(expectOneLineFailure(extraArg, 1)).toContain('extra');
    expect(expectOneLineFailure(badLimit, 1)).toContain('--limit');
    // Refused before any database was opened.
    expect(readdirSync(dataDir)).toEqual([]);
  }, SLOW);

  it('answers a bad environment with one line naming the variable and exit code 2', async () => {
    const [port, dbUrl] = await Promise.all([
      frontdoor({ ...env, PORT: 'abc' }, 'tenant', 'list'),
      frontdoor({ ...env, DATABASE_URL: 'mysql://localhost/x' }, 'migrate'),
    ]);
    expect(expectOneLineFailure(port, 2)).toContain('PORT');
    expect(expectOneLineFailure(dbUrl, 2)).toContain('DATABASE_URL');
  }, SLOW);
});

describe.each(engines)('frontdoor CLI against %s', (engine: TestEngine) => {
  let dataDir: string;
  let env: Record<string, string>;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, dataDir, remove } = await cliEnvironment(engine, 'frontdoor-cli-'));
  }, SLOW);
  afterAll(async () => {
    await remove?.();
  }, SLOW);

  it('migrates, then has nothing left to apply', async () => {
    const first = json(await frontdoor(env, 'migrate', '--json'));
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await frontdoor(env, 'migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');
  }, SLOW);

  it('creates and lists tenants, refusing a duplicate with one line', async () => {
    const created = await frontdoor(env, 'tenant', 'create', 'acme', '--name', 'Acme Inc');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('acme');
    expect(json(await frontdoor(env, 'tenant', 'create', 'shop', '--json'))).toMatchObject({ id: 'shop', name: 'shop', created_at: expect.any(String) });

    const listed = json(await frontdoor(env, 'tenant', 'list', '--json'));
    expect(listed.items.map((t: { id: string }) => t.id)).toEqual(['acme', 'shop']);
    const human = await frontdoor(env, 'tenant', 'list');
    expect(human.stdout).toMatch(/acme\s+Acme Inc/);

    expect(expectOneLineFailure(await frontdoor(env, 'tenant', 'create', 'acme'), 1)).toContain('tenant.exists');
    expect(expectOneLineFailure(await frontdoor(env, 'tenant', 'create', 'Not_Valid'), 1)).toContain('request.invalid');
  }, SLOW);

  it('creates applications: --json has client_id and client_secret (null for public clients)', async () => {
    const confidential = json(
      await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'Web', '--redirect-uri', 'https://web.example/cb', '--redirect-uri', 'https://web.example/cb2', '--post-logout-redirect-uri', 'https://web.example/', '--grant-type', 'authorization_code', '--grant-type', 'client_credentials', '--json'),
    );
    expect(confidential).toMatchObject({
      id: expect.stringMatching(/^app_/),
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uris: ['https://web.example/cb', 'https://web.example/cb2'],
      post_logout_redirect_uris: ['https://web.example/'],
      grant_types: ['authorization_code', 'client_credentials'],
      public: false,
    });
    expect(confidential).not.toHaveProperty('secret_hash');

    const spa = json(await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'SPA', '--public', '--redirect-uri', 'http://localhost:5173/cb', '--json'));
    expect(spa).toMatchObject({ public: true, client_secret: null });

    const human = await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'Human', '--redirect-uri', 'https://h.example/cb');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/client_id:\s+\S+/);
    expect(human.stdout).toMatch(/client_secret:\s+\S+/);

    expect(expectOneLineFailure(await frontdoor(env, 'app', 'create', '--tenant', 'nope', '--name', 'x', '--redirect-uri', 'https://a.example/cb'), 1)).toContain('tenant.not_found');
    expect(expectOneLineFailure(await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'x', '--redirect-uri', 'http://evil.example/cb'), 1)).toContain('redirect_uris');
  }, SLOW);

  it('creates, lists, disables, enables and deletes users', async () => {
    const ann = json(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'Ann@Example.com', '--password', PASSWORD, '--verified', '--json'));
    expect(ann).toMatchObject({ id: expect.stringMatching(/^usr_/), email: 'ann@example.com', email_verified: true, status: 'active' });
    expect(JSON.stringify(ann)).not.toMatch(/argon2|password/);
    const bob = json(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'bob@example.com', '--json'));
    expect(bob).toMatchObject({ status: 'pending', email_verified: false });

    expect(expectOneLineFailure(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'ANN@example.com'), 1)).toContain('user.exists');
    expect(expectOneLineFailure(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'c@example.com', '--password', 'short'), 1)).toContain('password.too_short');
    expect(expectOneLineFailure(await frontdoor(env, 'user', 'create', '--tenant', 'acme', '--email', 'not-an-email'), 1)).toContain('email.invalid');

    const all = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--json'));
    expect(all.items.map((u: { email: string }) => u.email)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(all.next_cursor).toBeNull();
    const search = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--email', 'BOB@Example.com', '--json'));
    expect(search.items.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    const firstPage = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--limit', '1', '--json'));
    expect(firstPage.items).toHaveLength(1);
    expect(firstPage.next_cursor).toEqual(expect.any(String));
    const secondPage = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--limit', '1', '--cursor', firstPage.next_cursor, '--json'));
    expect(secondPage.items.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    const table = await frontdoor(env, 'user', 'list', '--tenant', 'acme');
    expect(table.stdout).toMatch(/ann@example\.com\s+active/);

    expect(json(await frontdoor(env, 'user', 'disable', '--tenant', 'acme', ann.id, '--json'))).toMatchObject({ id: ann.id, status: 'disabled' });
    const enabled = await frontdoor(env, 'user', 'enable', '--tenant', 'acme', ann.id);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain('Enabled');
    // Another tenant's user is not found through this one.
    expect(expectOneLineFailure(await frontdoor(env, 'user', 'disable', '--tenant', 'shop', ann.id), 1)).toContain('user.not_found');

    expect(json(await frontdoor(env, 'user', 'delete', '--tenant', 'acme', bob.id, '--json'))).toEqual({ id: bob.id, deleted: true });
    expect(expectOneLineFailure(await frontdoor(env, 'user', 'delete', '--tenant', 'acme', bob.id), 1)).toContain('user.not_found');
    const remaining = json(await frontdoor(env, 'user', 'list', '--tenant', 'acme', '--json'));
    expect(remaining.items.map((u: { id: string }) => u.id)).toEqual([ann.id]);
    expect(expectOneLineFailure(await frontdoor(env, 'user', 'list', '--tenant', 'nope'), 1)).toContain('tenant.not_found');
  }, SLOW);

  it('issues a setup token and admin tokens', async () => {
    const setup = await frontdoor(env, 'admin', 'bootstrap');
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/fds_[A-Za-z0-9_-]{43}/);
    expect(setup.stdout).toContain('POST');
    expect(setup.stdout).toContain('/admin/api/v1/bootstrap');
    expect(setup.stdout).toMatch(/expires \d{4}-\d\d-\d\dT/);

    const token = json(await frontdoor(env, 'admin', 'token', 'create', '--name', 'ops', '--json'));
    expect(token).toMatchObject({ id: expect.stringMatching(/^adm_/), name: 'ops', token: expect.stringMatching(/^fda_/) });
  }, SLOW);
});
