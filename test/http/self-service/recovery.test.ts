import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { OTHER_PASSWORD, PASSWORD, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

describe.each(engines)('forgot and reset password (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function requestReset(email: string): Promise<string> {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/forgot');
    const response = await client.post('/t/demo/forgot', { email });
    expect(response.status).toBe(303);
    const [mail] = await server.mailTo(email);
    return new URL(linkIn(mail!.text, '/t/demo/reset')).searchParams.get('token')!;
  }

  it('resets the password with a single-use link and signs out every session', async () => {
    const email = uniqueEmail();
    const signedIn = await registerAndVerify(server, 'demo', email);
    const token = await requestReset(email);
    const client = new FormClient(server.baseUrl);
    const form = await client.get(`/t/demo/reset?token=${token}`);
    expect(form.status).toBe(200);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const done = await client.post('/t/demo/reset', { token, password: OTHER_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/t/demo/login?notice=password_reset');
    expect((await signedIn.get('/t/demo/account')).status).toBe(303); // the old session is gone
    expect((await signIn(server, 'demo', email, PASSWORD)).response.status).toBe(401);
    expect((await signIn(server, 'demo', email, OTHER_PASSWORD)).response.status).toBe(303);
    const reuse = await client.post('/t/demo/reset', { token, password: 'Another-Fresh-Passphrase-55' });
    expect(reuse.status).toBe(410);
    const mails = await server.mailTo(email);
    expect(mails.map((m) => m.subject)).toContain('Your Demo password was changed');
  });

  it('kills an older link when a newer one is sent', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const first = await requestReset(email);
    const second = await requestReset(email);
    const client = new FormClient(server.baseUrl);
    expect((await client.get(`/t/demo/reset?token=${first}`)).status).toBe(410);
    expect((await client.get(`/t/demo/reset?token=${second}`)).status).toBe(200);
  });

  it('kills a reset link when the password is changed from the account page', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    const token = await requestReset(email);
    await client.get('/t/demo/account');
    const changed = await client.post('/t/demo/account/password', { current_password: PASSWORD, new_password: OTHER_PASSWORD });
    expect(changed.status).toBe(303);
    expect((await new FormClient(server.baseUrl).get(`/t/demo/reset?token=${token}`)).status).toBe(410);
  });

  it('expires the link after 30 minutes', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const token = await requestReset(email);
    now += 31 * 60_000;
    expect((await new FormClient(server.baseUrl).get(`/t/demo/reset?token=${token}`)).status).toBe(410);
  });

  it('keeps the link usable when the new password is refused', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const token = await requestReset(email);
    const client = new FormClient(server.baseUrl);
    await client.get(`/t/demo/reset?token=${token}`);
    const refused = await client.post('/t/demo/reset', { token, password: 'short' });
    expect(refused.status).toBe(400);
    expect((await client.post('/t/demo/reset', { token, password: OTHER_PASSWORD })).status).toBe(303);
  });

  it('changing the password needs the current one and signs out the other sessions', async () => {
    const email = uniqueEmail();
    const other = await registerAndVerify(server, 'demo', email);
    const { client } = await signIn(server, 'demo', email, PASSWORD);
    await client.get('/t/demo/account');
    const wrong = await client.post('/t/demo/account/password', { current_password: 'not-my-password-at-all', new_password: OTHER_PASSWORD });
    expect(wrong.status).toBe(401);
    const ok = await client.post('/t/demo/account/password', { current_password: PASSWORD, new_password: OTHER_PASSWORD });
    expect(ok.status).toBe(303);
    expect((await client.get('/t/demo/account')).status).toBe(200);
    expect((await other.get('/t/demo/account')).status).toBe(303);
  });
});
