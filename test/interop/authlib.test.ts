// The code flow once more with a relying party written by others in another language: Debian's
// python3-authlib (PKCE, client_secret_basic, ID token checked with authlib's own JOSE code).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client.ts';
import { engines } from '../support/engines.ts';
import { authorize, issuerOf, makeApp, makeUser } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./authlib_client.py', import.meta.url));
const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';

async function authlibAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  const child = spawn(PYTHON, ['-c', 'import authlib, requests']);
  return new Promise((resolve) => child.on('close', (code) => resolve(code === 0)));
}
const available = await authlibAvailable();
if (!available) {
  if (REQUIRE) throw new Error('python3-authlib and python3-requests are required (apt-get install python3-authlib python3-requests)');
  console.warn('[frontdoor tests] skipping the authlib interop test: python3-authlib not installed');
}

describe.each(available ? engines : [])('code flow with python3-authlib (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('signs in, redeems the code with PKCE, validates the ID token and reads userinfo', async () => {
    const email = `authlib-${engine}@example.test`;
    const user = await makeUser(server, email, 'demo', { name: 'Grace Hopper' });
    const redirect = 'https://python-app.example.test/callback';
    const { app, clientSecret } = await makeApp(server, { name: 'Python app', redirectUris: [redirect] });

    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const line = await lines.next();
      if (line.done) throw new Error(`authlib client ended early: ${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    };
    child.stdin.write(`${JSON.stringify({ issuer: issuerOf(server).toString(), client_id: app.clientId, client_secret: clientSecret, redirect_uri: redirect })}\n`);
    const { authorize_url: authorizeUrl } = (await next()) as { authorize_url: string };
    const url = new URL(authorizeUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    const { callbackUrl } = await authorize(new FormClient(server.baseUrl), url, { email });
    expect(callbackUrl).not.toBeNull();
    child.stdin.write(`${callbackUrl!.toString()}\n`);
    const result = (await next()) as { id_token_claims: Record<string, unknown>; userinfo: Record<string, unknown> };
    child.stdin.end();
    expect(result.id_token_claims).toMatchObject({ sub: user.id, iss: issuerOf(server).toString(), aud: app.clientId });
    expect(result.userinfo).toMatchObject({ sub: user.id, email, name: 'Grace Hopper' });
  });
});
