// Continuous evaluation of refresh tokens held on the user's own device (a public client, e.g. a
// mobile app with PKCE): a refresh from a place the account's last sign-in could not have reached
// revokes the app's grant and answers invalid_grant; the same refresh from near home, or hours
// later, goes through. Driven by openid-client (not our code), both engines.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { authorize, discover, makeApp, makeUser } from '../../support/oidc.ts';
import { startTestServer, storedRiskEvents, type TestServer } from '../../support/server.ts';
import { CAMBRIDGE_UK, US } from '../../support/places.ts';

const REDIRECT = 'com.example.app:/callback';

describe.each(engines)('refresh tokens re-assessed (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let clientId: string;
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { env: { FRONTDOOR_TRUST_PROXY: 'true' }, services: { clock: { now: () => now } } });
    const { app } = await makeApp(server, { name: 'Phone app', public: true, redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] });
    clientId = app.clientId;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** The app on the phone: its token requests come from `ip` (where the phone is). */
  async function phoneApp(ip: { current: string }) {
    const config = await discover(server, clientId);
    config[oidc.customFetch] = (url, options) => {
      const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
      headers.set('x-forwarded-for', ip.current);
      return fetch(url, { ...options, headers } as RequestInit);
    };
    return config;
  }

  async function signedInApp(ip: { current: string }) {
    const email = `phone.${engine}.${++seq}@example.com`;
    await makeUser(server, email);
    const config = await phoneApp(ip);
    const browser = new FormClient(server.baseUrl, { 'x-forwarded-for': ip.current });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email offline_access', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const { callbackUrl } = await authorize(browser, url, { email, consent: 'allow' });
    expect(callbackUrl).not.toBeNull();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeTruthy();
    return { config, tokens, email };
  }

  it('a refresh from a place the last sign-in could not have reached revokes the grant', async () => {
    const where = { current: CAMBRIDGE_UK };
    const { config, tokens, email } = await signedInApp(where);
    now += 60_000;
    // Near home: fine, and the token rotates as usual.
    const nearby = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(nearby.refresh_token).toBeTruthy();
    // Ten minutes later from across the Atlantic: refused, and the whole grant is gone.
    now += 10 * 60_000;
    where.current = US;
    await expect(oidc.refreshTokenGrant(config, nearby.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    where.current = CAMBRIDGE_UK;
    await expect(oidc.refreshTokenGrant(config, nearby.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const userId = (await server.services.store.users.findByEmail('demo', email))!.id;
    const [event] = (await storedRiskEvents(server, { tenantId: 'demo', userId, kind: 'token_refresh', limit: 1 })).items;
    expect(event).toMatchObject({ action: 'deny', country: 'US' });
    expect(event!.reasons[0]!.signal).toBe('impossible_travel');
  });

  it('the same journey at a plane’s pace is fine', async () => {
    const where = { current: CAMBRIDGE_UK };
    const { config, tokens } = await signedInApp(where);
    now += 12 * 3600_000;
    where.current = US;
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });
});
