// Clock skew between nodes (issue 9): two `frontdoor start` processes on one PostgreSQL database,
// one with its clock two minutes fast and one two minutes slow (libfaketime, Debian's `faketime`),
// behind a router of the test's own that sends each step to the node the test picks: codes (60 s)
// minted on one node are redeemed on the other, in both directions; refresh, userinfo and
// introspection on the other node again, checked by openid-client with no clock tolerance; a
// hosted sign-in on one and its session used on the other. It all works because the nodes keep the
// database's time (storage/cluster-clock.ts); without that, a code minted on the slow node is
// expired on the fast one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { BIN } from '../support/cli.ts';
import { FormClient } from '../support/client.ts';
import { createPostgresDatabase, engines } from '../support/engines.ts';
import { authorize } from '../support/oidc.ts';
import { freePort } from '../support/server.ts';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';
if (!existsSync(FAKETIME) && REQUIRE) throw new Error(`libfaketime is required at ${FAKETIME} (apt-get install faketime)`);
const available = engines.includes('postgres') && existsSync(FAKETIME);
const PASSWORD = 'correct horse battery staple 42';
const REDIRECT = 'https://skew.example/cb';

describe.runIf(available)('nodes whose clocks are two minutes apart each way', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  let router: Server;
  /** The node the router sends to now. */
  let target = 0;
  let publicUrl: string;
  const nodes: { child: ChildProcess; url: string }[] = [];

  async function startNode(skew: string, publicPort: number): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        FRONTDOOR_DATA_DIR: dataDir,
        FRONTDOOR_BASE_URL: `http://localhost:${publicPort}`,
        FRONTDOOR_TRUST_PROXY: 'true',
        LD_PRELOAD: FAKETIME,
        FAKETIME: skew,
        // Timers keep real time; only the wall clock is off.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the node with clock ${skew} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { child, url };
  }

  beforeAll(async () => {
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-skew-'));
    const publicPort = await freePort();
    publicUrl = `http://localhost:${publicPort}`;
    // The first alone (migrations, demo tenant, admin token), then the second.
    nodes.push(await startNode('+2m', publicPort));
    nodes.push(await startNode('-2m', publicPort));
    router = createServer((req, res) => {
      const to = new URL(nodes[target]!.url);
      const forward = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => router.listen(publicPort, '127.0.0.1', () => resolve()));
  }, 180_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => (router ? (router.close(() => resolve()), router.closeAllConnections()) : resolve()));
    await Promise.all(nodes.map((n) => new Promise<void>((resolve) => (n.child.exitCode !== null ? resolve() : (n.child.once('exit', () => resolve()), n.child.kill('SIGTERM'))))));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 60_000);

  it('runs code flows, refreshes, userinfo, introspection and sign-ins across both', async () => {
    // The skew is real: each node's HTTP Date header (its own wall clock) is two minutes off.
    for (const [node, sign] of [[nodes[0]!, 1], [nodes[1]!, -1]] as const) {
      const date = Date.parse((await fetch(`${node.url}/healthz`)).headers.get('date')!);
      expect(Math.abs(date - Date.now() - sign * 120_000)).toBeLessThan(5_000);
    }
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const admin = (path: string, body: unknown) => fetch(`${publicUrl}/admin/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const app = await admin('/tenants/demo/applications', { name: 'Skew app', redirect_uris: [REDIRECT] });
    expect(app.status, await app.clone().text()).toBe(201);
    const { client_id: clientId, client_secret: clientSecret } = (await app.json()) as { client_id: string; client_secret: string };
    const email = 'skew@example.org';
    expect((await admin('/tenants/demo/users', { email, password: PASSWORD, email_verified: true })).status).toBe(201);

    // Whatever the router sends to node `to` while `work` runs.
    const on = async <T>(to: number, work: () => Promise<T>): Promise<T> => {
      target = to;
      return work();
    };
    const config = await on(0, () => oidc.discovery(new URL(`${publicUrl}/t/demo/oidc`), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] }));
    // Minted on the fast node and redeemed on the slow one, then the other way round.
    for (const [mint, redeem] of [[0, 1], [1, 0]] as const) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email offline_access', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
      const { callbackUrl } = await on(mint, () => authorize(new FormClient(publicUrl), url, { email, consent: 'allow' }));
      expect(callbackUrl, `minted on node ${mint}: back at the app`).not.toBeNull();
      const tokens = await on(redeem, () => oidc.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state }));
      expect(tokens.claims()?.sub).toBeTruthy();
      const refreshed = await on(mint, () => oidc.refreshTokenGrant(config, tokens.refresh_token!));
      expect((await on(redeem, () => oidc.fetchUserInfo(config, refreshed.access_token, tokens.claims()!.sub))).email).toBe(email);
      expect((await on(mint, () => oidc.tokenIntrospection(config, refreshed.access_token))).active).toBe(true);
    }

    // A hosted sign-in on one node, its session on the other.
    for (const [signIn, use] of [[0, 1], [1, 0]] as const) {
      const browser = new FormClient(publicUrl);
      await on(signIn, () => browser.get('/t/demo/login'));
      expect((await on(signIn, () => browser.post('/t/demo/login', { email, password: PASSWORD }))).status).toBe(303);
      expect((await on(use, () => browser.get('/t/demo/account'))).status).toBe(200);
    }
  }, 180_000);
});
