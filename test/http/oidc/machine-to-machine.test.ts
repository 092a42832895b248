// Client credentials for machine-to-machine: JWT access tokens for an API resource (RFC 9068),
// opaque ones when the resource says so, client authentication by secret (basic, post, previous
// secret during its overlap) and by private_key_jwt, and JWT tampering refused — driven by
// openid-client and verified with jose against the published JWKS, on both engines.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateApplicationSecret } from '../../../src/core/apps/app-admin.ts';
import { createApiResource } from '../../../src/core/apps/api-resources.ts';
import { cliContext } from '../../../src/core/context.ts';
import { engines } from '../../support/engines.ts';
import { discover, issuerOf, makeApp } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const API = 'https://api.example.test/orders';
const OPAQUE_API = 'https://api.example.test/legacy';

describe.each(engines)('OIDC client credentials (%s)', (engine) => {
  let server: TestServer;
  let clientId: string;
  let secret: string;
  let appId: string;
  let jwks: ReturnType<typeof jose.createRemoteJWKSet>;

  beforeAll(async () => {
    server = await startTestServer(engine);
    await createApiResource(server.services, { tenantId: 'demo', identifier: API, name: 'Orders API', scopes: [{ name: 'read:orders', description: 'Read your orders' }, { name: 'write:orders' }] }, cliContext);
    await createApiResource(server.services, { tenantId: 'demo', identifier: OPAQUE_API, name: 'Legacy API', scopes: [{ name: 'legacy' }], accessTokenFormat: 'opaque' }, cliContext);
    const { app, clientSecret } = await makeApp(server, {
      name: 'Billing worker',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      oidc: { clientCredentialsScopes: { [API]: ['read:orders'], [OPAQUE_API]: ['legacy'] } },
    });
    clientId = app.clientId;
    appId = app.id;
    secret = clientSecret!;
    jwks = jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('issues an RFC 9068 JWT access token for an API resource', async () => {
    const config = await discover(server, clientId, secret);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API });
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, { issuer: issuerOf(server).toString(), audience: API, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ client_id: clientId, scope: 'read:orders', aud: API });
    expect(payload.sub).toBe(clientId);
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
  });

  it('grants only scopes the resource has and the admin authorized, and refuses an unknown resource', async () => {
    const config = await discover(server, clientId, secret);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:orders write:orders delete:everything', resource: API });
    const { payload } = await jose.jwtVerify(tokens.access_token, jwks, { audience: API });
    expect(payload.scope).toBe('read:orders'); // write:orders exists but was not authorized for this app
    await expect(oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: 'https://unknown.example.test/' })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('gives an app no token for an API it is not authorized for', async () => {
    const { app, clientSecret } = await makeApp(server, { name: 'Unrelated worker', redirectUris: [], grantTypes: ['client_credentials'] });
    const config = await discover(server, app.clientId, clientSecret);
    await expect(oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('issues opaque tokens where the resource asks, and introspection describes them', async () => {
    const config = await discover(server, clientId, secret);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'legacy', resource: OPAQUE_API });
    expect(tokens.access_token.split('.').length).not.toBe(3);
    const info = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: clientId, scope: 'legacy', aud: OPAQUE_API });
  });

  it('authenticates with client_secret_post as well as basic', async () => {
    const config = await discover(server, clientId, secret, 'demo', {}, oidc.ClientSecretPost(secret));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API });
    expect(tokens.access_token).toBeTruthy();
  });

  it('rotates the secret: the new one works at once, the old one only during the overlap', async () => {
    const { app: rotatedOnce, clientSecret: second } = await rotateApplicationSecret(server.services, 'demo', appId, { overlapSeconds: 3600 }, cliContext);
    expect(rotatedOnce.previousSecretHash).not.toBeNull();
    for (const candidate of [secret, second]) {
      const tokens = await oidc.clientCredentialsGrant(await discover(server, clientId, candidate), { scope: 'read:orders', resource: API });
      expect(tokens.access_token).toBeTruthy();
    }
    // A rotation without overlap ends every earlier secret immediately.
    const { clientSecret: third } = await rotateApplicationSecret(server.services, 'demo', appId, { overlapSeconds: 0 }, cliContext);
    for (const stale of [secret, second]) {
      await expect(oidc.clientCredentialsGrant(await discover(server, clientId, stale), { scope: 'read:orders', resource: API })).rejects.toMatchObject({ status: 401 });
    }
    secret = third;
    expect((await oidc.clientCredentialsGrant(await discover(server, clientId, third), { scope: 'read:orders', resource: API })).access_token).toBeTruthy();
  });

  it('authenticates a client by private_key_jwt', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await jose.exportJWK(publicKey)), kid: 'worker-key-1', alg: 'ES256', use: 'sig' };
    const { app } = await makeApp(server, {
      name: 'Key-authenticated worker',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      oidc: { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJwk] }, clientCredentialsScopes: { [API]: ['read:orders'] } },
    });
    const config = await discover(server, app.clientId, null, 'demo', {}, oidc.PrivateKeyJwt({ key: privateKey, kid: 'worker-key-1' }));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API });
    expect(tokens.access_token).toBeTruthy();
    // The same client with a key it did not register is refused.
    const other = await jose.generateKeyPair('ES256', { extractable: true });
    const wrongConfig = await discover(server, app.clientId, null, 'demo', {}, oidc.PrivateKeyJwt({ key: other.privateKey, kid: 'worker-key-1' }));
    await expect(oidc.clientCredentialsGrant(wrongConfig, { scope: 'read:orders', resource: API })).rejects.toMatchObject({ status: 401 });
  });

  it('introspection and userinfo refuse tampered, alg:none, foreign-key and expired JWTs', async () => {
    const config = await discover(server, clientId, secret);
    const good = (await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API })).access_token;
    await jose.jwtVerify(good, jwks, { audience: API });

    const [header, payload, signature] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'write:orders' })).toString('base64url')}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    const foreignKey = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid }).sign((await jose.generateKeyPair('ES256')).privateKey);
    const expired = await new jose.SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign((await jose.generateKeyPair('ES256')).privateKey);
    for (const bad of [tampered, none, foreignKey, expired]) {
      // Our keys do not verify it, so no resource server accepts it ...
      await expect(jose.jwtVerify(bad, jwks, { audience: API })).rejects.toBeTruthy();
      // ... introspection never calls it active (structured tokens are verified locally, not looked up) ...
      const introspected = await oidc.tokenIntrospection(config, bad).catch((error: { error?: string }) => ({ active: false, error: error.error }));
      expect(introspected.active).toBe(false);
      // ... and userinfo refuses it.
      expect((await fetch(`${issuerOf(server)}/me`, { headers: { authorization: `Bearer ${bad}` } })).status).toBe(401);
    }
    // Userinfo refuses a token for another audience (an API token is not a userinfo token).
    const me = await fetch(`${issuerOf(server)}/me`, { headers: { authorization: `Bearer ${good}` } });
    expect(me.status).toBe(401);
  });

  it('after a key rotation signs with the key published before, and tokens from before still verify', async () => {
    const config = await discover(server, clientId, secret);
    const before = (await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API })).access_token;
    const oldKid = jose.decodeProtectedHeader(before).kid;
    const published = ((await (await fetch(`${issuerOf(server)}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const rotation = await server.services.signingKeys.rotate('demo', 'ES256', cliContext);
    expect(rotation.retired).toBe(oldKid);
    expect(published).toContain(rotation.active); // the new signing key was in JWKS before it signed
    // Every node compares the key-set version at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = (await oidc.clientCredentialsGrant(config, { scope: 'read:orders', resource: API })).access_token;
    expect(jose.decodeProtectedHeader(after).kid).toBe(rotation.active);
    const fresh = jose.createRemoteJWKSet(new URL(`${issuerOf(server)}/jwks`));
    await jose.jwtVerify(before, fresh, { audience: API });
    await jose.jwtVerify(after, fresh, { audience: API });
  });
});
