// `frontdoor audit verify` and `audit export` as an operator runs them, on both engines: the chain
// of a tenant holds (exit 0), and after a row is changed in the database behind Frontdoor's back it
// names that row (exit 3), in words and in JSON; an exported file verifies offline against the
// tenant's keys, and a row edited in it is named.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines, type TestEngine } from '../support/engines.ts';

describe.each(engines)('frontdoor audit verify against %s', (engine: TestEngine) => {
  let env: Record<string, string>;
  let dataDir: string;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, dataDir, remove } = await cliEnvironment(engine, 'frontdoor-cli-audit-'));
    for (const id of ['acme', 'globex']) {
      const created = await frontdoor(env, 'tenant', 'create', id);
      expect(created.code, created.stderr).toBe(0);
    }
  }, SLOW);
  afterAll(async () => {
    await remove?.();
  }, SLOW);

  /** Runs SQL on the CLI's database behind Frontdoor's back; `$n` parameters, in order of appearance. */
  async function query<T>(text: string, params: unknown[]): Promise<T[]> {
    if (engine === 'sqlite') {
      const db = new BetterSqlite3(join(dataDir, 'frontdoor.sqlite'));
      try {
        const order = [...text.matchAll(/\$(\d+)/g)].map((m) => params[Number(m[1]) - 1]);
        return db.prepare(text.replace(/\$\d+/g, '?')).all(...order) as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Changes the sealed audit row of `tenant` at chain position 1, as someone with database access could. */
  async function tamper(tenant: string): Promise<string> {
    const [row] = await query<{ id: string }>('update audit_events set actor = $2 where tenant_id = $1 and chain_seq = 1 returning id', [tenant, 'admin:someone-else']);
    return row!.id;
  }

  it('says the chain holds, then names the row changed behind its back and exits 3', async () => {
    const holds = await frontdoor(env, 'audit', 'verify', '--tenant', 'acme');
    expect(holds.code, holds.stderr).toBe(0);
    // No server ran to sign a checkpoint (the export below signs one).
    expect(holds.stdout).toMatch(/^Audit chain of acme holds: [1-9]\d* rows checked, 0 not sealed yet; no signed checkpoint verified yet\.\n$/);
    expect(json(await frontdoor(env, 'audit', 'verify', '--tenant', 'acme', '--json'))).toMatchObject({ tenant: 'acme', ok: true, unsealed: 0, first_broken: null });

    const changed = await tamper('acme');
    const broken = await frontdoor(env, 'audit', 'verify', '--tenant', 'acme');
    expect(broken.code).toBe(3);
    expect(broken.stdout).toContain(`Audit chain of acme is BROKEN at row 1 (${changed}): the row was changed after it was sealed`);
    const report = JSON.parse((await frontdoor(env, 'audit', 'verify', '--tenant', 'acme', '--json')).stdout);
    expect(report).toMatchObject({ ok: false, first_broken: { seq: 1, id: changed, problem: 'changed' } });

    // Another tenant's chain is its own.
    expect((await frontdoor(env, 'audit', 'verify', '--tenant', 'globex')).code).toBe(0);
  }, SLOW);

  it('exports a log that verifies offline, with the tenant keys given, and names a row edited in the file', async () => {
    const file = join(dataDir, 'globex-audit.jsonl');
    const exported = await frontdoor(env, 'audit', 'export', '--tenant', 'globex', '--out', file);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/^Wrote [1-9]\d* audit rows of globex to /);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'frontdoor.audit_export', version: 1, tenant: 'globex' });

    // The keys the issuer publishes (here read from storage: only public parts).
    const jwks = join(dataDir, 'globex-jwks.json');
    const keys = await query<{ public_jwk: string }>('select public_jwk from signing_keys where tenant_id = $1', ['globex']);
    writeFileSync(jwks, JSON.stringify({ keys: keys.map((k) => JSON.parse(k.public_jwk)) }));
    const verified = await frontdoor(env, 'audit', 'verify', '--file', file, '--jwks', jwks);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^Exported audit log of globex holds: [1-9]\d* rows checked, 0 not sealed yet; signed checkpoint at row [1-9]\d* \(/);
    // The checkpoint the export signed anchors the chain in the database too.
    expect((await frontdoor(env, 'audit', 'verify', '--tenant', 'globex')).stdout).toMatch(/; signed checkpoint at row [1-9]\d* \(/);
    const selfConsistent = await frontdoor(env, 'audit', 'verify', '--file', file);
    expect(selfConsistent.code).toBe(0);
    expect(selfConsistent.stdout).toContain('pass --jwks');

    writeFileSync(file, lines.map((line) => (line.startsWith('{"type":"row","seq":1,') ? line.replace('"actor":"', '"actor":"x') : line)).join('\n'));
    const broken = await frontdoor(env, 'audit', 'verify', '--file', file, '--jwks', jwks, '--json');
    expect(broken.code).toBe(3);
    expect(JSON.parse(broken.stdout)).toMatchObject({ tenant: 'globex', ok: false, first_broken: { seq: 1, problem: 'changed' }, keys_from: 'given' });
  }, SLOW);
});
