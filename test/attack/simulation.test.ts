// Attack simulations: scripted traffic replayed against a running node over HTTP, on both engines.
// Addresses come from X-Forwarded-For (the node trusts its proxy), time from a clock the test
// moves between scenarios. The numbers the issue sets are asserted here:
// - 1,000 customers on their usual browsers sign in with zero challenges (5% mistype once first);
// - credential stuffing over 1,000 accounts from five addresses is stopped within a few dozen
//   attempts: later attempts never reach a password check;
// - a password spray from hundreds of addresses (two accounts each, invisible per source) trips the
//   tenant-wide failure spike: strangers are challenged, customers on their own browsers are not;
// - each detection raises a security event, and each challenge is explained in the risk events.
// Brute force against one account, impossible travel, breached passwords and limits across two
// nodes are simulated in test/http/risk/ and test/cluster/.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SecurityEvent } from '../../src/core/events/security-events.ts';
import { FormClient } from '../support/client.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, storedRiskEvents, type TestServer } from '../support/server.ts';
import { BROWSER_UA, runAll, seedCustomers } from '../support/traffic.ts';

const PASSWORD = 'Lantern-Orchard-Velvet-482';
const WRONG = 'Winter2024!';
const MINUTE = 60_000;

describe.each(engines)('attack simulation (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  const events: SecurityEvent[] = [];
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
    server.services.flows.events.subscribe((event) => {
      events.push(event);
    });
    for (const id of ['shop', 'spray']) {
      const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
      expect(response.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  /** One sign-in as a browser does it (page, then form): the answer's status and where it sends the browser. */
  async function signIn(client: FormClient, tenant: string, email: string, password: string) {
    await client.get(`/t/${tenant}/login`);
    const response = await client.post(`/t/${tenant}/login`, { email, password });
    return { status: response.status, location: response.location };
  }
  const challengedOrRefused = (status: number) => status === 403 || status === 429;
  const hashChecks = () => {
    const verify = vi.spyOn(server.services.hasher, 'verify');
    const dummy = vi.spyOn(server.services.hasher, 'verifyDummy');
    return {
      count: () => verify.mock.calls.length + dummy.mock.calls.length,
      restore: () => {
        verify.mockRestore();
        dummy.mockRestore();
      },
    };
  };

  it('1,000 customers on their usual browsers sign in with zero challenges', async () => {
    const customers = await seedCustomers(server.services, server.baseUrl, 'shop', 1000, PASSWORD, (i) => `131.111.${i >> 8}.${(i & 255) + 1}`);
    now += MINUTE;
    const outcomes = await runAll(customers, 4, async (customer, i) => {
      // One in twenty mistypes first, as people do.
      if (i % 20 === 0) expect((await signIn(customer.browser, 'shop', customer.email, `${PASSWORD}x`)).status).toBe(401);
      return signIn(customer.browser, 'shop', customer.email, PASSWORD);
    });
    const notStraightIn = outcomes.filter((o) => o.status !== 303 || o.location !== '/t/shop/account');
    expect(notStraightIn).toEqual([]);
    // Nothing was challenged or refused, and nobody was mailed about a new device.
    const challenged = await storedRiskEvents(server, { tenantId: 'shop', action: 'challenge', limit: 10 });
    expect(challenged.items).toEqual([]);
    const mails = await server.services.store.mailOutbox.listRecent(2000);
    expect(mails.filter((m) => m.subject.startsWith('New sign-in'))).toEqual([]);
  }, 240_000);

  it('credential stuffing over 1,000 accounts from five addresses is stopped within a few dozen attempts', async () => {
    now += 10 * MINUTE;
    const real = await seedCustomers(server.services, server.baseUrl, 'shop', 300, PASSWORD, (i) => `81.2.69.${(i % 250) + 1}`, 'leaked');
    // The list: 300 real addresses with leaked (wrong) passwords, 700 that have no account here.
    const list = [...real.map((c) => c.email), ...Array.from({ length: 700 }, (_, i) => `nobody.${i}@example.net`)].sort(() => Math.random() - 0.5);
    const bots = Array.from({ length: 5 }, (_, i) => {
      // A careful bot: a real browser's user agent, cookies kept — but it does not run the page's script.
      const client = new FormClient(server.baseUrl, { 'user-agent': BROWSER_UA, 'x-forwarded-for': `45.155.205.${10 + i}` });
      client.solvesBotChallenges = false;
      return client;
    });
    const checks = hashChecks();
    const statuses: number[] = [];
    for (let i = 0; i < list.length; i += 1) statuses.push((await signIn(bots[i % bots.length]!, 'shop', list[i]!, WRONG)).status);
    const checked = checks.count();
    checks.restore();

    expect(checked).toBeLessThanOrEqual(40); // a few dozen guesses checked, out of 1,000
    const firstStopped = statuses.findIndex(challengedOrRefused);
    expect(firstStopped).toBeLessThanOrEqual(40);
    expect(statuses.slice(40).every(challengedOrRefused)).toBe(true);
    const stuffing = events.filter((e) => e.type === 'attack.credential_stuffing' && e.tenantId === 'shop');
    expect(stuffing.map((e) => e.details.ip).sort()).toEqual(bots.map((_, i) => `45.155.205.${10 + i}`).sort());
    // The admin can read why: the challenges name the many accounts tried from one address.
    const explained = await storedRiskEvents(server, { tenantId: 'shop', action: 'challenge', limit: 1 });
    expect(explained.items[0]!.reasons.map((r) => r.signal)).toContain('ip_distinct_accounts');

    // Meanwhile customers on their own browsers are not touched.
    const customers = real.slice(0, 20);
    for (const customer of customers) expect(await signIn(customer.browser, 'shop', customer.email, PASSWORD)).toEqual({ status: 303, location: '/t/shop/account' });
  }, 240_000);

  it('a password spray from hundreds of addresses trips the tenant-wide spike: strangers are challenged, customers are not', async () => {
    now += 10 * MINUTE;
    const customers = await seedCustomers(server.services, server.baseUrl, 'spray', 150, PASSWORD, (i) => `131.111.200.${(i % 250) + 1}`, 'sprayed');
    const checks = hashChecks();
    const statuses: number[] = [];
    // 300 addresses, each trying two accounts once with a common password: no single source stands out.
    for (let i = 0; i < 300; i += 1) {
      const client = new FormClient(server.baseUrl, { 'user-agent': BROWSER_UA, 'x-forwarded-for': `100.${64 + (i >> 8)}.${i & 255}.7` });
      client.solvesBotChallenges = false;
      for (const customer of [customers[(2 * i) % 150]!, customers[(2 * i + 1) % 150]!]) statuses.push((await signIn(client, 'spray', customer.email, WRONG)).status);
    }
    const checked = checks.count();
    checks.restore();

    const firstStopped = statuses.findIndex(challengedOrRefused);
    expect(firstStopped).toBeGreaterThanOrEqual(40); // a spray looks like nothing at first…
    expect(firstStopped).toBeLessThanOrEqual(80); // …until the tenant's failure ratio gives it away
    expect(statuses.slice(firstStopped).every(challengedOrRefused)).toBe(true);
    expect(checked).toBeLessThanOrEqual(80);
    expect(events.some((e) => e.type === 'attack.failure_spike' && e.tenantId === 'spray')).toBe(true);
    const explained = await storedRiskEvents(server, { tenantId: 'spray', action: 'challenge', limit: 1 });
    expect(explained.items[0]!.reasons.map((r) => r.signal)).toContain('tenant_failure_spike');

    // During the spike, customers on their usual browsers sign in untouched.
    for (const customer of customers.slice(0, 20)) expect(await signIn(customer.browser, 'spray', customer.email, PASSWORD)).toEqual({ status: 303, location: '/t/spray/account' });
    // A customer on a new browser meets the challenge — which the page solves for a person.
    const newLaptop = new FormClient(server.baseUrl, { 'user-agent': BROWSER_UA, 'x-forwarded-for': customers[0]!.ip });
    const page = await newLaptop.get('/t/spray/login');
    expect(page.text).toContain('data-bot-challenge');
    const solved = await newLaptop.post('/t/spray/login', { email: customers[0]!.email, password: PASSWORD });
    expect(solved.status).toBe(303);
  }, 240_000);

  it('with the spike signal weighing nothing, the same spray is never challenged', async () => {
    now += 10 * MINUTE;
    const created = await fetch(`${server.baseUrl}/admin/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'spray-off', settings: { risk: { weights: { tenant_failure_spike: 0 } } } }),
    });
    expect(created.status).toBe(201);
    const customers = await seedCustomers(server.services, server.baseUrl, 'spray-off', 60, PASSWORD, (i) => `131.111.201.${i + 1}`, 'unguarded');
    const statuses: number[] = [];
    for (let i = 0; i < 120; i += 1) {
      const client = new FormClient(server.baseUrl, { 'user-agent': BROWSER_UA, 'x-forwarded-for': `100.80.${i}.7` });
      client.solvesBotChallenges = false;
      statuses.push((await signIn(client, 'spray-off', customers[i % 60]!.email, WRONG)).status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
  }, 120_000);
});
