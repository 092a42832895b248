// `frontdoor audit verify` as an operator runs it, on both engines: the chain of a tenant holds
// (exit 0), and after a row is changed in the database behind Frontdoor's back it names that row
// (exit 3), in words and in JSON.
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

  /** Changes the sealed audit row of `tenant` at chain position 1, as someone with database access could. */
  async function tamper(tenant: string): Promise<string> {
    const query = 'update audit_events set actor = $2 where tenant_id = $1 and chain_seq = 1 returning id';
    if (engine === 'sqlite') {
      const db = new BetterSqlite3(join(dataDir, 'frontdoor.sqlite'));
      try {
        // Positional in the order they appear: the actor first.
        return (db.prepare(query.replace('$1', '?').replace('$2', '?')).get('admin:someone-else', tenant) as { id: string }).id;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<{ id: string }>(query, [tenant, 'admin:someone-else'])).rows[0]!.id;
    } finally {
      await client.end();
    }
  }

  it('says the chain holds, then names the row changed behind its back and exits 3', async () => {
    const holds = await frontdoor(env, 'audit', 'verify', '--tenant', 'acme');
    expect(holds.code, holds.stderr).toBe(0);
    expect(holds.stdout).toMatch(/^Audit chain of acme holds: [1-9]\d* rows checked, 0 not sealed yet\.\n$/);
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
});
