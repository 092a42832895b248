// Registration, sign-in and reset answer known and unknown addresses alike (SECURITY.md,
// "Enumeration and timing"). Timing is covered by doing the same hashing work on both paths;
// wall-clock time is not asserted here.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { OTHER_PASSWORD, PASSWORD, register, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

function comparable(response: { status: number; location: string | null; setCookies: string[]; text: string }, email: string) {
  return {
    status: response.status,
    location: response.location,
    cookies: response.setCookies.map((c) => c.split('=')[0]).sort(),
    // Each page carries a fresh passkey challenge and the time it was served; neither is about the account.
    body: response.text
      .replaceAll(email, 'EMAIL')
      .replace(/data-options="[^"]*"/g, 'data-options="…"')
      .replace(/name="form_ts" value="[^"]*"/g, 'name="form_ts" value="…"'),
  };
}

describe.each(engines)('no user enumeration (%s)', (engine) => {
  let server: TestServer;
  let known: string;
  beforeAll(async () => {
    server = await startTestServer(engine);
    known = uniqueEmail('known');
    await registerAndVerify(server, 'demo', known);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('registration answers alike for a taken and a free address, hashing both times', async () => {
    const hash = vi.spyOn(server.services.hasher, 'hash');
    const client = new FormClient(server.baseUrl);
    const taken = await register(client, 'demo', known, OTHER_PASSWORD);
    const fresh = uniqueEmail('fresh');
    const free = await register(client, 'demo', fresh, OTHER_PASSWORD);
    expect(comparable(taken, known)).toEqual(comparable(free, fresh));
    expect(hash).toHaveBeenCalledTimes(2);
    hash.mockRestore();
  });

  it('sign-in answers alike for an unknown address and a wrong password, verifying a hash both times', async () => {
    const verify = vi.spyOn(server.services.hasher, 'verify');
    const dummy = vi.spyOn(server.services.hasher, 'verifyDummy');
    const client = new FormClient(server.baseUrl);
    const wrong = (await signIn(server, 'demo', known, OTHER_PASSWORD, client)).response;
    const unknownEmail = uniqueEmail('unknown');
    const unknown = (await signIn(server, 'demo', unknownEmail, OTHER_PASSWORD, client)).response;
    expect(comparable(wrong, known)).toEqual(comparable(unknown, unknownEmail));
    expect(verify).toHaveBeenCalledTimes(1);
    expect(dummy).toHaveBeenCalledTimes(1);
    verify.mockRestore();
    dummy.mockRestore();
  });

  it('forgot-password answers alike for a known and an unknown address', async () => {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/forgot');
    const a = await client.post('/t/demo/forgot', { email: known });
    await client.get('/t/demo/forgot');
    const unknownEmail = uniqueEmail('unknown');
    const b = await client.post('/t/demo/forgot', { email: unknownEmail });
    expect(comparable(a, known)).toEqual(comparable(b, unknownEmail));
  });

  it('reveals account state only to someone who knows the password', async () => {
    const pending = uniqueEmail('pending');
    await register(new FormClient(server.baseUrl), 'demo', pending, PASSWORD);
    // No password is set until verification, so even the right one gets the generic answer.
    const attempt = (await signIn(server, 'demo', pending, PASSWORD)).response;
    expect(attempt.status).toBe(401);
    expect(attempt.text).not.toContain('verify/resend');
  });
});
