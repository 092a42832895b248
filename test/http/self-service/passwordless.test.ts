// A tenant without passwords: customers register with their address alone (the mailed link signs
// in only the browser that registered), sign in by a code by email or a passkey, and never have a
// password — password sign-in, reset and change are refused. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { ceremonyOptions, SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { adminApi } from '../admin/admin-client.ts';

const T = '/t/nopass';

describe.each(engines)('a tenant without passwords (%s)', (engine) => {
  let server: TestServer;
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine);
    expect((await adminApi(server)('POST', '/tenants', { id: 'nopass', name: 'No Pass', settings: { passwords: false } })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function registerAndGetLink(client: FormClient, email: string): Promise<string> {
    const page = await client.get(`${T}/register`);
    expect(page.text).not.toContain('type="password"');
    expect((await client.post(`${T}/register`, { email })).location).toBe(`${T}/check-email?kind=registration`);
    const [mail] = await server.mailTo(email);
    return linkIn(mail!.text, `${T}/verify`);
  }
  const path = (link: string) => new URL(link).pathname + new URL(link).search;

  it('registers with the address alone; the link signs in the registering browser, and no password exists', async () => {
    const email = `nopass.${engine}.${++seq}@example.com`;
    const browser = new FormClient(server.baseUrl);
    const link = await registerAndGetLink(browser, email);
    const confirm = await browser.get(path(link));
    expect(confirm.text).not.toContain('type="password"');
    const done = await browser.post(`${T}/verify`, { token: new URL(link).searchParams.get('token')! });
    expect(done.location).toBe(`${T}/account?notice=verified`);
    const user = (await server.services.store.users.findByEmail('nopass', email))!;
    expect(user.emailVerified).toBe(true);
    expect(await server.services.store.passwords.get('nopass', user.id)).toBeNull();
    const account = await browser.get(`${T}/account`);
    expect(account.status).toBe(200);
    expect(account.text).not.toContain('Change password');

    // A passkey, then signing in with it.
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    expect((await browser.post(`${T}/account/passkeys`, { response: JSON.stringify(authenticator.create(ceremonyOptions(account.text, `${T}/account/passkeys`))) })).location).toBe(`${T}/account?notice=passkey_added`);
    const later = new FormClient(server.baseUrl);
    const login = await later.get(`${T}/login`);
    expect(login.text).not.toContain('type="password"');
    const signedIn = await later.post(`${T}/login/passkey`, { response: JSON.stringify(authenticator.get(ceremonyOptions(login.text, `${T}/login/passkey`))) });
    expect(signedIn.location).toBe(`${T}/account`);
  });

  it('confirms the address but signs nobody in when the link is opened in another browser', async () => {
    const email = `nopass.elsewhere.${engine}.${++seq}@example.com`;
    const link = await registerAndGetLink(new FormClient(server.baseUrl), email);
    const other = new FormClient(server.baseUrl);
    await other.get(path(link));
    const done = await other.post(`${T}/verify`, { token: new URL(link).searchParams.get('token')! });
    expect(done.location).toBe(`${T}/login?notice=verified_elsewhere`);
    expect(other.cookies.has('__Host-fd-session-nopass')).toBe(false);
    expect((await server.services.store.users.findByEmail('nopass', email))!.emailVerified).toBe(true);
    // Now a code by email signs in.
    await other.get(`${T}/login`);
    expect((await other.post(`${T}/login/email`, { email })).location).toBe(`${T}/login/email/code`);
    const code = /^(\d{6})/.exec((await server.mailTo(email)).find((m) => m.subject.endsWith('sign-in code'))!.subject)![1]!;
    expect((await other.post(`${T}/login/email/code`, { code })).location).toBe(`${T}/account`);
  });

  it('refuses password sign-in and reset, and the flow API offers no password', async () => {
    const client = new FormClient(server.baseUrl);
    await client.get(`${T}/login`);
    const refused = await client.post(`${T}/login`, { email: 'someone@example.com', password: PASSWORD });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Passwords are not used here');
    await client.get(`${T}/forgot`);
    expect((await client.post(`${T}/forgot`, { email: 'someone@example.com' })).status).toBe(400);
    const created = await fetch(`${server.baseUrl}${T}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(((await created.json()) as { methods: string[] }).methods).toEqual(['email', 'passkey']);
  });
});
