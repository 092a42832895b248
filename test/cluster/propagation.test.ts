// What one node changes, the others apply (issue 9): two nodes on one PostgreSQL database and one
// master key. A session revoked through node A is refused by node B; a tenant renamed through A
// shows on B's pages; a signing-key rotation made on A is published in B's JWKS — each without
// restarting B. The time each took is printed (measured, not asserted; the goal is a second).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client.ts';
import { createPostgresDatabase, engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PASSWORD = 'correct horse battery staple 42';
const SESSION = '__Host-fd-session-demo';

describe.runIf(engines.includes('postgres'))('changes made on one node, seen on another', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;
  let adminToken = '';

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, FRONTDOOR_MASTER_KEY: randomBytes(32).toString('hex') };
    a = await startTestServer('postgres', { env });
    b = await startTestServer('postgres', { env });
    adminToken = a.adminToken;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const admin = (server: TestServer, method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}/admin/api/v1${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  /** Polls until `seen` holds on node B; returns how long that took (ms). */
  async function untilSeen(what: string, seen: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await seen())) {
      if (Date.now() - start > 10_000) throw new Error(`node B never saw: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - start;
  }

  it('a session revoked on one node is refused on the other', async () => {
    const created = await admin(a, 'POST', '/tenants/demo/users', { email: 'spread@example.org', password: PASSWORD, email_verified: true });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const onA = new FormClient(a.baseUrl);
    await onA.get('/t/demo/login');
    expect((await onA.post('/t/demo/login', { email: 'spread@example.org', password: PASSWORD })).status).toBe(303);
    const onB = new FormClient(b.baseUrl);
    onB.cookies.set(SESSION, onA.cookies.get(SESSION)!);
    expect((await onB.get('/t/demo/account')).status).toBe(200);

    expect((await admin(a, 'DELETE', `/tenants/demo/users/${id}/sessions`)).status).toBe(200);
    const ms = await untilSeen('the revocation', async () => (await onB.get('/t/demo/account')).status !== 200);
    console.info(`[propagation] session revocation seen on the other node after ${ms} ms`);
  });

  it('a tenant renamed on one node shows on the other', async () => {
    expect((await fetch(`${b.baseUrl}/t/demo/login`).then((r) => r.text())).includes('Spread Demo')).toBe(false);
    expect((await admin(a, 'PATCH', '/tenants/demo', { name: 'Spread Demo' })).status).toBe(200);
    const ms = await untilSeen('the new name', async () => (await fetch(`${b.baseUrl}/t/demo/login`).then((r) => r.text())).includes('Spread Demo'));
    console.info(`[propagation] tenant change seen on the other node after ${ms} ms`);
  });

  it('a key rotation on one node is published by the other', async () => {
    const kids = async (server: TestServer) => ((await (await fetch(`${server.baseUrl}/t/demo/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
    const before = await kids(b);
    await a.services.signingKeys.rotate('demo');
    const after = await kids(a);
    expect(after).not.toEqual(before);
    const ms = await untilSeen('the rotated key set', async () => JSON.stringify(await kids(b)) === JSON.stringify(after));
    console.info(`[propagation] key rotation seen on the other node after ${ms} ms`);
  });
});
