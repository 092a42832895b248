// The rest of the protocol surface, each driven by openid-client as an app would use it: device
// authorization (RFC 8628) through the hosted user-code page, DPoP (RFC 9449) sender-constrained
// tokens, pushed authorization requests (RFC 9126), and pairwise subject identifiers — on both
// engines.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiResource } from '../../../src/core/apps/api-resources.ts';
import { cliContext } from '../../../src/core/context.ts';
import { FormClient, type Response } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, follow, issuerOf, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const REDIRECT = 'https://app.example.test/cb';
const API = 'https://api.example.test/dpop';

/** The device form on a page: where it posts and its hidden fields. */
function deviceForm(page: Response): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]+\/device[^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
  if (!form) throw new Error(`no device form on the page:\n${page.text.slice(0, 2000)}`);
  const fields = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  return { action: form[1]!.replace(/&amp;/g, '&'), fields };
}

describe.each(engines)('OIDC device flow, DPoP, PAR and pairwise subjects (%s)', (engine) => {
  let server: TestServer;
  let userId: string;
  const email = `advanced-${engine}@example.test`;

  beforeAll(async () => {
    server = await startTestServer(engine);
    userId = (await makeUser(server, email)).id;
    await createApiResource(server.services, { tenantId: 'demo', identifier: API, name: 'DPoP API', scopes: [{ name: 'read:things' }] }, cliContext);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function codeFlow(config: oidc.Configuration, browser: FormClient, extra: Record<string, string> = {}, usePar = false) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const parameters = { redirect_uri: REDIRECT, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, ...extra };
    const url = usePar ? await oidc.buildAuthorizationUrlWithPAR(config, parameters) : oidc.buildAuthorizationUrl(config, parameters);
    const { callbackUrl, response } = await authorize(browser, url, { email });
    return { url, callbackUrl, response, verifier, state };
  }

  describe('device authorization grant', () => {
    let config: oidc.Configuration;
    beforeAll(async () => {
      const { app } = await makeApp(server, { name: 'Living-room TV', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] });
      config = await discover(server, app.clientId);
    });

    it('the TV shows a code, the person confirms it on the hosted page and signs in, the TV gets tokens', async () => {
      const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email offline_access' });
      expect(started.verification_uri).toBe(`${issuerOf(server)}/device`);
      expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

      const browser = new FormClient(server.baseUrl);
      // A mistyped code is refused on the page and asks again.
      const entry = await browser.get(new URL(started.verification_uri).pathname);
      expect(entry.status).toBe(200);
      expect(entry.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(entry.text).toContain('<label class="fd-label" for="user_code">');
      expect(entry.text).not.toMatch(/onfocus=|op\.deviceInputForm/); // our form, not the provider's inline markup
      expect(entry.text).toContain(`href="/t/demo/oidc/device?lang=de"`);
      const wrong = await browser.post(deviceForm(entry).action, { ...deviceForm(entry).fields, user_code: 'BBBB-BBBB' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('role="alert"');

      // People type codes loosely: lower case, a space instead of the dash.
      const right = await browser.post(deviceForm(wrong).action, { ...deviceForm(wrong).fields, user_code: started.user_code.toLowerCase().replace('-', ' ') });
      expect(right.text).toContain(started.user_code);
      expect(right.text).toContain('Living-room TV');
      const confirm = deviceForm(right);
      const confirmed = await browser.post(confirm.action, { ...confirm.fields, confirm: 'yes' });
      const done = await authorize(browser, new URL(confirmed.location!, server.baseUrl), { email });
      expect(done.response.status).toBe(200);
      expect(done.response.text).toContain('Living-room TV');

      const tokens = await oidc.pollDeviceAuthorizationGrant(config, started);
      expect(tokens.claims()).toMatchObject({ sub: userId, iss: issuerOf(server).toString() });
      expect(await oidc.fetchUserInfo(config, tokens.access_token, userId)).toMatchObject({ sub: userId, email });
      expect(tokens.refresh_token).toBeTruthy();
      // The device code worked once.
      await expect(oidc.pollDeviceAuthorizationGrant(config, started)).rejects.toMatchObject({ error: 'invalid_grant' });
    }, 30_000);

    it('a code form posted without a live session goes back to the code page, not to an error', async () => {
      const posted = await new FormClient(server.baseUrl).post('/t/demo/oidc/device', { xsrf: 'x', user_code: 'BCDF-GHJK' });
      expect(posted.status).toBe(303);
      expect(posted.location).toBe(`${issuerOf(server)}/device`);
    });

    it('a person who aborts on the page denies the device', async () => {
      const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
      const browser = new FormClient(server.baseUrl);
      const confirmPage = await browser.get(new URL(started.verification_uri_complete!).pathname + new URL(started.verification_uri_complete!).search);
      const confirm = deviceForm(confirmPage);
      const aborted = await follow(browser, await browser.post(confirm.action, { ...confirm.fields, abort: 'yes' }));
      expect(aborted.status).toBeLessThan(500);
      await expect(oidc.pollDeviceAuthorizationGrant(config, started)).rejects.toMatchObject({ error: 'access_denied' });
    }, 30_000);
  });

  describe('DPoP', () => {
    it('binds client-credentials tokens to the key of the proof (cnf.jkt, token_type DPoP)', async () => {
      const { app, clientSecret } = await makeApp(server, { name: 'DPoP worker', redirectUris: [], grantTypes: ['client_credentials'], oidc: { clientCredentialsScopes: { [API]: ['read:things'] } } });
      const config = await discover(server, app.clientId, clientSecret);
      const keyPair = await oidc.randomDPoPKeyPair('ES256');
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:things', resource: API }, { DPoP: oidc.getDPoPHandle(config, keyPair) });
      expect(tokens.token_type.toLowerCase()).toBe('dpop');
      const { payload } = await jose.jwtVerify(tokens.access_token, jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`)), { audience: API, typ: 'at+jwt' });
      expect((payload.cnf as { jkt?: string }).jkt).toBe(await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey)));
    });

    it('a DPoP-bound access token works at userinfo with a proof of its key, and not as a bearer token or with another key', async () => {
      const { app, clientSecret } = await makeApp(server, { name: 'DPoP web app', redirectUris: [REDIRECT] });
      const config = await discover(server, app.clientId, clientSecret);
      const keyPair = await oidc.randomDPoPKeyPair('ES256');
      const DPoP = oidc.getDPoPHandle(config, keyPair);
      const browser = new FormClient(server.baseUrl);
      const { callbackUrl, verifier, state } = await codeFlow(config, browser);
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP });
      expect(tokens.token_type.toLowerCase()).toBe('dpop');
      const sub = tokens.claims()!.sub;
      expect(await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP })).toMatchObject({ sub, email });

      const asBearer = await fetch(`${issuerOf(server)}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(asBearer.status).toBe(401);
      const otherKey = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
      await expect(oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP: otherKey })).rejects.toBeTruthy();
    });
  });

  describe('pushed authorization requests', () => {
    it('signs in through a pushed request; its request_uri works once', async () => {
      const { app, clientSecret } = await makeApp(server, { name: 'PAR app', redirectUris: [REDIRECT] });
      const config = await discover(server, app.clientId, clientSecret);
      const browser = new FormClient(server.baseUrl);
      const { url, callbackUrl, verifier, state } = await codeFlow(config, browser, {}, true);
      expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      expect(url.searchParams.get('redirect_uri')).toBeNull(); // the parameters travelled by back channel
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.claims()?.sub).toBe(userId);

      const replay = await follow(browser, await browser.get(url.pathname + url.search));
      expect(replay.location).toBeNull();
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('invalid_request_uri');
    });
  });

  describe('pairwise subject identifiers', () => {
    it("gives each pairwise app its own stable sub for a user, never the user's id", async () => {
      const subs: string[] = [];
      for (const name of ['Pairwise A', 'Pairwise B']) {
        const { app, clientSecret } = await makeApp(server, { name, redirectUris: [`https://${name.slice(-1).toLowerCase()}.example.test/cb`], oidc: { subjectType: 'pairwise' } });
        const config = await discover(server, app.clientId, clientSecret);
        const redirect = app.redirectUris[0]!;
        const runs: string[] = [];
        for (let i = 0; i < 2; i += 1) {
          const verifier = oidc.randomPKCECodeVerifier();
          const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirect, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
          const { callbackUrl } = await authorize(new FormClient(server.baseUrl), url, { email });
          const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier });
          const sub = tokens.claims()!.sub;
          expect((await oidc.fetchUserInfo(config, tokens.access_token, sub)).sub).toBe(sub);
          runs.push(sub);
        }
        expect(runs[0]).toBe(runs[1]);
        subs.push(runs[0]!);
      }
      expect(subs[0]).not.toBe(subs[1]);
      expect(subs).not.toContain(userId);
    });
  });
});
