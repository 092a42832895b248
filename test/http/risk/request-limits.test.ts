// Request limits per endpoint group, per client address and per tenant: a 429 with Retry-After
// (the OAuth error format on OIDC endpoints), sliding windows that free up as time passes, set per
// tenant in the admin API. Both engines. The same limits shared across nodes through Redis are in
// test/cluster/rate-limit.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../support/engines.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../../support/server.ts';

describe.each(engines)('request limits (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
    for (const id of ['limited', 'neighbour']) {
      const created = await admin('POST', '/admin/api/v1/tenants', { id });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  async function admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  }
  const setLimits = (tenant: string, limits: unknown) => setTenantSettings(server, { rate_limits: limits }, tenant);
  const token = (tenant: string, ip: string) =>
    fetch(`${server.baseUrl}/t/${tenant}/oidc/token`, {
      method: 'POST',
      headers: { 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=wrong',
    });
  const page = (tenant: string, ip: string) => fetch(`${server.baseUrl}/t/${tenant}/login`, { headers: { 'x-forwarded-for': ip, accept: 'text/html' } });

  it('limits one address per endpoint group, answers OAuth endpoints in their error format, and slides', async () => {
    await setLimits('limited', { per_address: { token: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await token('limited', '203.0.113.5')).status);
    // Every request counts, whatever it tries: these fail client authentication.
    expect(statuses.every((s) => s === 401 || s === 400)).toBe(true);
    const refused = await token('limited', '203.0.113.5');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const body = (await refused.json()) as Record<string, string>;
    expect(body.error).toBe('rate_limited');
    expect(body.error_description).toMatch(/too many/i);

    // Another address, another group, another tenant: untouched.
    expect((await token('limited', '203.0.113.6')).status).not.toBe(429);
    expect((await page('limited', '203.0.113.5')).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/t/limited/oidc/.well-known/openid-configuration`, { headers: { 'x-forwarded-for': '203.0.113.5' } })).status).toBe(200);
    expect((await token('neighbour', '203.0.113.5')).status).not.toBe(429);

    // A minute after those requests the window has let them go.
    now += 61_000;
    expect((await token('limited', '203.0.113.5')).status).not.toBe(429);

    // 0 lifts the limit.
    await setLimits('limited', { per_address: { token: 0 } });
    for (let i = 0; i < 8; i += 1) expect((await token('limited', '203.0.113.7')).status).not.toBe(429);
  });

  it("caps a tenant as a whole across addresses, without touching its neighbour", async () => {
    await setLimits('limited', { per_tenant: { pages: 8 } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await page('limited', `198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = await page('limited', '198.51.100.50');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('content-type')).toMatch(/text\/html/);
    expect(await refused.text()).toContain('Too many attempts');
    for (let i = 0; i < 10; i += 1) expect((await page('neighbour', `198.51.100.${i + 1}`)).status).toBe(200);
    now += 61_000;
    expect((await page('limited', '198.51.100.60')).status).toBe(200);
    await setLimits('limited', null);
  });

  it('refuses limits that are not whole non-negative numbers for a known endpoint group', async () => {
    for (const bad of [{ per_address: { token: -1 } }, { per_address: { tokens: 5 } }, { per_tenant: { pages: 1.5 } }, { per_host: {} }]) {
      const response = await admin('PATCH', '/admin/api/v1/tenants/limited', { settings: { rate_limits: bad } });
      expect(response.status).toBe(400);
    }
    await setLimits('limited', { per_address: { userinfo: 100 } });
    const read = await admin('GET', '/admin/api/v1/tenants/limited');
    expect(read.json.settings.rate_limits).toEqual({ per_address: { userinfo: 100 } });
  });
});
