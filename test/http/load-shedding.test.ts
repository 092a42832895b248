// Backpressure (issue 9): an overloaded node refuses new work at once with 503 and Retry-After —
// when queries queue for a database connection (PostgreSQL, a pool of one held by a slow query),
// or when its event loop runs late sample after sample (stalls of the test's own making) — while /healthz, /readyz and
// /metrics still answer; and it takes work again once the overload is over.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

async function shedCount(server: TestServer, reason: string): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`frontdoor_shed_requests_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.runIf(engines.includes('postgres'))('load shedding: queries waiting for a connection', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgres', { env: { FRONTDOOR_DB_POOL_SIZE: '1', FRONTDOOR_SHED_DB_WAITING: '2' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 503 with Retry-After while two queries wait for the only connection, and serves again after', async () => {
    expect((await fetch(`${server.baseUrl}/t/demo/login`)).status).toBe(200);
    // The one connection busy for a second; two more queries queue behind it.
    const held = Promise.all([sql`select pg_sleep(1)`.execute(server.services.db), sql`select 1`.execute(server.services.db), sql`select 1`.execute(server.services.db)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.services.waitingForConnection()).toBe(2);

    const page = await fetch(`${server.baseUrl}/t/demo/login`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('1');
    expect(page.headers.get('content-security-policy')).toBeTruthy();
    expect(await page.text()).toContain('try again in a moment');
    const api = await fetch(`${server.baseUrl}/t/demo/oidc/.well-known/openid-configuration`);
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: 'server.busy' });
    // Monitoring still sees the node.
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(await shedCount(server, 'database')).toBe(2);

    await held;
    expect(server.services.waitingForConnection()).toBe(0);
    expect((await fetch(`${server.baseUrl}/t/demo/login`)).status).toBe(200);
  });
});

describe('load shedding: a late event loop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { FRONTDOOR_SHED_EVENT_LOOP_DELAY_MS: '100' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses work right behind a stall longer than the limit, answers health checks, and recovers', async () => {
    expect((await fetch(`${server.baseUrl}/t/demo/login`)).status).toBe(200);
    // Two 400 ms stalls of this process's event loop (the server's too), one right after the
    // other: an overload, not a pause.
    const stall = () => {
      const until = performance.now() + 400;
      while (performance.now() < until) {
        // busy
      }
    };
    stall();
    await new Promise((resolve) => setTimeout(resolve, 0));
    stall();
    const refused = await fetch(`${server.baseUrl}/t/demo/login`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    expect(await shedCount(server, 'event_loop')).toBe(1);
    // The first tick on time ends it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.baseUrl}/t/demo/login`)).status).toBe(200);

    // One stall alone (a GC pause, a moment without the CPU) is not an overload.
    stall();
    expect((await fetch(`${server.baseUrl}/t/demo/login`)).status).toBe(200);
  });
});
