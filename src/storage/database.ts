// Opens the one query layer (Kysely) over either engine: better-sqlite3 (embedded default, WAL)
// or PostgreSQL through a bounded pg pool.
import { countQuery } from './query-count.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';

export type DatabaseLocation =
  | { engine: 'sqlite'; file: string }
  | { engine: 'postgres'; url: string; poolSize?: number; statementTimeoutMs?: number };

export interface OpenDatabase {
  db: Kysely<Database>;
  engine: Engine;
  /** Queries waiting for a pooled connection (PostgreSQL; SQLite has no pool: always 0). */
  waitingForConnection(): number;
}

// int8 (bigint) columns hold millisecond times: well inside Number's exact range.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** How many compiled SQLite statements to keep; the queries of the whole product are far fewer. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely asks better-sqlite3 to prepare (compile) the SQL of every query it runs; compiling costs
 * more than running a point lookup. A statement can be run again with other parameters, so keep
 * the compiled ones by SQL text (least recently used out). Our queries never stream, so a cached
 * statement is never still busy when it is handed out again.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      // Kysely begins transactions with a plain (deferred) BEGIN. A deferred transaction that reads
      // and then writes fails at once with SQLITE_BUSY, without waiting out busy_timeout, when
      // another connection (the record writer's worker) wrote in between; taking the write lock at
      // BEGIN makes it wait its turn instead.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let statement = statements.get(sql);
      if (statement) statements.delete(sql);
      else statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

export function openDatabase(location: DatabaseLocation): OpenDatabase {
  if (location.engine === 'sqlite') {
    if (location.file !== ':memory:') mkdirSync(dirname(location.file), { recursive: true });
    const sqlite = new BetterSqlite3(location.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: countQuery }), engine: 'sqlite', waitingForConnection: () => 0 };
  }
  const pool = new pg.Pool({
    connectionString: location.url,
    max: location.poolSize ?? 10,
    statement_timeout: location.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: 5_000,
    types: pgTypes,
  });
  // A client that loses its connection must not crash the process: the pool listens on idle ones,
  // nobody on one checked out between two queries (a transaction waiting on a password hash) —
  // when PostgreSQL restarts, that one's 'error' event would be unhandled. Its next query fails
  // instead (answered 503), and the pool drops it on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: countQuery }), engine: 'postgres', waitingForConnection: () => pool.waitingCount };
}
