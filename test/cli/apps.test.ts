// `frontdoor app …` and `frontdoor api …` as an operator runs them: real subprocesses against the
// database named by the environment, on both engines. A secret is printed once (create,
// rotate-secret) and never by list; bad input is one stderr line and exit code 1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, expectOneLineFailure, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines, type TestEngine } from '../support/engines.ts';

const API = 'https://api.example.test/orders';

describe.each(engines)('frontdoor app and api against %s', (engine: TestEngine) => {
  let dataDir: string;
  let env: Record<string, string>;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, dataDir, remove } = await cliEnvironment(engine, 'frontdoor-cli-apps-'));
    const created = await frontdoor(env, 'tenant', 'create', 'acme');
    expect(created.code, created.stderr).toBe(0);
  }, SLOW);
  afterAll(async () => {
    await remove?.();
  }, SLOW);

  it('creates an API and a machine client authorized for it, rotates its secret, changes and deletes them', async () => {
    const api = json(await frontdoor(env, 'api', 'create', '--tenant', 'acme', '--identifier', API, '--name', 'Orders', '--scope', 'read:orders=Read your orders', '--scope', 'write:orders', '--ttl', '300', '--json'));
    expect(api).toMatchObject({ identifier: API, name: 'Orders', access_token_format: 'jwt', access_token_ttl_seconds: 300, scopes: [{ name: 'read:orders', description: 'Read your orders' }, { name: 'write:orders', description: '' }] });
    const apiList = await frontdoor(env, 'api', 'list', '--tenant', 'acme');
    expect(apiList.stdout).toMatch(new RegExp(`${api.id}\\s+${API}\\s+Orders\\s+jwt 300s\\s+read:orders write:orders`));

    const created = json(
      await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'Worker', '--grant-type', 'client_credentials', '--client-id', 'orders-worker', '--api-scope', `${API} read:orders`, '--json'),
    );
    expect(created).toMatchObject({ client_id: 'orders-worker', grant_types: ['client_credentials'], client_credentials_scopes: { [API]: ['read:orders'] }, has_secret: true });
    const secret = created.client_secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(43);

    const listed = await frontdoor(env, 'app', 'list', '--tenant', 'acme');
    expect(listed.stdout).toMatch(/orders-worker\s+Worker\s+confidential\s+client_credentials/);
    const listedJson = await frontdoor(env, 'app', 'list', '--tenant', 'acme', '--json');
    expect(json(listedJson).items).toHaveLength(1);
    expect(listedJson.stdout).not.toContain(secret);

    const rotated = await frontdoor(env, 'app', 'rotate-secret', '--tenant', 'acme', '--app', 'orders-worker', '--overlap', '3600');
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = /client_secret: (\S+)/.exec(rotated.stdout)?.[1];
    expect(newSecret).toBeTruthy();
    expect(newSecret).not.toBe(secret);
    expect(rotated.stdout).toMatch(/previous secret works until \d{4}-/);
    const ended = json(await frontdoor(env, 'app', 'rotate-secret', '--tenant', 'acme', '--app', created.id, '--overlap', '0', '--json'));
    expect(ended.previous_secret_expires_at).toBeNull();
    expect(ended.client_secret).not.toBe(newSecret);

    const updated = json(await frontdoor(env, 'app', 'update', '--tenant', 'acme', '--app', 'orders-worker', '--name', 'Order worker', '--api-scope', `${API} read:orders write:orders`, '--json'));
    expect(updated).toMatchObject({ name: 'Order worker', client_credentials_scopes: { [API]: ['read:orders', 'write:orders'] } });

    const deleted = await frontdoor(env, 'app', 'delete', '--tenant', 'acme', '--app', 'orders-worker');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(json(await frontdoor(env, 'app', 'list', '--tenant', 'acme', '--json')).items).toEqual([]);
    expect((await frontdoor(env, 'api', 'delete', '--tenant', 'acme', '--api', API)).code).toBe(0);
    expect((await frontdoor(env, 'api', 'list', '--tenant', 'acme')).stdout).toContain('No API resources.');
  }, SLOW);

  it('creates a private_key_jwt client from a JWKS file (no secret) and a pairwise web app', async () => {
    const { publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwksFile = join(dataDir, 'worker-jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }));
    const keyed = json(await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'Keyed', '--grant-type', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks-file', jwksFile, '--json'));
    expect(keyed).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', client_secret: null, has_secret: false, jwks: { keys: [{ kid: 'k1', kty: 'EC' }] } });

    const web = await frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'Web', '--redirect-uri', 'https://web.example.test/cb', '--pairwise', '--id-token-alg', 'EdDSA', '--backchannel-logout-uri', 'https://web.example.test/bcl');
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toMatch(/client_secret: \S+/);
    const app = (json(await frontdoor(env, 'app', 'list', '--tenant', 'acme', '--json')).items as { name: string }[]).find((a) => a.name === 'Web');
    expect(app).toMatchObject({ subject_type: 'pairwise', id_token_signed_response_alg: 'EdDSA', backchannel_logout_uri: 'https://web.example.test/bcl' });
  }, SLOW);

  it('refuses bad input with one line', async () => {
    const runs = await Promise.all([
      frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'X', '--grant-type', 'client_credentials', '--api-scope', API),
      frontdoor(env, 'app', 'update', '--tenant', 'acme', '--app', 'whatever'),
      frontdoor(env, 'app', 'rotate-secret', '--tenant', 'acme', '--app', 'nope'),
      frontdoor(env, 'app', 'create', '--tenant', 'acme', '--name', 'X', '--grant-type', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks-file', join(dataDir, 'missing.json')),
      frontdoor(env, 'api', 'create', '--tenant', 'acme', '--identifier', 'not a uri', '--name', 'X'),
      frontdoor(env, 'api', 'delete', '--tenant', 'acme', '--api', 'https://nope.example/'),
      frontdoor(env, 'app', 'rotate-secret', '--tenant', 'acme', '--app', 'x', '--overlap', 'soon'),
    ]);
    const [badScope, nothing, unknownApp, missingJwks, badIdentifier, unknownApi, badOverlap] = runs.map((run, i) => expectOneLineFailure(run, 1) + String(i));
    expect(badScope).toContain('--api-scope takes "RESOURCE SCOPE');
    expect(nothing).toContain('nothing to change');
    expect(unknownApp).toContain('app.not_found');
    expect(missingJwks).toContain('--jwks-file');
    expect(badIdentifier).toContain('identifier');
    expect(unknownApi).toContain('resource.not_found');
    expect(badOverlap).toContain('--overlap must be a whole number');
  }, SLOW);
});
