// Passkeys over HTTP with a software authenticator (test/support/soft-authenticator.ts) that can
// forge what a browser never sends: each refusal the passkey checks promise is a test here. Both
// engines; the server's clock is ours, so challenges can expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import * as oidc from 'openid-client';
import { discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

const REGISTER = '/t/demo/account/passkeys';
const SIGN_IN = '/t/demo/login/passkey';
const SECOND_FACTOR = '/t/demo/login/second-factor/passkey';
const REFUSED = 'That passkey could not be checked';

describe.each(engines)('passkeys over HTTP (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  const clock = { now: () => now };
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const authenticatorFor = (options: { keepsCounter?: boolean; aaguid?: string } = {}) => new SoftAuthenticator({ origin: server.baseUrl, ...options });

  async function passwordSignIn(email: string, client = new FormClient(server.baseUrl)): Promise<{ client: FormClient; response: Response }> {
    await client.get('/t/demo/login');
    const response = await client.post('/t/demo/login', { email, password: PASSWORD });
    return { client, response };
  }

  /** A verified user with a password and one passkey on `authenticator`. */
  async function userWithPasskey(authenticator = authenticatorFor()) {
    const email = `pk.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const { client } = await passwordSignIn(email);
    const account = await client.get('/t/demo/account');
    const added = await client.post(REGISTER, { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, REGISTER))) });
    expect(added.location).toBe('/t/demo/account?notice=passkey_added');
    await client.post('/t/demo/logout', {});
    return { user, email, authenticator };
  }

  async function passkeySignIn(answer: (options: any) => unknown): Promise<{ client: FormClient; response: Response }> {
    const client = new FormClient(server.baseUrl);
    const page = await client.get('/t/demo/login');
    const response = await client.post(SIGN_IN, { response: JSON.stringify(answer(ceremonyOptions(page.text, SIGN_IN))) });
    return { client, response };
  }

  const signedIn = (client: FormClient) => client.cookies.has('__Host-fd-session-demo');

  it('registers a passkey from the account page and signs in with it alone: acr phishing-resistant, audited', async () => {
    const { user, email, authenticator } = await userWithPasskey();
    const [stored] = await server.services.store.passkeys.listForUser('demo', user.id);
    const [notice] = (await server.mailTo(email)).filter((m) => m.subject === 'How you sign in to Demo has changed');
    expect(notice?.text).toContain('A passkey was added to your Demo account');
    expect(stored).toMatchObject({ signCount: 0, backupEligible: false, aaguid: '00000000-0000-0000-0000-000000000000', transports: ['internal'] });
    expect(stored!.publicKey.length).toBeGreaterThan(40);

    const { client, response } = await passkeySignIn((options) => {
      // Discoverable: the page names no credential, and asks for the person to be verified.
      expect(options.allowCredentials ?? []).toEqual([]);
      expect(options.userVerification).toBe('required');
      return authenticator.get(options);
    });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/t/demo/account');
    expect(signedIn(client)).toBe(true);
    const [session] = await server.services.sessions.listForUser('demo', user.id);
    expect(session?.amr).toEqual(['hwk', 'user', 'mfa']);
    expect(session?.acr).toBe(ACR.phishingResistant);
    expect((await server.services.store.passkeys.listForUser('demo', user.id))[0]!.signCount).toBe(1);
    const events = await server.services.store.audit.query({ tenantId: 'demo', subject: user.id, action: 'user.login', limit: 20 });
    expect(events.items.some((e) => e.action === 'user.login' && e.result === 'success' && (e.details as { method?: string }).method === 'passkey')).toBe(true);
  });

  it('refuses an answer for another origin, another relying party id, a challenge it did not issue, or another ceremony type', async () => {
    const { authenticator } = await userWithPasskey();
    const forgeries = [
      { origin: 'https://evil.example' },
      { rpId: 'evil.example' },
      { challenge: Buffer.from('x'.repeat(40)).toString('base64url') },
      { type: 'webauthn.create' },
      // The user was not verified: a passkey alone must be two factors.
      { userVerified: false },
    ];
    for (const forge of forgeries) {
      const { client, response } = await passkeySignIn((options) => authenticator.get(options, forge));
      expect(response.status, JSON.stringify(forge)).toBe(400);
      expect(response.text, JSON.stringify(forge)).toContain(REFUSED);
      expect(signedIn(client), JSON.stringify(forge)).toBe(false);
    }
  });

  it('refuses a challenge used twice, an expired one, and one issued for another purpose', async () => {
    const { authenticator } = await userWithPasskey();
    const client = new FormClient(server.baseUrl);
    const page = await client.get('/t/demo/login');
    const options = ceremonyOptions(page.text, SIGN_IN);
    expect((await client.post(SIGN_IN, { response: JSON.stringify(authenticator.get(options)) })).status).toBe(303);
    // The same challenge again, freshly signed by the right authenticator: refused.
    const again = new FormClient(server.baseUrl);
    await again.get('/t/demo/login');
    const replay = await again.post(SIGN_IN, { response: JSON.stringify(authenticator.get(options)) });
    expect(replay.status).toBe(400);
    expect(signedIn(again)).toBe(false);

    // Five minutes is the limit.
    const late = new FormClient(server.baseUrl);
    const latePage = await late.get('/t/demo/login');
    const lateOptions = ceremonyOptions(latePage.text, SIGN_IN);
    now += 5 * 60_000 + 1000;
    expect((await late.post(SIGN_IN, { response: JSON.stringify(authenticator.get(lateOptions)) })).status).toBe(400);

    // A registration challenge (bound to a session) does not sign anyone in.
    const registration = ceremonyOptions((await (await signedInClient()).get('/t/demo/account')).text, REGISTER);
    const cross = new FormClient(server.baseUrl);
    await cross.get('/t/demo/login');
    expect((await cross.post(SIGN_IN, { response: JSON.stringify(authenticator.get({ challenge: registration.challenge, rpId: registration.rp.id })) })).status).toBe(400);
  });

  async function signedInClient() {
    const email = `holder.${engine}.${++seq}@example.com`;
    await makeUser(server, email);
    return (await passwordSignIn(email)).client;
  }

  it("refuses a passkey presenting another user's handle, and a signature counter that does not move forward", async () => {
    const first = await userWithPasskey();
    const second = await userWithPasskey();
    const handleOfSecond = second.authenticator.credentials[0]!.userHandle;
    const swapped = await passkeySignIn((options) => first.authenticator.get(options, { userHandle: handleOfSecond }));
    expect(swapped.response.status).toBe(400);
    expect(signedIn(swapped.client)).toBe(false);

    expect((await passkeySignIn((options) => first.authenticator.get(options))).response.status).toBe(303);
    // A clone of the authenticator replays an older counter: refused.
    const cloned = await passkeySignIn((options) => first.authenticator.get(options, { counter: 1 }));
    expect(cloned.response.status).toBe(400);
    expect(signedIn(cloned.client)).toBe(false);

    // An authenticator that keeps no counter (0 every time, as synced passkeys do) is fine.
    const synced = await userWithPasskey(authenticatorFor({ keepsCounter: false }));
    for (let i = 0; i < 2; i += 1) expect((await passkeySignIn((options) => synced.authenticator.get(options))).response.status).toBe(303);
  });

  it('answers an unknown passkey with a message and the Signal API data for the device to drop it', async () => {
    const stranger = authenticatorFor();
    stranger.create({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'dXNyX3g' } });
    const { response } = await passkeySignIn((options) => stranger.get(options));
    expect(response.status).toBe(400);
    expect(response.text).toContain('That passkey is not registered here any more');
    expect(response.text).toContain(`data-unknown-credential="${Buffer.from(stranger.credentials[0]!.id).toString('base64url')}"`);
  });

  it("binds a registration to the session that asked for it, and refuses another origin's", async () => {
    const alice = await signedInClient();
    const bob = await signedInClient();
    const authenticator = authenticatorFor();
    const aliceOptions = ceremonyOptions((await alice.get('/t/demo/account')).text, REGISTER);
    await bob.get('/t/demo/account');
    const stolen = await bob.post(REGISTER, { response: JSON.stringify(authenticator.create(aliceOptions)) });
    expect(stolen.status).toBe(400);
    expect(stolen.text).toContain(REFUSED);
    const phished = await alice.post(REGISTER, { response: JSON.stringify(authenticator.create(aliceOptions, { origin: 'https://evil.example' })) });
    expect(phished.status).toBe(400);
    // Malformed answers are refused the same way, never with a 5xx.
    for (const junk of ['', 'null', '{}', '{"id":"a","type":"public-key","response":"x"}', 'x'.repeat(20_000)]) {
      expect((await alice.post(REGISTER, { response: junk })).status, junk.slice(0, 30)).toBe(400);
    }
  });

  it('uses a passkey as the second factor after a password, bound to that sign-in and that user', async () => {
    const { user, email, authenticator } = await userWithPasskey();
    const other = await userWithPasskey();
    const { client, response } = await passwordSignIn(email);
    expect(response.location).toBe('/t/demo/login/second-factor');
    const page = await client.get('/t/demo/login/second-factor');
    const options = ceremonyOptions(page.text, SECOND_FACTOR);
    // Only this user's passkeys are asked for; the code form is not shown (no authenticator app).
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([Buffer.from(authenticator.credentials[0]!.id).toString('base64url')]);
    expect(page.text).not.toContain('name="code"');
    // Another user's passkey (with a valid signature over this challenge) does not do.
    const foreign = await client.post(SECOND_FACTOR, { response: JSON.stringify(other.authenticator.get({ ...options, allowCredentials: [] })) });
    expect(foreign.status).toBe(400);
    expect(signedIn(client)).toBe(false);
    const done = await client.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(options)) });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/t/demo/account');
    const [session] = await server.services.sessions.listForUser('demo', user.id);
    expect(session?.amr).toEqual(['pwd', 'hwk', 'mfa']);
    expect(session?.acr).toBe(ACR.phishingResistant);
  });

  it('ends the second-factor sign-in after five failed passkey answers', async () => {
    const { email, authenticator } = await userWithPasskey();
    const { client } = await passwordSignIn(email);
    const options = ceremonyOptions((await client.get('/t/demo/login/second-factor')).text, SECOND_FACTOR);
    let last: Response | null = null;
    for (let i = 0; i < 5; i += 1) last = await client.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(options, { origin: 'https://evil.example' })) });
    expect(last!.text).toContain('This sign-in has expired');
    // Even the right answer cannot finish it now.
    const late = await client.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(options)) });
    expect(signedIn(client)).toBe(false);
    expect(late.status).toBe(400);
  });

  it("renames and removes only the user's own passkeys; under a required policy the last second factor stays", async () => {
    const { user, email, authenticator } = await userWithPasskey();
    const intruder = await userWithPasskey();
    const [mine] = await server.services.store.passkeys.listForUser('demo', user.id);
    // The intruder has a passkey too, so their password sign-in waits for it; sign them in fully.
    const { client: theirs } = await passwordSignIn(intruder.email);
    const options = ceremonyOptions((await theirs.get('/t/demo/login/second-factor')).text, SECOND_FACTOR);
    await theirs.post(SECOND_FACTOR, { response: JSON.stringify(intruder.authenticator.get(options)) });
    await theirs.get('/t/demo/account');
    expect((await theirs.post(`/t/demo/account/passkeys/${mine!.id}/rename`, { name: 'pwned' })).status).toBe(404);
    expect((await theirs.post(`/t/demo/account/passkeys/${mine!.id}/delete`, {})).status).toBe(404);
    expect((await server.services.store.passkeys.listForUser('demo', user.id))[0]?.name).toBe(mine!.name);

    const api = adminApi(server);
    expect((await api('PATCH', '/tenants/demo', { settings: { mfa: 'required' } })).status).toBe(200);
    try {
      const { client } = await passwordSignIn(email);
      const page = await client.get('/t/demo/login/second-factor');
      const own = ceremonyOptions(page.text, SECOND_FACTOR);
      const done = await client.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(own)) });
      expect(done.status).toBe(303);
      await client.get('/t/demo/account');
      const refused = await client.post(`/t/demo/account/passkeys/${mine!.id}/delete`, {});
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Your organisation requires a second sign-in step');
      expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(1);
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { mfa: null } });
    }
  });

  it("applies the tenant's AAGUID allow and deny lists at registration, and refuses a relying party id that does not cover the origins", async () => {
    const api = adminApi(server);
    const model = '11111111-2222-3333-4444-555555555555';
    try {
      expect((await api('PATCH', '/tenants/demo', { settings: { passkey_aaguid_deny: [model.toUpperCase()] } })).status).toBe(200);
      const denied = await signedInClient();
      const deniedOptions = ceremonyOptions((await denied.get('/t/demo/account')).text, REGISTER);
      // With a list, the page asks for the authenticator's model (attestation) instead of nothing.
      expect(deniedOptions.attestation).toBe('direct');
      const refused = await denied.post(REGISTER, { response: JSON.stringify(authenticatorFor({ aaguid: model }).create(deniedOptions)) });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('does not allow this kind of authenticator');
      const other = await denied.post(REGISTER, { response: JSON.stringify(authenticatorFor().create(ceremonyOptions((await denied.get('/t/demo/account')).text, REGISTER))) });
      expect(other.status).toBe(303);

      expect((await api('PATCH', '/tenants/demo', { settings: { passkey_aaguid_deny: null, passkey_aaguid_allow: [model] } })).status).toBe(200);
      const allowed = await signedInClient();
      const page = (await allowed.get('/t/demo/account')).text;
      expect((await allowed.post(REGISTER, { response: JSON.stringify(authenticatorFor().create(ceremonyOptions(page, REGISTER))) })).status).toBe(400);
      const page2 = (await allowed.get('/t/demo/account')).text;
      expect((await allowed.post(REGISTER, { response: JSON.stringify(authenticatorFor({ aaguid: model }).create(ceremonyOptions(page2, REGISTER))) })).status).toBe(303);

      const mismatch = await api('PATCH', '/tenants/demo', { settings: { passkey_rp_id: 'example.com', passkey_origins: ['https://id.other.example'] } });
      expect(mismatch.status).toBe(400);
      expect((await api('PATCH', '/tenants/demo', { settings: { passkey_aaguid_allow: ['not-a-uuid'] } })).status).toBe(400);
      expect((await api('GET', '/tenants/demo')).body.settings.passkey_aaguid_allow).toEqual([model]);
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { passkey_aaguid_allow: null, passkey_aaguid_deny: null } });
    }
  });

  it('offers no passkeys where the tenant turned them off, and refuses a passkey answer there', async () => {
    const { authenticator } = await userWithPasskey();
    const api = adminApi(server);
    const client = new FormClient(server.baseUrl);
    const page = await client.get('/t/demo/login');
    const options = ceremonyOptions(page.text, SIGN_IN);
    expect((await api('PATCH', '/tenants/demo', { settings: { passkeys: false } })).status).toBe(200);
    try {
      const off = await client.get('/t/demo/login');
      expect(off.text).not.toContain('data-passkey');
      expect(off.text).not.toContain('webauthn');
      expect(off.text).toContain('autocomplete="username"');
      const refused = await client.post(SIGN_IN, { response: JSON.stringify(authenticator.get(options)) });
      expect(refused.status).toBe(400);
      expect(signedIn(client)).toBe(false);
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { passkeys: null } });
    }
  });

  it('removes a passkey from the account page and tells the user by mail', async () => {
    const { user, email, authenticator } = await userWithPasskey();
    const { client } = await passwordSignIn(email);
    const options = ceremonyOptions((await client.get('/t/demo/login/second-factor')).text, SECOND_FACTOR);
    expect((await client.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(options)) })).status).toBe(303);
    const [passkey] = await server.services.store.passkeys.listForUser('demo', user.id);
    await client.get('/t/demo/account');
    expect((await client.post(`/t/demo/account/passkeys/${passkey!.id}/delete`, {})).location).toBe('/t/demo/account?notice=passkey_removed');
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);
    const notices = (await server.mailTo(email)).filter((m) => m.subject === 'How you sign in to Demo has changed').map((m) => m.text);
    expect(notices.some((text) => text.includes('A passkey was removed from your Demo account'))).toBe(true);
  });

  it("removes a user's passkeys with the admin MFA reset (a lost phone may hold them)", async () => {
    const { user, authenticator } = await userWithPasskey();
    const reset = await adminApi(server)('DELETE', `/tenants/demo/users/${user.id}/mfa`);
    expect(reset.status).toBe(200);
    expect(await server.services.store.passkeys.countForUser('demo', user.id)).toBe(0);
    expect((await passkeySignIn((options) => authenticator.get(options))).response.status).toBe(400);
  });

  it('counts passkey sign-ins and shows passkey adoption in /metrics', async () => {
    const { authenticator } = await userWithPasskey();
    expect((await passkeySignIn((options) => authenticator.get(options))).response.status).toBe(303);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/frontdoor_sign_in_methods_total\{method="passkey",stage="completed"\} [1-9]/);
    expect(metrics).toMatch(/frontdoor_passkey_registrations_total\{source="account",result="success"\} [1-9]/);
    const ratio = /frontdoor_passkey_adoption_ratio\{tenant="demo"\} ([0-9.e-]+)/.exec(metrics);
    const active = await server.services.store.passkeys.adoption();
    const demo = active.find((row) => row.tenantId === 'demo')!;
    expect(demo.withPasskey).toBeGreaterThan(0);
    expect(Number(ratio?.[1])).toBeCloseTo(demo.withPasskey / demo.activeUsers, 5);
  });

  it('answers an app asking for a phishing-resistant sign-in with the passkey only, and never loops for what a user cannot give', async () => {
    const REDIRECT = 'https://app.example.test/cb';
    const { app, clientSecret } = await makeApp(server, { name: 'Bank', redirectUris: [REDIRECT] });
    const config = await discover(server, app.clientId, clientSecret);
    const authorizeUrl = async (acr: string) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', acr_values: acr, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      return { path: url.pathname + url.search, verifier };
    };
    const tokensFor = async (browser: FormClient, response: Response, verifier: string) => {
      const callback = new URL((await follow(browser, response)).location!);
      return (await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier })).claims()!;
    };

    // A user with a passkey and a phone signs in with password + texted code: class mfa.
    const { email, authenticator } = await userWithPasskey();
    const { client: browser } = await passwordSignIn(email);
    const first = ceremonyOptions((await browser.get('/t/demo/login/second-factor')).text, SECOND_FACTOR);
    await browser.post(SECOND_FACTOR, { response: JSON.stringify(authenticator.get(first)) });
    await browser.get('/t/demo/account');
    now += 1000;
    await browser.post('/t/demo/account/phone', { phone: '+49 151 2345 6789' });
    const confirmCode = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    expect((await browser.post('/t/demo/account/phone/confirm', { code: confirmCode })).location).toBe('/t/demo/account?notice=phone_added');
    await browser.post('/t/demo/logout', {});
    const { client } = await passwordSignIn(email);
    // Texts are listed newest first by time: each one here gets its own millisecond.
    now += 1000;
    await client.post('/t/demo/login/second-factor/sms', {});
    const smsCode = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    expect((await client.post('/t/demo/login/second-factor', { code: smsCode })).location).toBe('/t/demo/account');

    // The app asks for phishing-resistant: the interaction offers the passkey and no code form.
    const strict = await authorizeUrl(ACR.phishingResistant);
    const page = await follow(client, await client.get(strict.path));
    const action = /action="(\/t\/demo\/interaction\/[^"]+\/second-factor\/passkey)"/.exec(page.text)?.[1];
    expect(action).toBeTruthy();
    expect(page.text).not.toContain('name="code"');
    const codeAction = action!.replace(/\/passkey$/, '');
    const refused = await client.post(codeAction, { code: smsCode });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('asks for your passkey');
    const answered = await client.post(action!, { response: JSON.stringify(authenticator.get(ceremonyOptions(page.text, action!))) });
    const claims = await tokensFor(client, answered, strict.verifier);
    expect(claims.acr).toBe(ACR.phishingResistant);

    // A user with only a phone, signed in with it (class mfa), asked for phishing-resistant: the
    // app gets the session as it is, and the token says mfa — no endless second-factor prompts.
    const phoneOnly = `pk.phone.${engine}.${++seq}@example.com`;
    await makeUser(server, phoneOnly);
    const { client: other } = await passwordSignIn(phoneOnly);
    await other.get('/t/demo/account');
    now += 1000;
    await other.post('/t/demo/account/phone', { phone: '+49 151 2345 6780' });
    const code2 = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    await other.post('/t/demo/account/phone/confirm', { code: code2 });
    await other.post('/t/demo/logout', {});
    const { client: phoneBrowser } = await passwordSignIn(phoneOnly);
    now += 1000;
    await phoneBrowser.post('/t/demo/login/second-factor/sms', {});
    const code3 = /^(\d{6})/.exec((await server.services.store.smsOutbox.listRecent(1))[0]!.text)![1]!;
    await phoneBrowser.post('/t/demo/login/second-factor', { code: code3 });
    const capped = await authorizeUrl(ACR.phishingResistant);
    const straight = await phoneBrowser.get(capped.path);
    const phoneClaims = await tokensFor(phoneBrowser, straight, capped.verifier);
    expect(phoneClaims.acr).toBe(ACR.mfa);
  });
});
