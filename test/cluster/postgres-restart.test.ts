// Restarting PostgreSQL under load (issue 9): a two-node `frontdoor cluster` on a PostgreSQL and a
// Redis of the test's own, new customers registering through the balancer without pause, and the
// database shut down (fast shutdown: every connection cut) and started again. While it is down,
// the nodes answer 503 with Retry-After (not 500) and /readyz says so; once it is back the same
// node processes (no restart) register customers again — 503 only until the first one gets
// through, nothing but success after; and every registration that was answered as done is in the
// database afterwards.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client.ts';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { privateRedisAvailable, startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';

const CUSTOMERS = 4;
const PASSWORD = 'Copper-Willow-Beacon-771';
const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
const available = privatePostgresAvailable() && privateRedisAvailable();
if (!available && REQUIRE) throw new Error('PostgreSQL server binaries (/usr/lib/postgresql/*/bin) and redis-server are required');

describe.runIf(available)('a cluster whose PostgreSQL restarts under load', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let cluster: TestCluster;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    cluster = await startTestCluster({ nodes: 2, redisUrl: redis.url, databaseUrl: postgres.url });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    await Promise.all([postgres?.close(), redis?.close()]);
  }, 60_000);

  const readiness = () => Promise.all(cluster.layout().nodes.map((n) => fetch(`${n.url}/readyz`).then((r) => r.status, () => 0)));

  it('answers 503 while the database is down, registers again once it is back, and loses no registration it confirmed', async () => {
    const confirmed: string[] = [];
    const whileDown: number[] = [];
    const unexpected: string[] = [];
    let phase: 'up' | 'down' | 'back' = 'up';
    let recoveredAt: number | null = null;
    let recovering = 0;
    let registered = 0;
    let running = true;
    let counter = 0;

    async function customer(i: number) {
      while (running) {
        counter += 1;
        const email = `new.${i}.${counter}@example.org`;
        // A new person on a new browser each time, from an address of their own.
        const browser = new FormClient(cluster.url, { 'x-forwarded-for': `100.64.${counter % 250}.${10 + i}` });
        const before = phase;
        try {
          const form = await browser.get('/t/demo/register');
          const posted = form.status === 200 ? await browser.post('/t/demo/register', { email, password: PASSWORD }) : form;
          if (posted.status === 303) {
            confirmed.push(email);
            registered += 1;
            if (phase === 'back' && recoveredAt === null) recoveredAt = Date.now();
          } else if (posted.status === 503 && posted.headers.get('retry-after')) {
            if (before === 'down' || phase === 'down') whileDown.push(posted.status);
            // Until the nodes have their connections again and the balancer has seen them ready.
            else if (phase === 'back' && recoveredAt === null) recovering += 1;
            else unexpected.push(`${before}→${phase}: 503 with the database up`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          } else {
            unexpected.push(`${before}→${phase}: ${posted.status} ${posted.text.slice(0, 200)}`);
          }
        } catch (error) {
          unexpected.push(`${before}→${phase}: ${(error as Error).message}`);
        }
      }
    }

    const pids = cluster.layout().nodes.map((n) => n.pid);
    const load = Array.from({ length: CUSTOMERS }, (_, i) => customer(i));
    await waitFor(() => registered >= 8, 60_000, 'registrations before the restart');

    phase = 'down';
    await postgres.stop();
    await waitFor(async () => (await readiness()).every((s) => s === 503), 10_000, 'readiness to say 503');
    await waitFor(() => whileDown.length >= 8, 30_000, '503 answers while the database is down');

    await postgres.start();
    const backAt = Date.now();
    phase = 'back';
    const atReturn = registered;
    await waitFor(() => registered >= atReturn + 8, 60_000, 'registrations after the restart');
    running = false;
    await Promise.all(load);

    // Reported, not asserted (wall-clock): how long after the database was back the first customer registered.
    console.info(`[postgres restart] first registration ${recoveredAt! - backAt} ms after the database was back; ${recovering} answers of 503 meanwhile, ${whileDown.length} while it was down`);
    // While down: 503 with Retry-After, never a 500 or a hang; up: nothing else went wrong.
    expect(unexpected, unexpected.join('\n')).toEqual([]);
    expect(await readiness()).toEqual([200, 200]);
    // The same processes: nothing was restarted to recover.
    expect(cluster.layout().nodes.map((n) => n.pid)).toEqual(pids);

    // Every registration answered as done is in the database: as many rows at least (addresses
    // are sealed at rest), and each address found by the admin API.
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const rows = await client.query<{ n: string }>('select count(*) as n from users where tenant_id = $1', ['demo']);
      expect(Number(rows.rows[0]!.n)).toBeGreaterThanOrEqual(confirmed.length);
    } finally {
      await client.end();
    }
    for (const email of confirmed) {
      const found = await fetch(`${cluster.url}/admin/api/v1/tenants/demo/users?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${cluster.adminToken}` } });
      expect(((await found.json()) as { items: unknown[] }).items, email).toHaveLength(1);
    }
  }, 240_000);
});
