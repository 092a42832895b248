import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { OTHER_PASSWORD, PASSWORD, register, registerAndVerify, signIn, uniqueEmail } from './flows.ts';

describe.each(engines)('registration and email verification (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('registers, mails a link, verifies with the password and signs in', async () => {
    const email = uniqueEmail();
    const client = await registerAndVerify(server, 'demo', email);
    const account = await client.get('/t/demo/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain(email);
    const user = await server.services.store.users.findByEmail('demo', email);
    expect(user).toMatchObject({ status: 'active', emailVerified: true });
  });

  it('remembers the language the pages were used in, at registration and at each sign-in', async () => {
    const email = uniqueEmail();
    const german = new FormClient(server.baseUrl, { 'accept-language': 'de-DE,de;q=0.9' });
    expect((await register(german, 'demo', email, PASSWORD)).status).toBe(303);
    expect((await server.services.store.users.findByEmail('demo', email))?.locale).toBe('de');
    const english = new FormClient(server.baseUrl, { 'accept-language': 'en-GB' });
    const [mail] = await server.mailTo(email);
    const link = new URL(linkIn(mail!.text, '/t/demo/verify'));
    await english.get(link.pathname + link.search);
    expect((await english.post('/t/demo/verify', { token: link.searchParams.get('token')!, password: PASSWORD })).status).toBe(303);
    expect((await server.services.store.users.findByEmail('demo', email))?.locale).toBe('en');
    const { response } = await signIn(server, 'demo', email, PASSWORD, new FormClient(server.baseUrl, { 'accept-language': 'de' }));
    expect(response.status).toBe(303);
    expect((await server.services.store.users.findByEmail('demo', email))?.locale).toBe('de');
  });

  it('stores the email normalized: case, spaces and IDN domains', async () => {
    const client = new FormClient(server.baseUrl);
    const response = await register(client, 'demo', '  Mixed.Case+tag@BÜCHER.example  ', PASSWORD);
    expect(response.status).toBe(303);
    const user = await server.services.store.users.findByEmail('demo', 'mixed.case+tag@xn--bcher-kva.example');
    expect(user).not.toBeNull();
  });

  it('does not let a pending account sign in before verification', async () => {
    const email = uniqueEmail();
    await register(new FormClient(server.baseUrl), 'demo', email, PASSWORD);
    const { response } = await signIn(server, 'demo', email, PASSWORD);
    expect(response.status).toBe(401);
    expect(response.text).toContain('role="alert"');
  });

  it('needs the password chosen at registration to complete verification; a wrong one leaves the link usable', async () => {
    const email = uniqueEmail();
    const client = new FormClient(server.baseUrl);
    await register(client, 'demo', email, PASSWORD);
    const [mail] = await server.mailTo(email);
    const token = new URL(linkIn(mail!.text, '/t/demo/verify')).searchParams.get('token')!;
    await client.get(`/t/demo/verify?token=${token}`);
    const wrong = await client.post('/t/demo/verify', { token, password: OTHER_PASSWORD });
    expect(wrong.status).toBe(401);
    const right = await client.post('/t/demo/verify', { token, password: PASSWORD });
    expect(right.status).toBe(303);
    const again = await client.post('/t/demo/verify', { token, password: PASSWORD });
    expect(again.status).toBe(400); // single use: token.invalid
  });

  it('refuses pre-registration takeover: an earlier registration by someone else cannot set the password', async () => {
    const email = uniqueEmail('victim');
    const attacker = new FormClient(server.baseUrl);
    await register(attacker, 'demo', email, OTHER_PASSWORD); // link goes to the victim's mailbox
    const victim = await registerAndVerify(server, 'demo', email, PASSWORD); // victim uses their own (newest) link
    expect((await victim.get('/t/demo/account')).status).toBe(200);
    const { response: attackerLogin } = await signIn(server, 'demo', email, OTHER_PASSWORD);
    expect(attackerLogin.status).toBe(401);
    const { response: victimLogin } = await signIn(server, 'demo', email, PASSWORD);
    expect(victimLogin.status).toBe(303);
  });

  it('mails the owner instead of telling the page that an address is taken', async () => {
    const email = uniqueEmail();
    await registerAndVerify(server, 'demo', email);
    const before = (await server.mailTo(email)).length;
    const response = await register(new FormClient(server.baseUrl), 'demo', email, OTHER_PASSWORD);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/t/demo/check-email?kind=registration');
    const mails = await server.mailTo(email);
    expect(mails.length).toBe(before + 1);
    expect(mails[0]!.text).toContain('/t/demo/forgot');
    // The existing account's password is untouched.
    expect((await signIn(server, 'demo', email, PASSWORD)).response.status).toBe(303);
  });

  it('explains why a password is refused', async () => {
    const client = new FormClient(server.baseUrl);
    const short = await register(client, 'demo', uniqueEmail(), 'short-pass');
    expect(short.status).toBe(400);
    expect(short.text).toContain('aria-invalid="true"');
    const common = await register(client, 'demo', uniqueEmail(), '1qaz2wsx3edc4rfv');
    expect(common.status).toBe(400);
    const email = uniqueEmail('marigold');
    const containsEmail = await register(client, 'demo', email, `${email.split('@')[0]}-Harbor-917`);
    expect(containsEmail.status).toBe(400);
    // 64 characters of astral-plane symbols count as 64, and are accepted.
    const long = await register(client, 'demo', uniqueEmail(), '🦊'.repeat(64));
    expect(long.status).toBe(303);
  });

  it('resends a verification link only through the same neutral answer', async () => {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    const unknown = await client.post('/t/demo/verify/resend', { email: uniqueEmail('nobody') });
    expect(unknown.status).toBe(303);
    expect(unknown.location).toBe('/t/demo/check-email?kind=verification_resent');
  });
});
