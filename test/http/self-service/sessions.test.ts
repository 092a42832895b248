import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { PASSWORD, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

describe.each(engines)('sign-in and sessions (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, {
      env: { FRONTDOOR_SESSION_IDLE_MINUTES: '30', FRONTDOOR_SESSION_ABSOLUTE_HOURS: '2' },
      services: { clock: { now: () => now } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sets a __Host- session cookie that is Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const { response } = await signIn(server, 'demo', email, PASSWORD);
    expect(response.status).toBe(303);
    const cookie = response.setCookies.find((c) => c.startsWith('__Host-fd-session-demo='))!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const value = cookie.split(';')[0]!.split('=')[1]!;
    expect(Buffer.from(value, 'base64url').length).toBeGreaterThanOrEqual(16);
    // Only the hash of the cookie value is stored.
    const rows = await server.services.store.sessions.findByTokenHash('demo', value);
    expect(rows).toBeNull();
  });

  it('rotates the session id at sign-in', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    const before = client.cookies.get('__Host-fd-session-demo');
    await signIn(server, 'demo', email, PASSWORD, client);
    const after = client.cookies.get('__Host-fd-session-demo');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const stale = new FormClient(server.baseUrl);
    stale.cookies.set('__Host-fd-session-demo', before!);
    expect((await stale.get('/t/demo/account')).status).toBe(303);
  });

  it('lists sessions and revokes another one; sign-out ends the current one', async () => {
    const email = uniqueEmail();
    const phone = await registerAndVerify(server, 'demo', email);
    const { client: laptop } = await signIn(server, 'demo', email, PASSWORD, new FormClient(server.baseUrl, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36' }));
    const page = await laptop.get('/t/demo/account');
    const ids = [...page.text.matchAll(/\/t\/demo\/account\/sessions\/([^/]+)\/revoke/g)].map((m) => m[1]!);
    expect(ids.length).toBe(1); // the other session has a revoke form, the current one a sign-out
    const revoked = await laptop.post(`/t/demo/account/sessions/${ids[0]}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await phone.get('/t/demo/account')).location).toBe('/t/demo/login');
    await laptop.get('/t/demo/account');
    const out = await laptop.post('/t/demo/logout', {});
    expect(out.location).toBe('/t/demo/login?notice=signed_out');
    expect((await laptop.get('/t/demo/account')).location).toBe('/t/demo/login');
  });

  it("cannot revoke another user's session", async () => {
    const alice = await registerAndVerify(server, 'demo', uniqueEmail('alice'));
    const bobEmail = uniqueEmail('bob');
    await registerAndVerify(server, 'demo', bobEmail);
    const bob = await server.services.store.users.findByEmail('demo', bobEmail);
    const [bobSession] = await server.services.sessions.listForUser('demo', bob!.id);
    await alice.get('/t/demo/account');
    const attempt = await alice.post(`/t/demo/account/sessions/${bobSession!.id}/revoke`, {});
    expect(attempt.status).toBe(404);
    expect(await server.services.sessions.listForUser('demo', bob!.id)).toHaveLength(1);
  });

  it('enforces the idle timeout and the absolute timeout on the server', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    now += 29 * 60_000;
    expect((await client.get('/t/demo/account')).status).toBe(200); // activity extends the idle window
    now += 29 * 60_000;
    expect((await client.get('/t/demo/account')).status).toBe(200);
    now += 31 * 60_000; // idle for longer than 30 minutes
    expect((await client.get('/t/demo/account')).status).toBe(303);

    const fresh = await registerAndVerify(server, 'demo', uniqueEmail());
    for (let i = 0; i < 4; i += 1) {
      now += 25 * 60_000;
      const r = await fresh.get('/t/demo/account');
      expect(r.status, `after ${(i + 1) * 25} minutes`).toBe(200);
    }
    now += 25 * 60_000; // 125 minutes: past the 2 hour absolute limit although never idle
    expect((await fresh.get('/t/demo/account')).status).toBe(303);
  });

  it('ends every session of a user that an admin disables', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    const user = await server.services.store.users.findByEmail('demo', email);
    const res = await fetch(`${server.baseUrl}/admin/api/v1/tenants/demo/users/${user!.id}/disable`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    expect((await client.get('/t/demo/account')).status).toBe(303);
    expect((await signIn(server, 'demo', email, PASSWORD)).response.status).toBe(401);
  });

  it('keeps tenants apart: an account and its session belong to one tenant', async () => {
    await server.services.store.tenants.create({ id: 'other', name: 'Other', branding: {}, settings: {}, createdAt: now, updatedAt: now }).catch(() => {});
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    expect((await signIn(server, 'other', email, PASSWORD)).response.status).toBe(401);
    const stolen = new FormClient(server.baseUrl);
    stolen.cookies.set('__Host-fd-session-other', client.cookies.get('__Host-fd-session-demo')!);
    expect((await stolen.get('/t/other/account')).status).toBe(303);
  });

  it('upgrades a hash made with weaker parameters at the next sign-in', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const user = await server.services.store.users.findByEmail('demo', email);
    const { hash } = await import('@node-rs/argon2');
    const weak = await hash(PASSWORD, { memoryCost: 19456, timeCost: 1, parallelism: 1, algorithm: 2 as never });
    await server.services.store.passwords.set({ userId: user!.id, tenantId: 'demo', hash: weak, updatedAt: now });
    expect((await signIn(server, 'demo', email, PASSWORD)).response.status).toBe(303);
    const stored = await server.services.store.passwords.get('demo', user!.id);
    expect(stored!.hash).toMatch(/\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
