// RP-initiated logout as a browser goes through it: a real sign-out tells every app of the session
// through front-channel logout (hidden frames with iss and sid, then on to the app) and ends the
// Frontdoor session; "Stay signed in" ends only the asking app's session. Driven with
// openid-client for the apps' side, on both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, follow, issuerOf, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

describe.each(engines)('OIDC logout (%s)', (engine) => {
  let server: TestServer;
  const email = `logout-${engine}@example.test`;
  const apps: Record<'a' | 'b', { config: oidc.Configuration; redirect: string }> = {} as never;

  beforeAll(async () => {
    server = await startTestServer(engine);
    await makeUser(server, email);
    for (const name of ['a', 'b'] as const) {
      const origin = `https://${name}.example.test`;
      const { app, clientSecret } = await makeApp(server, {
        name: `App ${name.toUpperCase()}`,
        redirectUris: [`${origin}/cb`],
        postLogoutRedirectUris: [`${origin}/bye`],
        oidc: { frontchannelLogoutUri: `${origin}/frontchannel-logout` },
      });
      apps[name] = { config: await discover(server, app.clientId, clientSecret), redirect: `${origin}/cb` };
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Signs in to app A (and then, without a prompt, to app B); returns A's ID token and both sids. */
  async function signInToBoth(browser: FormClient) {
    const sids: Record<string, string> = {};
    let idToken = '';
    for (const name of ['a', 'b'] as const) {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(apps[name].config, { redirect_uri: apps[name].redirect, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const { callbackUrl } = await authorize(browser, url, { email });
      const tokens = await oidc.authorizationCodeGrant(apps[name].config, callbackUrl!, { pkceCodeVerifier: verifier });
      sids[name] = String(tokens.claims()!.sid);
      if (name === 'a') idToken = tokens.id_token!;
    }
    return { idToken, sids };
  }

  async function confirmPage(browser: FormClient, idToken: string): Promise<{ action: string; xsrf: string; page: Response }> {
    const url = oidc.buildEndSessionUrl(apps.a.config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://a.example.test/bye', state: 'bye-state' });
    const page = await follow(browser, await browser.get(url.pathname + url.search));
    expect(page.status).toBe(200);
    const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(page.text)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(action && xsrf, page.text.slice(0, 500)).toBeTruthy();
    return { action: action!.replace(/&amp;/g, '&'), xsrf: xsrf!, page };
  }

  it('signing out loads every app’s front-channel logout URI with iss and sid, goes on to the app, and ends the Frontdoor session', async () => {
    const browser = new FormClient(server.baseUrl);
    const { idToken, sids } = await signInToBoth(browser);
    const { action, xsrf } = await confirmPage(browser, idToken);
    const done = await browser.post(action, { xsrf, logout: 'yes' });

    expect(done.status).toBe(200);
    expect(done.location).toBeNull();
    const frames = [...done.text.matchAll(/<iframe[^>]*src="([^"]+)"/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, '&')));
    expect(frames.map((f) => f.origin + f.pathname).sort()).toEqual(['https://a.example.test/frontchannel-logout', 'https://b.example.test/frontchannel-logout']);
    for (const frame of frames) {
      expect(frame.searchParams.get('iss')).toBe(issuerOf(server).toString());
      expect(frame.searchParams.get('sid')).toBe(frame.hostname.startsWith('a.') ? sids.a : sids.b);
    }
    // Then on to the app's post-logout URI with its state, without script.
    expect(done.text).toContain('<meta http-equiv="refresh" content="2;url=https://a.example.test/bye?state=bye-state">');
    const csp = done.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-src https://a.example.test https://b.example.test');
    expect(csp).toContain("frame-ancestors 'none'");

    // The Frontdoor session is over: the account page asks for a sign-in.
    const account = await browser.get('/t/demo/account');
    expect(account.status).toBe(303);
    expect(account.location).toContain('/t/demo/login');
    const discovery = (await (await fetch(`${issuerOf(server)}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ frontchannel_logout_supported: true, frontchannel_logout_session_supported: true });
  });

  it('"Stay signed in" signs the asking app out only: no front-channel page, the Frontdoor session stays', async () => {
    const browser = new FormClient(server.baseUrl);
    const { idToken } = await signInToBoth(browser);
    const { action, xsrf } = await confirmPage(browser, idToken);
    const stayed = await browser.post(action, { xsrf });
    expect(stayed.status).toBe(303);
    expect(stayed.location).toBe('https://a.example.test/bye?state=bye-state');
    expect((await browser.get('/t/demo/account')).status).toBe(200);
    // App B still gets a code without a sign-in.
    const url = oidc.buildAuthorizationUrl(apps.b.config, { redirect_uri: apps.b.redirect, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const again = await authorize(browser, url, {});
    expect(again.callbackUrl?.searchParams.get('code')).toBeTruthy();
  });
});
