// Rows read straight from a database, bypassing every repository: what someone holding only the
// database (or a copy of it) would see.
import pg from 'pg';
import type { DatabaseLocation } from '../../src/storage/database.ts';

export async function rawRows(location: DatabaseLocation, query: string): Promise<Record<string, unknown>[]> {
  if (location.engine === 'postgres') {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    try {
      return (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(location.file, { readonly: true });
  try {
    return db.prepare(query).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
