// SQLite transactions take the write lock when they begin. A transaction that reads and then writes
// must not fail because another connection (here: a second connection to the same file, as the
// record writer's worker is) wrote in between: with a deferred BEGIN it would, at once, with
// SQLITE_BUSY; with BEGIN IMMEDIATE the other writer is the one that has to wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.ts';

describe('SQLite transactions', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('read, then another connection tries to write, then write: the transaction commits', async () => {
    dir = mkdtempSync(join(tmpdir(), 'frontdoor-tx-'));
    const file = join(dir, 'tx.sqlite');
    const { db } = openDatabase({ engine: 'sqlite', file });
    await sql`create table t (id integer primary key, n integer not null)`.execute(db);
    await sql`insert into t (id, n) values (1, 0)`.execute(db);
    const other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 0');
    let otherWrote: boolean | null = null;
    try {
      await db.transaction().execute(async (tx) => {
        await sql`select n from t where id = 1`.execute(tx);
        try {
          other.prepare('insert into t (id, n) values (2, 0)').run();
          otherWrote = true;
        } catch {
          otherWrote = false;
        }
        await sql`update t set n = n + 1 where id = 1`.execute(tx);
      });
    } finally {
      other.close();
    }
    // The other writer waited (here: gave up at once, busy_timeout 0); this transaction committed.
    expect(otherWrote).toBe(false);
    const rows = await sql<{ n: number }>`select n from t where id = 1`.execute(db);
    expect(rows.rows[0]!.n).toBe(1);
    await db.destroy();
  });
});
