// Admin API: users of a tenant — lifecycle, search and pagination, sessions, and the refusals
// (mass assignment, cross-tenant ids, duplicates, malformed input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/context.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from './admin-client.ts';

const ctx: RequestContext = { ip: '203.0.113.7', userAgent: 'test-browser/1.0', requestId: null, locale: 'en', actor: 'anonymous' };
const PASSWORD = 'correct horse battery staple 42';

describe.each(engines)('admin API: users (%s)', (engine) => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    expect((await api('POST', '/tenants', { id: 'other' })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function createUser(email: string, extra: Record<string, unknown> = {}, tenant = 'demo') {
    const response = await api('POST', `/tenants/${tenant}/users`, { email, ...extra });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string; email: string; status: string; email_verified: boolean; profile: Record<string, unknown> };
  }

  it('creates, reads, updates and deletes a user; no password hash ever leaves', async () => {
    const created = await api('POST', '/tenants/demo/users', { email: '  Ann.Lee@Example.COM ', password: PASSWORD, email_verified: true, profile: { given_name: 'Ann' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: 'ann.lee@example.com',
      email_verified: true,
      status: 'active',
      profile: { given_name: 'Ann' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: expect.any(String),
      last_login_at: null,
    });
    const id = created.body.id as string;
    const stored = await server.services.store.passwords.get('demo', id);
    expect(stored?.hash).toMatch(/^\$argon2id\$/);
    expect(created.text).not.toContain('argon2');

    const fetched = await api('GET', `/tenants/demo/users/${id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    expect(fetched.text).not.toContain('argon2');
    expect(fetched.text).not.toContain('password');

    const updated = await api('PATCH', `/tenants/demo/users/${id}`, { profile: { given_name: 'Ann', family_name: 'Lee' } });
    expect(updated.status).toBe(200);
    expect(updated.body.profile).toEqual({ given_name: 'Ann', family_name: 'Lee' });
    expect((await api('GET', `/tenants/demo/users/${id}`)).body.profile).toEqual({ given_name: 'Ann', family_name: 'Lee' });

    const unverified = await api('PATCH', `/tenants/demo/users/${id}`, { email_verified: false });
    expect(unverified.body.email_verified).toBe(false);

    const deleted = await api('DELETE', `/tenants/demo/users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const gone = await api('GET', `/tenants/demo/users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('user.not_found');
    expect((await api('DELETE', `/tenants/demo/users/${id}`)).body.error).toBe('user.not_found');
    expect(await server.services.store.passwords.get('demo', id)).toBeNull();
  });

  it('a user created without verification starts pending; enable activates', async () => {
    const user = await createUser('pending@example.com');
    expect(user).toMatchObject({ status: 'pending', email_verified: false });
    const enabled = await api('POST', `/tenants/demo/users/${user.id}/enable`);
    expect(enabled.body.status).toBe('active');
  });

  it('answers 409 user.exists for an email taken in the tenant, whatever its case', async () => {
    await createUser('dup@example.com');
    const again = await api('POST', '/tenants/demo/users', { email: 'DUP@Example.com' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'user.exists', field: 'email' });
    // Another tenant is another namespace.
    expect((await api('POST', '/tenants/other/users', { email: 'dup@example.com' })).status).toBe(201);
  });

  it('finds a user by whole address (case-insensitively) and pages with a cursor across pages', async () => {
    // A tenant of its own, so the pages hold exactly these users.
    expect((await api('POST', '/tenants', { id: 'pager' })).status).toBe(201);
    const emails = Array.from({ length: 7 }, (_, i) => `pager${i}@example.com`);
    const ids: string[] = [];
    for (const email of emails) ids.push((await createUser(email, {}, 'pager')).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api('GET', `/tenants/pager/users?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids); // oldest first, none twice, none missed
    expect(cursor).toBeNull();

    const exact = await api('GET', `/tenants/pager/users?email=${encodeURIComponent('PAGER6@Example.COM')}`);
    expect(exact.body.items.map((u: { email: string }) => u.email)).toEqual(['pager6@example.com']);
    // Addresses are sealed: only a whole one is found, what is no address is refused, and another
    // tenant's address of the same spelling is another account.
    expect((await api('GET', '/tenants/pager/users?email=pager6%40example')).status).toBe(400);
    expect((await api('GET', `/tenants/pager/users?email=${encodeURIComponent('pager9@example.com')}`)).body.items).toEqual([]);
    expect((await api('GET', `/tenants/demo/users?email=${encodeURIComponent('pager6@example.com')}`)).body.items).toEqual([]);

    const defaultPage = await api('GET', '/tenants/pager/users');
    expect(defaultPage.body.items.map((u: { id: string }) => u.id)).toEqual(ids);
  });

  it('filters by status', async () => {
    const user = await createUser('status-filter@example.com', { email_verified: true });
    await api('POST', `/tenants/demo/users/${user.id}/disable`);
    const disabled = await api('GET', '/tenants/demo/users?status=disabled');
    expect(disabled.body.items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(disabled.body.items.every((u: { status: string }) => u.status === 'disabled')).toBe(true);
  });

  it('disabling ends every session; enabling lets the user back in', async () => {
    const user = await createUser('sessions@example.com', { email_verified: true });
    const first = await server.services.sessions.start('demo', user.id, ctx);
    const second = await server.services.sessions.start('demo', user.id, ctx);

    const listed = await api('GET', `/tenants/demo/users/${user.id}/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: { id: string }) => s.id).sort()).toEqual([first.session.id, second.session.id].sort());
    expect(listed.body.items[0]).toEqual({ id: expect.stringMatching(/^ses_/), created_at: expect.any(String), last_seen_at: expect.any(String), ip: '203.0.113.7', user_agent: 'test-browser/1.0' });
    expect(listed.text).not.toContain(first.token);
    expect(listed.text).not.toContain(first.session.tokenHash);

    const disabled = await api('POST', `/tenants/demo/users/${user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    expect(await server.services.sessions.resolve('demo', first.token)).toBeNull();
    expect(await server.services.sessions.resolve('demo', second.token)).toBeNull();
    expect((await api('GET', `/tenants/demo/users/${user.id}/sessions`)).body.items).toEqual([]);

    const enabled = await api('POST', `/tenants/demo/users/${user.id}/enable`);
    expect(enabled.body.status).toBe('active');
    // Ended sessions stay ended.
    expect(await server.services.sessions.resolve('demo', first.token)).toBeNull();
  });

  it('PATCH status goes through the same path: disabled ends sessions', async () => {
    const user = await createUser('patch-status@example.com', { email_verified: true });
    const { token } = await server.services.sessions.start('demo', user.id, ctx);
    const patched = await api('PATCH', `/tenants/demo/users/${user.id}`, { status: 'disabled' });
    expect(patched.body.status).toBe('disabled');
    expect(await server.services.sessions.resolve('demo', token)).toBeNull();
    expect((await api('PATCH', `/tenants/demo/users/${user.id}`, { status: 'active' })).body.status).toBe('active');
    expect((await api('PATCH', `/tenants/demo/users/${user.id}`, { status: 'pending' })).status).toBe(400);
  });

  it('revokes one session or all of them', async () => {
    const user = await createUser('revoke@example.com', { email_verified: true });
    const a = await server.services.sessions.start('demo', user.id, ctx);
    const b = await server.services.sessions.start('demo', user.id, ctx);
    const c = await server.services.sessions.start('demo', user.id, ctx);

    expect((await api('DELETE', `/tenants/demo/users/${user.id}/sessions/${a.session.id}`)).status).toBe(204);
    expect(await server.services.sessions.resolve('demo', a.token)).toBeNull();
    expect(await server.services.sessions.resolve('demo', b.token)).not.toBeNull();
    const again = await api('DELETE', `/tenants/demo/users/${user.id}/sessions/${a.session.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error).toBe('session.not_found');

    const all = await api('DELETE', `/tenants/demo/users/${user.id}/sessions`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ revoked: 2 });
    expect(await server.services.sessions.resolve('demo', b.token)).toBeNull();
    expect(await server.services.sessions.resolve('demo', c.token)).toBeNull();
  });

  it("answers 404 for another user's or another tenant's ids, and changes nothing there", async () => {
    const mine = await createUser('mine@example.com', { email_verified: true });
    const theirs = await createUser('theirs@example.com', { email_verified: true, profile: { nickname: 'keep' } }, 'other');
    const theirSession = await server.services.sessions.start('other', theirs.id, ctx);
    const neighbour = await createUser('neighbour@example.com', { email_verified: true });
    const neighbourSession = await server.services.sessions.start('demo', neighbour.id, ctx);

    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/tenants/demo/users/${theirs.id}`],
      ['PATCH', `/tenants/demo/users/${theirs.id}`, { profile: { nickname: 'changed' } }],
      ['POST', `/tenants/demo/users/${theirs.id}/disable`],
      ['POST', `/tenants/demo/users/${theirs.id}/enable`],
      ['GET', `/tenants/demo/users/${theirs.id}/sessions`],
      ['DELETE', `/tenants/demo/users/${theirs.id}/sessions`],
      ['DELETE', `/tenants/demo/users/${theirs.id}/sessions/${theirSession.session.id}`],
      ['DELETE', `/tenants/demo/users/${theirs.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await api(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error).toBe('user.not_found');
    }
    // A session of another user of the same tenant, addressed through mine.
    const crossSession = await api('DELETE', `/tenants/demo/users/${mine.id}/sessions/${neighbourSession.session.id}`);
    expect(crossSession.status).toBe(404);
    expect(crossSession.body.error).toBe('session.not_found');
    // A session of another tenant's user, addressed through mine.
    expect((await api('DELETE', `/tenants/demo/users/${mine.id}/sessions/${theirSession.session.id}`)).status).toBe(404);

    expect(await server.services.sessions.resolve('demo', neighbourSession.token)).not.toBeNull();
    expect(await server.services.sessions.resolve('other', theirSession.token)).not.toBeNull();
    const untouched = await api('GET', `/tenants/other/users/${theirs.id}`);
    expect(untouched.body).toMatchObject({ status: 'active', profile: { nickname: 'keep' } });
  });

  it('answers 404 tenant.not_found for an unknown tenant', async () => {
    for (const tenant of ['nope', 'UPPER', 'a'.repeat(64)]) {
      const response = await api('GET', `/tenants/${tenant}/users`);
      expect(response.status, tenant).toBe(404);
      expect(response.body.error).toBe('tenant.not_found');
    }
    expect((await api('POST', '/tenants/nope/users', { email: 'x@example.com' })).body.error).toBe('tenant.not_found');
  });

  it('refuses mass assignment with 400 and writes nothing', async () => {
    const user = await createUser('mass@example.com', { email_verified: true });
    const before = await server.services.store.users.get('demo', user.id);
    for (const patch of [
      { password_hash: '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB' },
      { id: 'usr_someoneelse' },
      { tenant_id: 'other' },
      { email: 'new@example.com' },
      { created_at: '2000-01-01T00:00:00.000Z' },
      { profile: { nickname: 'ok' }, password: 'new password that is long' },
      {},
    ]) {
      const response = await api('PATCH', `/tenants/demo/users/${user.id}`, patch);
      expect(response.status, JSON.stringify(patch)).toBe(400);
      expect(response.body.error).toBe('request.invalid');
    }
    expect(await server.services.store.users.get('demo', user.id)).toEqual(before);

    for (const body of [
      { email: 'mass2@example.com', status: 'active' },
      { email: 'mass2@example.com', id: 'usr_chosen' },
      { email: 'mass2@example.com', password_hash: 'x' },
      { email: 'mass2@example.com', tenant_id: 'other' },
    ]) {
      const response = await api('POST', '/tenants/demo/users', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toBe('request.invalid');
    }
    expect(await server.services.store.users.findByEmail('demo', 'mass2@example.com')).toBeNull();
  });

  it('answers malformed input with 400 and a stable code', async () => {
    const cases: Array<[string, string, unknown, string, string?]> = [
      ['POST', '/tenants/demo/users', { email: 'not-an-email' }, 'email.invalid', 'email'],
      ['POST', '/tenants/demo/users', { email: 'evil\u0000@example.com' }, 'request.invalid', 'email'],
      ['POST', '/tenants/demo/users', { email: 'a@example.com\r\nBcc: x@example.com' }, 'request.invalid', 'email'],
      ['POST', '/tenants/demo/users', { email: `${'a'.repeat(321)}@example.com` }, 'request.invalid', 'email'],
      ['POST', '/tenants/demo/users', {}, 'request.invalid', 'email'],
      ['POST', '/tenants/demo/users', { email: 42 }, 'request.invalid', 'email'],
      ['POST', '/tenants/demo/users', { email: 'short-pw@example.com', password: 'short' }, 'password.too_short', 'password'],
      ['POST', '/tenants/demo/users', { email: 'common-pw@example.com', password: '1qaz2wsx3edc4rfv' }, 'password.common', 'password'],
      ['POST', '/tenants/demo/users', { email: 'p@example.com', profile: 'not an object' }, 'request.invalid', 'profile'],
      ['POST', '/tenants/demo/users', { email: 'p@example.com', email_verified: 'yes' }, 'request.invalid', 'email_verified'],
      ['POST', '/tenants/demo/users', '{"email": ', 'request.invalid'],
      ['POST', '/tenants/demo/users', '[]', 'request.invalid'],
      ['GET', '/tenants/demo/users?limit=0', undefined, 'request.invalid', 'limit'],
      ['GET', '/tenants/demo/users?limit=201', undefined, 'request.invalid', 'limit'],
      ['GET', '/tenants/demo/users?limit=ten', undefined, 'request.invalid', 'limit'],
      ['GET', '/tenants/demo/users?status=deleted', undefined, 'request.invalid', 'status'],
      ['GET', '/tenants/demo/users?cursor=%00%01', undefined, 'request.invalid', 'cursor'],
      ['GET', '/tenants/demo/users?email=a%0Ab', undefined, 'request.invalid', 'email'],
      ['GET', '/tenants/demo/users?sort=email', undefined, 'request.invalid', 'sort'],
      ['GET', '/tenants/demo/users/usr.not-an-id', undefined, 'request.invalid', 'userId'],
    ];
    for (const [method, path, body, code, field] of cases) {
      const response = await api(method, path, body);
      const label = `${method} ${path} ${JSON.stringify(body)}`;
      expect(response.status, label).toBe(400);
      expect(response.body.error, label).toBe(code);
      if (field) expect(response.body.field, label).toBe(field);
    }
  });

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/plain' },
      body: 'email=a@example.com',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('request.invalid');
  });
});
