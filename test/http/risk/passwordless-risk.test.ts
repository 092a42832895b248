// Passkey and email sign-ins are assessed like a password once they prove who it is: the risk event
// explains them (impossible travel here), the method itself counts as the step-up a challenge would
// ask for, and the tenant's deny lists refuse them. Both engines, through a trusted proxy, on a
// clock the test moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { setTenantSettings, startTestServer, storedRiskEvents, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { CAMBRIDGE_UK, HOUR, US } from '../../support/places.ts';

const SESSION = '__Host-fd-session-demo';
const PASSKEY_SIGN_IN = '/t/demo/login/passkey';

describe.each(engines)('passkey and email sign-ins and the risk engine (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const client = (ip: string) => new FormClient(server.baseUrl, { 'x-forwarded-for': ip });
  const setRisk = (risk: Record<string, unknown> | null) => setTenantSettings(server, { risk });
  const newestAfter = async (userId: string) => (await storedRiskEvents(server, { tenantId: 'demo', userId, limit: 20 })).items.find((e) => e.stage === 'after');

  /** A user who signed in with a password at home (Cambridge) and added a passkey there. */
  async function userWithPasskey() {
    const email = `pwless.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const home = client(CAMBRIDGE_UK);
    await home.get('/t/demo/login');
    expect((await home.post('/t/demo/login', { email, password: PASSWORD })).status).toBe(303);
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const account = await home.get('/t/demo/account');
    const added = await home.post('/t/demo/account/passkeys', { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, '/t/demo/account/passkeys'))) });
    expect(added.location).toBe('/t/demo/account?notice=passkey_added');
    await home.post('/t/demo/logout', {});
    return { user, email, authenticator };
  }

  async function passkeySignIn(authenticator: SoftAuthenticator, ip: string) {
    const browser = client(ip);
    const page = await browser.get('/t/demo/login');
    const response = await browser.post(PASSKEY_SIGN_IN, { response: JSON.stringify(authenticator.get(ceremonyOptions(page.text, PASSKEY_SIGN_IN))) });
    return { browser, response };
  }

  async function emailCodeSignIn(email: string, ip: string) {
    const browser = client(ip);
    await browser.get('/t/demo/login');
    expect((await browser.post('/t/demo/login/email', { email })).location).toBe('/t/demo/login/email/code');
    const [mail] = (await server.mailTo(email)).filter((m) => / is your Demo sign-in code$/.test(m.subject));
    const code = /^(\d{6}) is your/.exec(mail!.subject)![1]!;
    return { browser, response: await browser.post('/t/demo/login/email/code', { code }) };
  }

  it('a passkey sign-in from across the world an hour later is explained, and the passkey meets the challenge', async () => {
    const { user, authenticator } = await userWithPasskey();
    now += HOUR;
    const { browser, response } = await passkeySignIn(authenticator, US);
    expect(response.location).toBe('/t/demo/account');
    expect(browser.cookies.has(SESSION)).toBe(true);
    const event = await newestAfter(user.id);
    expect(event).toMatchObject({ kind: 'sign_in', stage: 'after', action: 'allow', country: 'US' });
    expect(event!.score).toBeGreaterThanOrEqual(40);
    expect(event!.reasons.map((r) => r.signal)).toEqual(expect.arrayContaining(['impossible_travel', 'new_device', 'new_country']));
  });

  it("the tenant's deny list refuses a passkey and an emailed code as it refuses a password", async () => {
    const { user, authenticator } = await userWithPasskey();
    now += HOUR;
    await setRisk({ ip_deny: ['8.8.8.0/24'] });
    try {
      const byPasskey = await passkeySignIn(authenticator, US);
      expect(byPasskey.response.status).toBe(403);
      expect(byPasskey.browser.cookies.has(SESSION)).toBe(false);
      expect(await newestAfter(user.id)).toMatchObject({ stage: 'after', action: 'deny' });

      // (A user with a passkey is asked for it after the code; this one has only the address.)
      const emailOnly = `pwless.${engine}.${++seq}@example.com`;
      await makeUser(server, emailOnly);
      const byEmail = await emailCodeSignIn(emailOnly, US);
      expect(byEmail.response.status).toBe(403);
      expect(byEmail.browser.cookies.has(SESSION)).toBe(false);

      // From home both still work.
      expect((await passkeySignIn(authenticator, CAMBRIDGE_UK)).response.location).toBe('/t/demo/account');
    } finally {
      await setRisk(null);
    }
    // With the list gone the same address gets in by passkey.
    expect((await passkeySignIn(authenticator, US)).response.location).toBe('/t/demo/account');
  });
});
