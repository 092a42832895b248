// Progressive profiling: rules kept through the admin API ask, in one short form, for attributes a
// profile lacks - after the Nth sign-in on the hosted pages, and before an app asking for a scope
// gets its tokens (inside its sign-in, driven by openid-client). A skipped rule is not asked again;
// a required one cannot be skipped; the claims come from the answers. Both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, follow, makeApp, makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const REDIRECT = 'https://app.example.test/cb';

describe.each(engines)('progressive profiling (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signIn(email: string) {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    const response = await client.post('/t/demo/login', { email, password: PASSWORD });
    return { client, response };
  }

  it('keeps rules through the admin API and refuses ones that cannot be asked', async () => {
    const bad: [unknown, string][] = [
      [{ rules: [{ id: 'x', ask: ['shoe_size'], after_sign_ins: 1 }] }, 'rules.0'], // not in the schema
      [{ rules: [{ id: 'x', ask: ['nickname'] }] }, 'rules.0'], // no trigger
      [{ rules: [{ id: 'x', ask: ['nickname'], after_sign_ins: 1 }, { id: 'x', ask: ['gender'], after_sign_ins: 2 }] }, 'rules.1'],
    ];
    for (const [body, field] of bad) {
      const response = await api('PUT', '/tenants/demo/profile-rules', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
    expect((await api('PUT', '/tenants/demo/profile-rules', { rules: [{ id: 'X Y', ask: ['nickname'], after_sign_ins: 1 }] })).body.error).toBe('request.invalid');
    const rules = { rules: [{ id: 'nickname-later', ask: ['nickname'], after_sign_ins: 2 }] };
    const put = await api('PUT', '/tenants/demo/profile-rules', rules);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ rules: [{ ...rules.rules[0], required: false }] });
    expect((await api('GET', '/tenants/demo/profile-rules')).body).toEqual(put.body);
  });

  it('asks after the Nth sign-in on the hosted pages, once: "Not now" is remembered, an answer saved', async () => {
    await api('PUT', '/tenants/demo/profile-rules', { rules: [{ id: 'nickname-later', ask: ['nickname'], after_sign_ins: 2 }] });
    const email = `later.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    expect((await signIn(email)).response.location).toBe('/t/demo/account'); // first sign-in: nothing asked

    const second = await signIn(email);
    expect(second.response.location).toBe('/t/demo/profile/complete?next=%2Ft%2Fdemo%2Faccount');
    const form = await second.client.get(second.response.location!);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="profile.nickname"');
    expect(form.text).toContain('Not now');
    const skipped = await second.client.post('/t/demo/profile/complete', { next: '/t/demo/account', skip: '1' });
    expect(skipped.location).toBe('/t/demo/account');
    expect((await signIn(email)).response.location).toBe('/t/demo/account'); // not asked again
    expect((await server.services.store.users.get('demo', user.id))?.profile.nickname).toBeUndefined();

    // Another customer answers; a value that does not fit is named.
    const other = `answer.${engine}.${++seq}@example.com`;
    const otherUser = await makeUser(server, other);
    await signIn(other);
    const asked = await signIn(other);
    expect(asked.response.location).toMatch(/^\/t\/demo\/profile\/complete\?/);
    const tooLong = await asked.client.post('/t/demo/profile/complete', { next: '/t/demo/account', 'profile.nickname': 'n'.repeat(300) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('id="profile-nickname-error"');
    // An outside destination is not followed.
    const saved = await asked.client.post('/t/demo/profile/complete', { next: 'https://evil.example/', 'profile.nickname': 'Nico' });
    expect(saved.location).toBe('/t/demo/account');
    expect((await server.services.store.users.get('demo', otherUser.id))?.profile.nickname).toBe('Nico');
    expect((await signIn(other)).response.location).toBe('/t/demo/account');
  });

  it('asks before an app gets the address scope, cannot be skipped when required, and the claim comes from the answer', async () => {
    const { app, clientSecret } = await makeApp(server, { name: `Shop ${engine}`, redirectUris: [REDIRECT], grantTypes: ['authorization_code'], firstParty: true });
    await api('PUT', '/tenants/demo/profile-rules', { rules: [{ id: 'shop-address', ask: ['address'], client_id: app.clientId, scope: 'address', required: true }] });
    const config = await discover(server, app.clientId, clientSecret);
    const email = `shop.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const start = async (scope: string) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: oidc.randomState() });
      return { url, verifier, state: url.searchParams.get('state')! };
    };

    // Without the address scope nothing is asked, even though the profile has no address.
    const browser = new FormClient(server.baseUrl);
    const plain = await start('openid profile');
    expect((await authorize(browser, plain.url, { email })).callbackUrl?.searchParams.get('code')).toBeTruthy();

    // With it: the same browser (signed in) gets the short form inside the app's sign-in.
    const withAddress = await start('openid address');
    const page = await follow(browser, await browser.get(withAddress.url.pathname + withAddress.url.search));
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="profile.address"');
    expect(page.text).toContain(`Shop ${engine}`);
    expect(page.text).not.toContain('Not now');
    const action = /<form method="post" action="([^"]+\/profile)"/.exec(page.text)![1]!;
    const empty = await browser.post(action, { 'profile.address': ' ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="profile-address-error"');
    const skip = await browser.post(action, { skip: '1' });
    expect(skip.status).toBe(400); // required: "Not now" is no answer
    const answered = await follow(browser, await browser.post(action, { 'profile.address': '1 Harbour Road, Kiel' }));
    const callback = new URL(answered.location!);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: withAddress.verifier, expectedState: withAddress.state });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(info.address).toEqual({ formatted: '1 Harbour Road, Kiel' });
    expect((await server.services.store.users.get('demo', user.id))?.profile.address).toBe('1 Harbour Road, Kiel');

    // Answered once: the next sign-in into the app goes straight through.
    const again = await start('openid address');
    expect((await authorize(browser, again.url, { email })).callbackUrl?.searchParams.get('code')).toBeTruthy();
  });
});
