// Brute force on one account must not become a weapon against its owner: failures slow down and
// then hold attempts from unfamiliar devices, while the owner still signs in from a device the
// account knows and by passkey. At 100 consecutive failures (NIST SP 800-63B) the password stops
// working from unfamiliar devices until the owner proves the verified address or an admin lifts it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { OTHER_PASSWORD, PASSWORD, registerAndVerify, signIn, uniqueEmail } from '../self-service/flows.ts';

const HOME_IP = '131.111.0.1';
const SECOND_FACTOR = '/t/demo/login/second-factor';

describe.each(engines)('no lockout weapon (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
    // This file is about the account's failure limits and hold, not about the bot challenge that
    // velocity also raises (sign-in-risk.test.ts): the velocity signals weigh nothing here.
    await setTenantSettings(server, { risk: { weights: { account_failures: 0, account_distinct_ips: 0, ip_failures: 0, ip_distinct_accounts: 0 }, alert_emails: ['soc@demo.example'] } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const from = (client: FormClient, ip: string) => {
    client.headers['x-forwarded-for'] = ip;
    return client;
  };
  let attackerIp = 0;
  const attacker = () => from(new FormClient(server.baseUrl), `198.51.100.${(attackerIp++ % 250) + 1}`);

  it('the owner signs in from a known device and by passkey throughout a brute force; the hold starts at 100 and the verified address lifts it', async () => {
    const email = uniqueEmail('target');
    const home = from(await registerAndVerify(server, 'demo', email), HOME_IP);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const account = await home.get('/t/demo/account');
    expect((await home.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) })).status).toBe(303);
    const userId = (await server.services.store.users.findByEmail('demo', email))!.id;

    let failures = 0;
    const guess = async () => {
      const { response } = await signIn(server, 'demo', email, OTHER_PASSWORD, attacker());
      if (response.status === 401) failures += 1;
      return response.status;
    };
    // Ten wrong guesses from ten addresses: the account's window is full for strangers…
    for (let i = 0; i < 10; i += 1) expect(await guess()).toBe(401);
    expect(await guess()).toBe(429);
    // …even one with the right password on a new browser (slowed, not told anything)…
    expect((await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), HOME_IP))).response.status).toBe(429);
    // …but not for the owner's own browser: the password is taken, and the second factor (the
    // passkey they hold) is next as usual.
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe(SECOND_FACTOR);

    // A success from the owner ends the run of consecutive failures; the attack goes on, window after window.
    failures = 0;
    while (failures < 100) {
      now += 16 * 60_000;
      for (let i = 0; i < 10 && failures < 100; i += 1) expect(await guess()).toBe(401);
    }
    expect((await server.services.store.passwords.get('demo', userId))!.consecutiveFailures).toBe(100);
    const [holdMail] = await server.mailTo(email);
    expect(holdMail!.subject).toBe('Many failed sign-ins to your Demo account');
    // The tenant's alert address is told which account, never its email address. The alert is
    // queued by a subscriber of the event bus, which may finish after the answer to the 100th guess.
    const alerts = await vi.waitFor(async () => {
      const found = (await server.mailTo('soc@demo.example')).filter((m) => m.subject === 'An account at Demo is under attack');
      expect(found).toHaveLength(1);
      return found;
    }, { timeout: 15_000, interval: 50 });
    expect(alerts[0]!.text).toContain(`The account ${userId} of Demo has had 100 wrong passwords in a row`);
    expect(alerts[0]!.text).not.toContain(email);

    // On hold: from a new browser even the right password is not checked, and the answer is the usual one.
    now += 16 * 60_000;
    const verify = vi.spyOn(server.services.hasher, 'verify');
    const stranger = await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), HOME_IP));
    expect(stranger.response.status).toBe(401);
    expect(verify).not.toHaveBeenCalled();
    verify.mockRestore();
    // The owner's known browser and a passkey on a new one still get in.
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe(SECOND_FACTOR);
    const laptop = from(new FormClient(server.baseUrl), HOME_IP);
    const login = await laptop.get('/t/demo/login');
    const byPasskey = await laptop.post('/t/demo/login/passkey', { response: JSON.stringify(authenticator.get(ceremonyOptions(login.text, '/t/demo/login/passkey'))) });
    expect(byPasskey.status).toBe(303);
    expect((await laptop.get('/t/demo/account')).status).toBe(200);
    // A passkey does not lift the hold: only the verified address (or an admin) does.
    expect((await server.services.store.passwords.get('demo', userId))!.consecutiveFailures).toBeGreaterThanOrEqual(100);

    // A code by email proves the address: the hold ends, and the password works anywhere again.
    const phone = from(new FormClient(server.baseUrl), HOME_IP);
    await phone.get('/t/demo/login');
    expect((await phone.post('/t/demo/login/email', { email })).status).toBe(303);
    const [codeMail] = await server.mailTo(email);
    const code = /\b(\d{6})\b/.exec(codeMail!.text)![1]!;
    await phone.get('/t/demo/login/email/code');
    expect((await phone.post('/t/demo/login/email/code', { code })).status).toBe(303);
    expect((await server.services.store.passwords.get('demo', userId))!.consecutiveFailures).toBe(0);
    const audit = await server.services.store.audit.query({ tenantId: 'demo', subject: userId, action: 'user.failure_hold_ended', limit: 1 });
    expect(audit.items).toHaveLength(1);
    expect((await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), HOME_IP))).response.status).toBe(303);
  });

  it('an admin lifts a hold', async () => {
    const email = uniqueEmail('held');
    from(await registerAndVerify(server, 'demo', email), HOME_IP);
    const userId = (await server.services.store.users.findByEmail('demo', email))!.id;
    for (let i = 0; i < 100; i += 1) await server.services.store.passwords.recordFailure('demo', userId);
    now += 16 * 60_000;
    expect((await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), HOME_IP))).response.status).toBe(401);
    const lifted = await fetch(`${server.baseUrl}/admin/api/v1/tenants/demo/users/${userId}/sign-in-hold`, { method: 'DELETE', headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(lifted.status).toBe(204);
    expect((await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), HOME_IP))).response.status).toBe(303);
  });

  it("a copied device cookie is not a way around the limits: ten failures from one familiar browser and it is a stranger again", async () => {
    const email = uniqueEmail('copied');
    const home = from(await registerAndVerify(server, 'demo', email), HOME_IP);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    now += 16 * 60_000;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const thief = attacker();
      for (const [name, value] of home.cookies) if (name.startsWith('__Host-fd-did-')) thief.cookies.set(name, value);
      statuses.push((await signIn(server, 'demo', email, OTHER_PASSWORD, thief)).response.status);
    }
    // Ten guesses as the familiar browser, ten more as a stranger filling the account's window, then throttled.
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  });
});
