// Row ⇄ domain conversions shared by the repositories.
import { FrontdoorError } from '../../core/errors.ts';
import { sql, type Compilable, type CompiledQuery, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Page } from '../../core/ports.ts';
import type { Database } from '../schema.ts';

export type Db = Kysely<Database> | Transaction<Database>;

/**
 * PostgreSQL text cannot hold NUL, so no stored key contains one; comparing with such a value is an
 * error there rather than a miss. Lookups keyed by caller-supplied text check this first.
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000');

export const toBool = (value: number | boolean): boolean => value === 1 || value === true;
export const fromBool = (value: boolean): number => (value ? 1 : 0);

export function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Opaque keyset cursor: base64url JSON of the sort key of the last row returned. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Null for "from the start"; a cursor we did not issue is refused rather than silently restarting. */
export function decodeCursor(cursor: string | null | undefined): [number, string] | null {
  if (!cursor) return null;
  const parsed = parseJson<unknown>(Buffer.from(cursor, 'base64url').toString('utf8'), null);
  if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
    return [parsed[0], parsed[1]];
  }
  throw new FrontdoorError('request.invalid', { field: 'cursor' });
}

/**
 * One page of an event log (a table with `at` and `id`), newest first, after the keyset `cursor`:
 * what an operator looking at an incident wants. `query` carries the filters.
 */
export async function newestFirstPage<TB extends 'audit_events' | 'risk_events', Row, Item extends { at: number; id: string }>(
  query: SelectQueryBuilder<Database, TB, Row>,
  cursor: string | null | undefined,
  limit: number,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const before = decodeCursor(cursor);
  const after = before ? query.where(sql<boolean>`(at < ${before[0]} or (at = ${before[0]} and id < ${before[1]}))`) : query;
  const rows = await after.orderBy(sql`at`, 'desc').orderBy(sql`id`, 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(toItem);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.at, last.id]) : null };
}

/** Unique-constraint violation on either engine (SQLite SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * The wrapped data key of a row's account as two columns, `key_id` and `wrapped_key`, read by
 * correlated subqueries rather than a join: SQLite answers the lookup by address in ~9 µs this way
 * and ~33 µs as a join (bench:vault). `tenant` and `user` name the row's columns.
 */
export function wrappedKeyColumns(eb: ExpressionBuilder<Database, keyof Database>, tenant: string, user: string) {
  const column = (name: 'key_id' | 'wrapped') =>
    eb
      .selectFrom('user_data_keys')
      .select(name)
      .where('user_data_keys.tenant_id', '=', sql.ref<string>(tenant))
      .where('user_data_keys.user_id', '=', sql.ref<string>(user));
  return [column('key_id').as('key_id'), column('wrapped').as('wrapped_key')] as const;
}

/**
 * A query of a hot path built and compiled once, then run with other values: building and compiling
 * with Kysely costs more than SQLite's answering a point lookup (about half of the account read and
 * of the roles query, bench:authz). `build` gets a placeholder for each argument and must use each
 * one as a whole value (`where('id', '=', id)`), never inside another; the query compiled from
 * them is checked to hold each placeholder, and nothing else that looks like one, so a query the
 * compiler did not keep value for value fails the first call rather than running with wrong values.
 * Compiled on first use, per `db` (a transaction gets its own).
 */
export function precompiled<Row, Args extends readonly string[]>(db: Db, arity: Args['length'], build: (...placeholders: Args) => Compilable<Row>): (...args: Args) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; slots: (number | null)[] } | null = null;
  const compile = () => {
    // NUL cannot be in a stored value (isStorableText), so no constant of a query is one of these.
    const placeholders = Array.from({ length: arity }, (_, i) => `\u0000precompiled-${i}\u0000`);
    const query = build(...(placeholders as unknown as Args)).compile();
    const slots = query.parameters.map((value) => {
      const index = placeholders.indexOf(value as string);
      if (index < 0 && typeof value === 'string' && value.includes('\u0000precompiled-')) throw new Error('precompiled: a placeholder used inside a value');
      return index < 0 ? null : index;
    });
    if (placeholders.some((_, i) => !slots.includes(i))) throw new Error('precompiled: a placeholder missing from the query');
    return { query, slots };
  };
  return async (...args) => {
    compiled ??= compile();
    const { query, slots } = compiled;
    const parameters = slots.map((slot, i) => (slot === null ? query.parameters[i] : args[slot]));
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}
