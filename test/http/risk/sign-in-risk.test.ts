// The risk engine on the sign-in page, end to end over HTTP on both engines: addresses come from
// X-Forwarded-For (a trusted proxy), places from the shipped geolocation data, time from a clock
// the test moves. A familiar sign-in passes untouched; a new device is told by mail; impossible
// travel is asked for a code by email; a breached password is changed first; one source trying
// many accounts meets a bot challenge before its guesses are checked. Each defence is also
// switched off through the tenant's policy, and the attack then gets through.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FormClient, linkIn, solveBotChallenge } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, storedRiskEvents, type TestServer } from '../../support/server.ts';
import { OTHER_PASSWORD, PASSWORD, registerAndVerify, signIn, uniqueEmail } from '../self-service/flows.ts';
import { CAMBRIDGE_UK, HOUR, US } from '../../support/places.ts';


describe.each(engines)('risk-based sign-in (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const from = (client: FormClient, ip: string) => {
    client.headers['x-forwarded-for'] = ip;
    return client;
  };
  const riskEvents = async (userId: string) => (await storedRiskEvents(server, { tenantId: 'demo', userId, limit: 20 })).items;
  const userId = async (email: string) => (await server.services.store.users.findByEmail('demo', email))!.id;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}/admin/api/v1${path}`, { method, headers: { authorization: `Bearer ${server.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  /** The tenant's risk policy, through the admin API (null: back to the defaults). */
  const setRisk = async (risk: Record<string, unknown> | null) => {
    const response = await admin('PATCH', '/tenants/demo', { settings: { risk } });
    expect(response.status).toBe(200);
  };

  it('a known customer on a known device and network signs in with no extra step and no mail', async () => {
    const email = uniqueEmail('regular');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    // The first sign-in from home (new network and country for this account, same browser) is allowed.
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    for (let i = 0; i < 5; i += 1) {
      now += 6 * HOUR;
      const { response } = await signIn(server, 'demo', email, PASSWORD, home);
      expect(response.status).toBe(303);
      expect(response.location).toBe('/t/demo/account');
    }
    const events = await riskEvents(await userId(email));
    expect(events[0]).toMatchObject({ stage: 'after', action: 'allow', score: 0, country: 'GB' });
    expect((await server.mailTo(email)).map((m) => m.subject)).not.toContain('New sign-in to your Demo account');
  });

  it('a sign-in from a new browser is allowed and the owner is told by mail', async () => {
    const email = uniqueEmail('newdevice');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    await signIn(server, 'demo', email, PASSWORD, home);
    now += 60_000;
    // Another browser on the same network: only the device is new.
    const other = from(new FormClient(server.baseUrl), '131.111.0.2');
    const { response } = await signIn(server, 'demo', email, PASSWORD, other);
    expect(response.location).toBe('/t/demo/account');
    const [mail] = await server.mailTo(email);
    expect(mail!.subject).toBe('New sign-in to your Demo account');
    expect(mail!.text).toContain('GB');
    const [event] = await riskEvents(await userId(email));
    expect(event!.action).toBe('notify');
    expect(event!.reasons.map((r) => r.signal)).toContain('new_device');

    // Switched off in the policy: no mail.
    await setRisk({ notify_new_device: false });
    try {
      const before = (await server.mailTo(email)).length;
      await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), '131.111.0.3'));
      expect((await server.mailTo(email)).length).toBe(before);
    } finally {
      await setRisk(null);
    }
  });

  it('impossible travel asks for a code sent to the verified address, and the code completes the sign-in', async () => {
    const email = uniqueEmail('traveller');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    now += 10 * 60_000; // ten minutes later, across the Atlantic, another browser
    const far = from(new FormClient(server.baseUrl), US);
    const { response } = await signIn(server, 'demo', email, PASSWORD, far);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/t/demo/login/email/code?notice=confirm_sign_in');
    expect((await far.get('/t/demo/account')).status).toBe(303); // not signed in yet
    const [event] = await riskEvents(await userId(email));
    expect(event).toMatchObject({ stage: 'after', action: 'challenge', country: 'US' });
    const travel = event!.reasons.find((r) => r.signal === 'impossible_travel');
    expect(travel?.reason).toMatch(/km from the previous sign-in .*\(GB → US\)/);

    const [mail] = await server.mailTo(email);
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    await far.get('/t/demo/login/email/code?notice=confirm_sign_in');
    const done = await far.post('/t/demo/login/email/code', { code });
    expect(done.status).toBe(303);
    expect((await far.get('/t/demo/account')).status).toBe(200);

    // The admin reads why: the challenge, each signal's points and reason.
    const listed = await admin('GET', `/tenants/demo/risk-events?user_id=${encodeURIComponent(await userId(email))}&action=challenge`);
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as { items: { score: number; country: string; reasons: { signal: string; points: number; reason: string }[] }[] };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.country).toBe('US');
    expect(page.items[0]!.reasons.map((r) => r.signal)).toEqual(expect.arrayContaining(['impossible_travel', 'new_device', 'new_country']));
    expect(page.items[0]!.reasons.reduce((sum, r) => sum + r.points, 0)).toBeGreaterThanOrEqual(page.items[0]!.score);

    // The same trip at an airliner's pace is no longer impossible: hours later, no code asked.
    now += 12 * HOUR;
    const later = await signIn(server, 'demo', email, PASSWORD, home);
    expect(later.response.location).toBe('/t/demo/account');
  });

  it('a right password that is on the breached list must be changed before going on', async () => {
    const breached = 'password1234';
    expect(server.services.blocklist.has(breached)).toBe(true);
    const email = uniqueEmail('breached');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    const id = await userId(email);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    // Set before the list grew (registration refuses it today).
    await server.services.store.passwords.set({ userId: id, tenantId: 'demo', hash: await server.services.hasher.hash(breached), updatedAt: now });
    const known = await signIn(server, 'demo', email, breached, home);
    expect(known.response.location).toMatch(/^\/t\/demo\/reset\?token=[^&]+&notice=password_breached$/);
    expect((await home.get(known.response.location!)).text).toContain('appears in a known data breach');
    // From a stranger's browser the link goes to the mailbox instead.
    const stranger = await signIn(server, 'demo', email, breached, from(new FormClient(server.baseUrl), US));
    expect(stranger.response.location).toBe('/t/demo/check-email?kind=password_breached');
    const [mail] = await server.mailTo(email);
    expect(linkIn(mail!.text, '/t/demo/reset')).toContain('token=');
  });

  it('one source trying many accounts meets a bot challenge before its guesses are checked', async () => {
    const bot = from(new FormClient(server.baseUrl, { 'user-agent': 'python-requests/2.32' }), '203.0.113.50');
    bot.solvesBotChallenges = false;
    const verify = vi.spyOn(server.services.hasher, 'verify');
    const dummy = vi.spyOn(server.services.hasher, 'verifyDummy');
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1) statuses.push((await signIn(server, 'demo', uniqueEmail('victim'), OTHER_PASSWORD, bot)).response.status);
    const firstChallenge = statuses.indexOf(403);
    // The automation user agent alone is enough: challenged from the very first attempt (and,
    // past the per-address limit, throttled).
    expect(firstChallenge).toBe(0);
    expect(statuses.every((s) => s === 403 || s === 429)).toBe(true);
    expect(verify.mock.calls.length + dummy.mock.calls.length).toBe(0);
    verify.mockRestore();
    dummy.mockRestore();

    // A browser-looking client is challenged once the address has tried a handful of accounts; the
    // tenant's alert address hears of it once.
    await setRisk({ alert_emails: ['security@demo.example'] });
    const quiet = from(new FormClient(server.baseUrl), '203.0.113.51');
    quiet.solvesBotChallenges = false;
    const seen: number[] = [];
    for (let i = 0; i < 40; i += 1) seen.push((await signIn(server, 'demo', uniqueEmail('victim'), OTHER_PASSWORD, quiet)).response.status);
    const first = seen.indexOf(403);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(8);
    expect(seen.slice(first).every((s) => s === 403 || s === 429)).toBe(true);
    // Queued by a subscriber of the event bus: it may land after the answer that raised it.
    const alerts = await vi.waitFor(async () => {
      const found = await server.mailTo('security@demo.example');
      expect(found.map((m) => m.subject)).toEqual(['Credential stuffing against Demo']);
      return found;
    }, { timeout: 15_000, interval: 50 });
    expect(alerts[0]!.text).toMatch(/The address 203\.0\.113\.51 has tried passwords for \d+ accounts of Demo/);

    // Solving the challenge costs more the riskier the source: the expected work at this score is above the threshold's.
    const page = await quiet.get('/t/demo/login');
    expect(page.text).toContain('data-bot-challenge');

    // Switched off (the signal weighs nothing): the same traffic is only rate limited, never challenged.
    await setRisk({ weights: { ip_distinct_accounts: 0, ip_failures: 0 } });
    try {
      const open = from(new FormClient(server.baseUrl), '203.0.113.52');
      open.solvesBotChallenges = false;
      const unchecked: number[] = [];
      for (let i = 0; i < 20; i += 1) unchecked.push((await signIn(server, 'demo', uniqueEmail('victim'), OTHER_PASSWORD, open)).response.status);
      expect(unchecked).not.toContain(403);
    } finally {
      await setRisk(null);
    }
  });

  it('a client that runs the page script passes the challenge; a forged or replayed answer does not', async () => {
    const email = uniqueEmail('behindnat');
    await registerAndVerify(server, 'demo', email);
    const shared = from(new FormClient(server.baseUrl), '203.0.113.60');
    for (let i = 0; i < 8; i += 1) await signIn(server, 'demo', uniqueEmail('victim'), OTHER_PASSWORD, shared);
    // The owner behind the same address, in a browser: the challenge is solved and they get in.
    const owner = from(new FormClient(server.baseUrl), '203.0.113.60');
    const page = await owner.get('/t/demo/login');
    expect(page.text).toContain('data-bot-challenge');
    const answer = await solveBotChallenge(owner.lastBotChallenge!);
    const ok = await owner.post('/t/demo/login', { email, password: PASSWORD, bot_solution: answer });
    expect(ok.status).toBe(303);

    // The same answer again (a bot replaying one solved challenge) is refused.
    const replayer = from(new FormClient(server.baseUrl), '203.0.113.60');
    await replayer.get('/t/demo/login');
    const replay = await replayer.post('/t/demo/login', { email, password: PASSWORD, bot_solution: answer });
    expect(replay.status).toBe(403);

    // A made-up answer counts as a failed challenge.
    const forger = from(new FormClient(server.baseUrl), '203.0.113.60');
    await forger.get('/t/demo/login');
    const forged = await forger.post('/t/demo/login', { email, password: PASSWORD, bot_solution: Buffer.from('{"challenge":{"parameters":{}},"solution":{}}').toString('base64') });
    expect(forged.status).toBe(403);
  });

  it('the risk policy is read and changed through the admin API, and bad policies are refused', async () => {
    await setRisk({ weights: { new_device: 40 }, thresholds: { challenge: 50, deny: 95 }, ip_deny: ['192.0.2.0/24'], country_allow: ['GB'] });
    const tenant = (await (await admin('GET', '/tenants/demo')).json()) as { settings: { risk: unknown } };
    expect(tenant.settings.risk).toEqual({ weights: { new_device: 40 }, thresholds: { challenge: 50, deny: 95 }, ip_deny: ['192.0.2.0/24'], country_allow: ['GB'] });
    // A denied range is refused before any password is checked.
    const denied = await signIn(server, 'demo', uniqueEmail('x'), PASSWORD, from(new FormClient(server.baseUrl), '192.0.2.7'));
    expect(denied.response.status).toBe(403);
    expect(denied.response.text).toContain('This attempt was blocked');
    for (const bad of [{ weights: { no_such_signal: 10 } }, { weights: { new_device: 101 } }, { thresholds: { challenge: 60, deny: 50 } }, { ip_allow: ['not-a-range'] }, { country_deny: ['gb'] }, { alert_emails: ['not an address'] }]) {
      const response = await admin('PATCH', '/tenants/demo', { settings: { risk: bad } });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    await setRisk(null);
    expect(((await (await admin('GET', '/tenants/demo')).json()) as { settings: { risk?: unknown } }).settings.risk).toBeUndefined();
  });

  it("the owner sees recent sign-ins on the account page, and \"This wasn't me\" there ends every session and locks the password", async () => {
    const email = uniqueEmail('reporter');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    await signIn(server, 'demo', email, PASSWORD, home);
    now += 60_000;
    const intruder = from(new FormClient(server.baseUrl, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0' }), '131.111.0.9');
    expect((await signIn(server, 'demo', email, PASSWORD, intruder)).response.location).toBe('/t/demo/account');
    now += 60_000;
    const page = await home.get('/t/demo/account');
    expect(page.text).toContain('Recent sign-ins');
    expect(page.text).toContain('Firefox on Windows');
    expect(page.text).toContain('<dd>GB</dd>');
    const reported = /action="(\/t\/demo\/account\/sign-ins\/[^"]+\/report)"/.exec(page.text)![1]!;
    const done = await home.post(reported, {});
    expect(done.location).toBe('/t/demo/login?notice=sign_in_reported');
    expect((await home.get('/t/demo/account')).status).toBe(303);
    expect((await intruder.get('/t/demo/account')).status).toBe(303);
    // The password no longer signs in, right or not — until the mailed reset.
    const locked = await signIn(server, 'demo', email, PASSWORD, from(new FormClient(server.baseUrl), CAMBRIDGE_UK));
    expect(locked.response.status).toBe(403);
    expect(locked.response.text).toContain('can no longer be used');
    const [mail] = await server.mailTo(email);
    const reset = new URL(linkIn(mail!.text, '/t/demo/reset'));
    const resetter = new FormClient(server.baseUrl);
    await resetter.get(reset.pathname + reset.search);
    expect((await resetter.post('/t/demo/reset', { token: reset.searchParams.get('token')!, password: OTHER_PASSWORD })).status).toBe(303);
    expect((await signIn(server, 'demo', email, OTHER_PASSWORD, from(new FormClient(server.baseUrl), CAMBRIDGE_UK))).response.status).toBe(303);
    const audit = await server.services.store.audit.query({ tenantId: 'demo', subject: await userId(email), action: 'user.sign_in_reported', limit: 5 });
    expect(audit.items[0]!.details).toMatchObject({ via: 'account', resetRequired: true });
  });

  it("the new-device mail's \"This wasn't me\" link does the same, once", async () => {
    const email = uniqueEmail('mailreport');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    await signIn(server, 'demo', email, PASSWORD, home);
    now += 60_000;
    const intruder = from(new FormClient(server.baseUrl), '131.111.0.10');
    await signIn(server, 'demo', email, PASSWORD, intruder);
    const [mail] = await server.mailTo(email);
    expect(mail!.subject).toBe('New sign-in to your Demo account');
    const link = new URL(linkIn(mail!.text, '/t/demo/report-sign-in'));
    const owner = new FormClient(server.baseUrl);
    const confirm = await owner.get(link.pathname + link.search);
    expect(confirm.status).toBe(200);
    // Opening the link changes nothing (mail scanners open links): only the button does.
    expect((await intruder.get('/t/demo/account')).status).toBe(200);
    const done = await owner.post('/t/demo/report-sign-in', { token: link.searchParams.get('token')! });
    expect(done.location).toBe('/t/demo/login?notice=sign_in_reported');
    expect((await intruder.get('/t/demo/account')).status).toBe(303);
    expect((await home.get('/t/demo/account')).status).toBe(303);
    const again = await owner.post('/t/demo/report-sign-in', { token: link.searchParams.get('token')! });
    expect(again.status).toBe(410);
  });

  it('a signed-in session is re-assessed when it comes back from another network: impossible travel or another browser ends it', async () => {
    const email = uniqueEmail('roamer');
    const home = from(await registerAndVerify(server, 'demo', email), CAMBRIDGE_UK);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    // The same browser on another network nearby (home wifi to the phone's network): kept.
    from(home, '131.111.8.1');
    now += 5 * 60_000;
    expect((await home.get('/t/demo/account')).status).toBe(200);

    // The cookie copied into another browser on another network: the session ends at once.
    const thief = from(new FormClient(server.baseUrl, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' }), '131.111.5.5');
    thief.cookies.set('__Host-fd-session-demo', home.cookies.get('__Host-fd-session-demo')!);
    expect((await thief.get('/t/demo/account')).status).toBe(303);
    expect((await home.get('/t/demo/account')).status).toBe(303); // the owner signs in again
    const [ended] = await riskEvents(await userId(email));
    expect(ended).toMatchObject({ kind: 'session_use', action: 'deny' });
    expect(ended!.reasons[0]!.reason).toMatch(/the session started on .* and came back from Firefox on Linux/);

    // Signed in again in Cambridge; ten minutes later the same browser's cookie is used from the US.
    from(home, CAMBRIDGE_UK);
    expect((await signIn(server, 'demo', email, PASSWORD, home)).response.location).toBe('/t/demo/account');
    now += 10 * 60_000;
    from(home, US);
    expect((await home.get('/t/demo/account')).status).toBe(303);
    const [travelled] = await riskEvents(await userId(email));
    expect(travelled!.reasons.map((r) => r.signal)).toContain('impossible_travel');
    const audit = await server.services.store.audit.query({ tenantId: 'demo', subject: await userId(email), action: 'user.session_ended', limit: 5 });
    expect(audit.items).toHaveLength(2);
  });
});
