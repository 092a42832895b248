// Which database engines the integration suite runs on. SQLite always; PostgreSQL when a server is
// reachable — and when FRONTDOOR_TEST_REQUIRE_SERVICES=1 an unreachable server fails the run instead
// of being skipped.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export type TestEngine = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.FRONTDOOR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE_SERVICES = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (REQUIRE_SERVICES) throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is required (FRONTDOOR_TEST_REQUIRE_SERVICES=1) but not reachable: ${(error as Error).message}`);
    console.warn(`[frontdoor tests] skipping PostgreSQL: ${PG_ADMIN_URL} not reachable (${(error as Error).message})`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const engines: TestEngine[] = (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh PostgreSQL database for one test file; dropped by the returned function. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `frontdoor_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
