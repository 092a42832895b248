// Sensitive account actions are re-assessed: a session used from a browser and place the account
// has not signed in from (a copied session cookie, here) must prove itself again before it adds a
// passkey, even inside the recent-sign-in window; the proof makes the place familiar, so it is asked
// once. Both engines, through a trusted proxy, on a clock the test moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { setTenantSettings, startTestServer, storedRiskEvents, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { CAMBRIDGE_UK, HOUR, PARIS } from '../../support/places.ts';

const ADD_PASSKEY = '/t/demo/account/passkeys';
const DEVICE_COOKIE = '__Host-fd-did-demo';

describe.each(engines)('sensitive actions and the risk engine (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
    // A day-long recent-sign-in window: what asks for proof below is the risk engine, not the clock.
    await setTenantSettings(server, { recent_auth_minutes: 1440 });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signedInAtHome() {
    const email = `sensitive.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const home = new FormClient(server.baseUrl, { 'x-forwarded-for': CAMBRIDGE_UK });
    await home.get('/t/demo/login');
    expect((await home.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/account');
    return { user, home };
  }

  /** The session cookie (not the browser's device cookie) carried to another browser at `ip`. */
  function copiedTo(home: FormClient, ip: string): FormClient {
    const thief = new FormClient(server.baseUrl, { 'x-forwarded-for': ip });
    for (const [name, value] of home.cookies) if (name !== DEVICE_COOKIE) thief.cookies.set(name, value);
    return thief;
  }

  async function addPasskey(browser: FormClient) {
    const account = await browser.get('/t/demo/account');
    expect(account.status).toBe(200);
    return browser.post(ADD_PASSKEY, { response: JSON.stringify(new SoftAuthenticator({ origin: server.baseUrl }).create(ceremonyOptions(account.text, ADD_PASSKEY))) });
  }

  it('the owner at home adds a passkey without being asked again', async () => {
    const { user, home } = await signedInAtHome();
    now += HOUR;
    expect((await addPasskey(home)).location).toBe('/t/demo/account?notice=passkey_added');
    const events = (await storedRiskEvents(server, { tenantId: 'demo', userId: user.id, kind: 'sensitive_action', limit: 5 })).items;
    expect(events).toEqual([]);
  });

  it('a copied session cookie in another browser and country must prove itself before adding a passkey, once', async () => {
    const { user, home } = await signedInAtHome();
    now += 3 * HOUR; // Cambridge to Paris in three hours: travel, not teleportation
    const elsewhere = copiedTo(home, PARIS[0]!);
    const asked = await addPasskey(elsewhere);
    expect(asked.status).toBe(303);
    expect(asked.location).toBe(`/t/demo/account/confirm?next=${encodeURIComponent('/t/demo/account')}`);
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);
    const [event] = (await storedRiskEvents(server, { tenantId: 'demo', userId: user.id, kind: 'sensitive_action', limit: 5 })).items;
    expect(event).toMatchObject({ stage: 'after', action: 'challenge', country: 'FR' });
    expect(event!.reasons.map((r) => r.signal)).toEqual(expect.arrayContaining(['new_device', 'new_network', 'new_country']));

    // Someone who knows the password proves it, and is not asked again for the same browser and place.
    await elsewhere.get('/t/demo/account/confirm?next=/t/demo/account');
    expect((await elsewhere.post('/t/demo/account/confirm', { password: PASSWORD, next: '/t/demo/account' })).location).toBe('/t/demo/account?notice=reauthenticated');
    expect((await addPasskey(elsewhere)).location).toBe('/t/demo/account?notice=passkey_added');
  });

  it('with the identity signals weighted 0 the same copied cookie is not asked: the risk engine is what asks', async () => {
    await setTenantSettings(server, { risk: { weights: { new_device: 0, new_network: 0, new_country: 0 } } });
    try {
      const { user, home } = await signedInAtHome();
      now += 3 * HOUR;
      expect((await addPasskey(copiedTo(home, PARIS[1]!))).location).toBe('/t/demo/account?notice=passkey_added');
      expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);
    } finally {
      await setTenantSettings(server, { risk: null });
    }
  });

  it("the tenant's deny list refuses a sensitive action outright", async () => {
    const { user, home } = await signedInAtHome();
    await setTenantSettings(server, { risk: { ip_deny: ['131.111.0.0/16'] } });
    try {
      const refused = await addPasskey(home);
      expect(refused.status).toBe(403);
      expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);
    } finally {
      await setTenantSettings(server, { risk: null });
    }
  });
});
