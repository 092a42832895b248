// Registration and recovery abuse: sign-ups in batches from one address, throwaway addresses, a
// script mailing reset links or verification mails — each meets the bot challenge (which a person's
// browser solves unseen) or, where the tenant says so, a refusal. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { setTenantSettings, startTestServer, storedRiskEvents, type TestServer } from '../../support/server.ts';
import { PASSWORD, register, registerAndVerify, uniqueEmail } from '../self-service/flows.ts';

describe.each(engines)('sign-up and recovery abuse (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });
  const client = (ip: string, options: { solves?: boolean; userAgent?: string } = {}) => {
    const c = new FormClient(server.baseUrl, { 'x-forwarded-for': ip, ...(options.userAgent ? { 'user-agent': options.userAgent } : {}) });
    c.solvesBotChallenges = options.solves ?? true;
    return c;
  };
  const setRisk = (risk: Record<string, unknown> | null) => setTenantSettings(server, { risk });

  it('sign-ups in a batch from one address meet the bot challenge; a person behind it still signs up', async () => {
    const script = client('203.0.113.90', { solves: false });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await register(script, 'demo', uniqueEmail('batch'), PASSWORD)).status);
    const first = statuses.indexOf(403);
    expect(first).toBeGreaterThanOrEqual(3);
    expect(first).toBeLessThanOrEqual(8);
    expect(statuses.slice(first).every((s) => s === 403)).toBe(true);
    const events = await storedRiskEvents(server, { tenantId: 'demo', kind: 'registration', action: 'challenge', limit: 1 });
    expect(events.items[0]!.reasons[0]!.reason).toMatch(/accounts registered from this address in the last hour/);
    // A person at the same address, whose browser runs the page's script.
    const person = client('203.0.113.90');
    expect((await register(person, 'demo', uniqueEmail('person'), PASSWORD)).status).toBe(303);
  });

  it('a disposable address is challenged by default and refused where the tenant says so', async () => {
    const throwaway = () => `x${Date.now()}${Math.random().toString(36).slice(2, 6)}@mailinator.com`;
    expect((await register(client('198.51.100.91', { solves: false }), 'demo', throwaway(), PASSWORD)).status).toBe(403);
    expect((await register(client('198.51.100.92'), 'demo', throwaway(), PASSWORD)).status).toBe(303);
    await setRisk({ disposable_email: 'refuse' });
    try {
      const refused = await register(client('198.51.100.93'), 'demo', throwaway(), PASSWORD);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('disposable email providers are not accepted');
      expect((await register(client('198.51.100.94'), 'demo', uniqueEmail('kept'), PASSWORD)).status).toBe(303);
    } finally {
      await setRisk(null);
    }
  });

  it('a script mailing reset links meets the bot challenge; a verification resend from it sends nothing', async () => {
    const email = uniqueEmail('resetme');
    await registerAndVerify(server, 'demo', email);
    const before = (await server.mailTo(email)).length;
    const script = client('203.0.113.95', { solves: false, userAgent: 'python-requests/2.32' });
    await script.get('/t/demo/forgot');
    expect((await script.post('/t/demo/forgot', { email })).status).toBe(403);
    expect((await server.mailTo(email)).length).toBe(before);
    // The same from a person's browser goes through.
    const person = client('203.0.113.96');
    await person.get('/t/demo/forgot');
    expect((await person.post('/t/demo/forgot', { email })).location).toBe('/t/demo/check-email?kind=reset_requested');
    expect((await server.mailTo(email)).length).toBe(before + 1);

    const pending = uniqueEmail('pending');
    await register(client('203.0.113.97'), 'demo', pending, PASSWORD);
    const mailsBefore = (await server.mailTo(pending)).length;
    await script.get('/t/demo/login');
    const resent = await script.post('/t/demo/verify/resend', { email: pending });
    expect(resent.location).toBe('/t/demo/check-email?kind=verification_resent'); // the usual answer…
    expect((await server.mailTo(pending)).length).toBe(mailsBefore); // …and no mail
  });
});
