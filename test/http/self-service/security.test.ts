// Page hardening: CSRF on every form, headers on every page, throttling with Retry-After, and bad
// input answered with a 4xx and a stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { OTHER_PASSWORD, PASSWORD, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

const PAGES = ['/t/demo/login', '/t/demo/register', '/t/demo/forgot', '/t/demo/check-email', '/t/demo/reset?token=x', '/t/demo/nope', '/dev/mailbox'];

describe.each(engines)('page hardening (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sends CSP, frame and sniffing protections, no-referrer and no-store on every page', async () => {
    const client = new FormClient(server.baseUrl, { accept: 'text/html' });
    for (const path of PAGES) {
      const r = await client.get(path);
      expect(r.headers.get('content-type'), path).toMatch(/text\/html/);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('cache-control'), path).toBe('no-store');
      // Scripts only as our own files (the passkey ceremonies), never inline.
      const inline = r.text.replaceAll('<script src="/assets/webauthn.js" defer></script>', '').replaceAll('<script src="/assets/passkeys.js" defer></script>', '');
      expect(inline, path).not.toMatch(/<script|style=/i);
    }
  });

  it('puts a CSRF token in every form and refuses a post without a valid one', async () => {
    const client = new FormClient(server.baseUrl);
    for (const path of ['/t/demo/login', '/t/demo/register', '/t/demo/forgot']) {
      const page = await client.get(path);
      const forms = page.text.match(/<form/g)?.length ?? 0;
      const tokens = page.text.match(/name="_csrf"/g)?.length ?? 0;
      expect(forms, path).toBeGreaterThan(0);
      expect(tokens, path).toBe(forms);
    }
    const missing = await client.post('/t/demo/login', { _csrf: '', email: 'a@example.com', password: PASSWORD });
    expect(missing.status).toBe(403);
    const other = new FormClient(server.baseUrl);
    await other.get('/t/demo/login');
    const foreign = await client.post('/t/demo/login', { _csrf: other.lastCsrf, email: 'a@example.com', password: PASSWORD });
    expect(foreign.status).toBe(403);
    await client.get('/t/demo/login');
    const crossSite = await client.post('/t/demo/login', { email: 'a@example.com', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
  });

  it('throttles repeated failures on one account with 429 and Retry-After, also for unknown accounts', async () => {
    for (const email of [uniqueEmail('target'), uniqueEmail('ghost')]) {
      if (email.startsWith('target')) await registerAndVerify(server, 'demo', email);
      const client = new FormClient(server.baseUrl, { 'x-test': email });
      let last = 0;
      let retryAfter: string | null = null;
      for (let i = 0; i < 11; i += 1) {
        const r = (await signIn(server, 'demo', email, OTHER_PASSWORD, client)).response;
        last = r.status;
        retryAfter = r.headers.get('retry-after');
      }
      expect(last, email).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    }
  });

  it('answers malformed, oversized and mistyped bodies with a 4xx and a stable code', async () => {
    const post = (path: string, body: string, type: string) =>
      fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${server.adminToken}` }, body });
    const malformed = await post('/admin/api/v1/tenants', '{"id": ', 'application/json');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe('request.invalid');
    const huge = await post('/admin/api/v1/tenants', JSON.stringify({ id: 'x', name: 'a'.repeat(70_000) }), 'application/json');
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toBe('request.too_large');
    const wrongType = await post('/admin/api/v1/tenants', 'id=x', 'text/csv');
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { error: string }).error).toBe('request.unsupported_media_type');
  });

  it('exposes health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: engine });
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    await signIn(server, 'demo', email, PASSWORD);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/frontdoor_sign_ins_total\{result="success"\} [1-9]/);
    expect(metrics).toContain('frontdoor_http_request_duration_seconds_bucket');
  });

  it('writes audit rows for security events without secrets', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    await signIn(server, 'demo', email, OTHER_PASSWORD);
    const user = await server.services.store.users.findByEmail('demo', email);
    const { items } = await server.services.store.audit.query({ tenantId: 'demo', subject: user!.id, limit: 50 });
    const actions = items.map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual(expect.arrayContaining(['user.registered:success', 'user.email_verified:success', 'user.login:failure']));
    const failure = items.find((e) => e.action === 'user.login' && e.result === 'failure')!;
    expect(failure).toMatchObject({ reason: 'wrong_password' });
    expect(failure.requestId).toBeTruthy();
    const dump = JSON.stringify(items);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(OTHER_PASSWORD);
  });
});
