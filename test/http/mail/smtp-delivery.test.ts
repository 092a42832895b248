// Mail leaves through a real SMTP server (Debian's aiosmtpd on loopback) when SMTP_URL is set.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { makeUser } from '../../support/oidc.ts';
import { freePort, startTestServer, type TestServer } from '../../support/server.ts';

const PYTHON = '/usr/bin/python3';
const REQUIRE = process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1';

async function startSmtp(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  for (let i = 0; i < 50; i += 1) {
    const ok = await new Promise<boolean>((resolve) => {
      import('node:net').then(({ connect }) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out };
}

let available = existsSync(PYTHON);
if (available) {
  const { spawnSync } = await import('node:child_process');
  available = spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
}
if (!available) {
  if (REQUIRE) throw new Error('python3-aiosmtpd is required for the SMTP test (apt-get install python3-aiosmtpd)');
  console.warn('[frontdoor tests] skipping SMTP delivery: Debian python3-aiosmtpd not installed');
}

describe.runIf(available)('mail over SMTP', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    const port = await freePort();
    smtp = await startSmtp(port);
    server = await startTestServer('sqlite', { env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Frontdoor <no-reply@example.com>' } });
  });
  afterAll(async () => {
    await server?.close();
    smtp?.child.kill();
  });

  it('delivers the verification mail to the SMTP server and marks it sent', async () => {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/register');
    const email = `smtp.${Date.now()}@example.com`;
    expect((await client.post('/t/demo/register', { email, password: 'Copper-Willow-Beacon-771' })).status).toBe(303);
    await server.services.mailDispatcher!.idle();
    for (let i = 0; i < 50 && !smtp.output().includes(email); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(smtp.output()).toContain(`To: ${email}`);
    expect(smtp.output()).toMatch(/Subject: .*Demo/);
    await server.services.mailDispatcher!.idle();
    const [mail] = await server.mailTo(email);
    expect(mail!.sentAt).not.toBeNull();
  });

  it('delivers a sign-in code through the SMTP server, and the code read from the wire signs in', async () => {
    const email = `smtp.code.${Date.now()}@example.com`;
    await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login/email', { email })).location).toBe('/t/demo/login/email/code');
    await server.services.mailDispatcher!.idle();
    const received = () => smtp.output().slice(smtp.output().indexOf(`To: ${email}`));
    for (let i = 0; i < 50 && !smtp.output().includes(`To: ${email}`); i += 1) await new Promise((r) => setTimeout(r, 100));
    // aiosmtpd prints the message as received; the subject carries the code.
    const code = /Subject: (\d{6}) is your Demo sign-in code/.exec(received())?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const done = await client.post('/t/demo/login/email/code', { code: code! });
    expect(done.location).toBe('/t/demo/account');
  });
});
