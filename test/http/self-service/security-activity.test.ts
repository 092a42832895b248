// The account page's "Recent security activity", read from the audit rows about the account: a
// password change and a refused sign-in with the device and address they came from, support's
// actions marked as support's, nothing about another account, nothing that is not security.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from '../admin/admin-client.ts';
import { OTHER_PASSWORD, PASSWORD, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

describe.each(engines)('recent security activity (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  const activity = (page: string) => /<ul class="fd-sessions" id="security-activity">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';

  it('lists what changed about how the account is protected, newest first, and who did it', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    const fresh = await client.get('/t/demo/account');
    expect(fresh.text).toContain('Recent security activity');
    expect(activity(fresh.text)).toBe('');

    expect((await client.post('/t/demo/account/password', { current_password: PASSWORD, new_password: OTHER_PASSWORD })).status).toBe(303);
    // Someone else guesses wrong from another browser.
    const guesser = new FormClient(server.baseUrl, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
    expect((await signIn(server, 'demo', email, 'not the password at all', guesser)).response.status).toBe(401);
    // Support signs every session out; this browser signs in again.
    const user = (await server.services.store.users.findByEmail('demo', email))!;
    expect((await adminApi(server)('DELETE', `/tenants/demo/users/${user.id}/sessions`)).status).toBe(200);
    // Another account's events are not this one's.
    await registerAndVerify(server, 'demo', uniqueEmail());

    const { client: again } = await signIn(server, 'demo', email, OTHER_PASSWORD);
    const list = activity((await again.get('/t/demo/account')).text);
    const items = [...list.matchAll(/<span class="fd-session__device">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(items).toEqual(['Signed out', 'Sign-in refused: wrong password', 'Password changed']);
    expect(list).toContain('By Demo support');
    expect(list).toContain('Firefox on Linux, 127.0.0.1');
  });
});
