// Text-message codes as a second factor, over a real HTTP webhook: a small receiver on loopback
// checks each request's signature (computed here with node:crypto, not with our helper) and keeps
// the messages; the codes are read from what it received. Also the development outbox. Both engines.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../../src/core/auth/acr.ts';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { freePort, startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi } from '../admin/admin-client.ts';

const SECRET = 'sms-webhook-secret-for-tests-0123456789';

interface Received {
  to: string;
  text: string;
  tenant: string;
  signatureValid: boolean;
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[]; failNext: (status: number) => void }> {
  const received: Received[] = [];
  let failWith = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = String(request.headers['x-frontdoor-signature'] ?? '');
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      const expected = match ? createHmac('sha256', SECRET).update(`${match[1]}.${body}`).digest() : Buffer.alloc(32);
      const signatureValid = Boolean(match) && timingSafeEqual(expected, Buffer.from(match![2]!, 'hex'));
      const parsed = JSON.parse(body) as { to: string; text: string; tenant: string };
      received.push({ ...parsed, signatureValid });
      const status = failWith || 202;
      failWith = 0;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}/sms`, received, failNext: (status) => (failWith = status) };
}

describe.each(engines)('text-message codes (%s)', (engine) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let now = Date.now();
  const clock = { now: () => now };
  let seq = 0;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer(engine, { env: { SMS_WEBHOOK_URL: receiver.url, SMS_WEBHOOK_SECRET: SECRET }, services: { clock } });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  const codeIn = (text: string) => /^(\d{6}) is your Demo code/.exec(text)![1]!;
  const lastText = () => receiver.received.at(-1)!;

  async function passwordSignIn(email: string, client = new FormClient(server.baseUrl)) {
    await client.get('/t/demo/login');
    const response = await client.post('/t/demo/login', { email, password: PASSWORD });
    return { client, response };
  }

  /** A user who turned text-message codes on for +49 151 2345 6789. */
  async function userWithPhone() {
    const email = `sms.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email);
    const { client } = await passwordSignIn(email);
    const account = await client.get('/t/demo/account');
    expect(account.text).toContain('Text-message codes');
    const sent = await client.post('/t/demo/account/phone', { phone: '+49 151 2345 6789' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('+49 ••• 89');
    const message = lastText();
    expect(message).toMatchObject({ to: '+4915123456789', tenant: 'demo', signatureValid: true });
    // The origin-bound line lets phones autofill the code on our origin only (WebOTP).
    const code = codeIn(message.text);
    expect(message.text).toContain(`@localhost #${code}`);
    expect((await client.post('/t/demo/account/phone/confirm', { code: code === '000000' ? '111111' : '000000' })).status).toBe(400);
    expect((await client.post('/t/demo/account/phone/confirm', { code })).location).toBe('/t/demo/account?notice=phone_added');
    await client.post('/t/demo/logout', {});
    return { user, email };
  }

  it('adds a phone, confirmed by a texted code, and tells the user by mail', async () => {
    const { user, email } = await userWithPhone();
    expect((await server.services.store.phones.get('demo', user.id))?.confirmedAt).not.toBeNull();
    const notices = (await server.mailTo(email)).filter((m) => m.subject === 'How you sign in to Demo has changed');
    expect(notices.some((m) => m.text.includes('A phone number was added'))).toBe(true);
  });

  it('refuses a number that is not a valid mobile number, with a message next to the field', async () => {
    const email = `sms.bad.${engine}.${++seq}@example.com`;
    await makeUser(server, email);
    const { client } = await passwordSignIn(email);
    await client.get('/t/demo/account');
    const before = receiver.received.length;
    for (const phone of ['12', '+49 123', 'call me', '+1 555 0100 0000 0000 0000']) {
      const refused = await client.post('/t/demo/account/phone', { phone });
      expect(refused.status, phone).toBe(400);
      expect(refused.text).toContain('Enter a valid mobile number');
    }
    expect(receiver.received.length).toBe(before);
  });

  it('texts a code for the second step of a password sign-in: amr pwd + sms, bound to that sign-in', async () => {
    const { user, email } = await userWithPhone();
    const { client, response } = await passwordSignIn(email);
    expect(response.location).toBe('/t/demo/login/second-factor');
    const page = await client.get('/t/demo/login/second-factor');
    expect(page.text).toContain('Text me a code at +49 ••• 89');
    const sent = await client.post('/t/demo/login/second-factor/sms', {});
    expect(sent.text).toContain('We texted a code to +49 ••• 89');
    const code = codeIn(lastText().text);

    // Another sign-in of the same user cannot use this code.
    const { client: other } = await passwordSignIn(email);
    await other.get('/t/demo/login/second-factor');
    expect((await other.post('/t/demo/login/second-factor', { code })).status).toBe(400);

    const done = await client.post('/t/demo/login/second-factor', { code });
    expect(done.location).toBe('/t/demo/account');
    const [session] = (await server.services.sessions.listForUser('demo', user.id)).sort((a, b) => b.createdAt - a.createdAt);
    expect(session?.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(session?.acr).toBe(ACR.mfa);
  });

  it('lets a texted code expire after ten minutes and refuses it after five wrong tries', async () => {
    const { email } = await userWithPhone();
    const first = await passwordSignIn(email);
    await first.client.post('/t/demo/login/second-factor/sms', {});
    const late = codeIn(lastText().text);
    now += 10 * 60_000 + 1000;
    expect((await first.client.post('/t/demo/login/second-factor', { code: late })).status).toBe(400);

    const second = await passwordSignIn(email);
    await second.client.post('/t/demo/login/second-factor/sms', {});
    const code = codeIn(lastText().text);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i += 1) expect((await second.client.post('/t/demo/login/second-factor', { code: wrong })).status).toBe(400);
    // The fifth wrong code also ends the sign-in (the flow's own limit), so the right code is too late.
    await second.client.post('/t/demo/login/second-factor', { code: wrong });
    expect((await second.client.post('/t/demo/login/second-factor', { code })).status).toBe(400);
    expect(second.client.cookies.has('__Host-fd-session-demo')).toBe(false);
  });

  it('says so when the gateway fails, and limits how many texts one account can trigger', async () => {
    const { email } = await userWithPhone();
    const { client } = await passwordSignIn(email);
    receiver.failNext(500);
    const failed = await client.post('/t/demo/login/second-factor/sms', {});
    expect(failed.status).toBe(503);
    expect(failed.text).toContain('send a text message right now');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await client.post('/t/demo/login/second-factor/sms', {})).status);
    expect(statuses).toContain(429);
    // The limits' windows pass (the tests after this one send texts from the same address).
    now += 16 * 60_000;
  });

  it('turns text-message codes off, unless a required policy would be left without a second factor', async () => {
    const { user, email } = await userWithPhone();
    const api = adminApi(server);
    expect((await api('PATCH', '/tenants/demo', { settings: { mfa: 'required' } })).status).toBe(200);
    try {
      const { client } = await passwordSignIn(email);
      await client.post('/t/demo/login/second-factor/sms', {});
      expect((await client.post('/t/demo/login/second-factor', { code: codeIn(lastText().text) })).location).toBe('/t/demo/account');
      await client.get('/t/demo/account');
      const refused = await client.post('/t/demo/account/phone/remove', {});
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Your organisation requires a second sign-in step');
      await api('PATCH', '/tenants/demo', { settings: { mfa: null } });
      expect((await client.post('/t/demo/account/phone/remove', {})).location).toBe('/t/demo/account?notice=phone_removed');
      expect(await server.services.store.phones.get('demo', user.id)).toBeNull();
    } finally {
      await api('PATCH', '/tenants/demo', { settings: { mfa: null } });
    }
  });
});

describe.each(engines)('changing the phone number (%s)', (engine) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer(engine, { env: { SMS_WEBHOOK_URL: receiver.url, SMS_WEBHOOK_SECRET: SECRET } });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  const OLD = '+4915123456789';
  const NEW = '+447911123456';
  const codeTo = (to: string) => /^(\d{6}) is your Demo code/.exec(receiver.received.filter((m) => m.to === to).at(-1)!.text)![1]!;

  async function signInWithText(email: string) {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/login/second-factor');
    await client.post('/t/demo/login/second-factor/sms', {});
    return client;
  }

  it('moves to a new number in one step: confirmed by a code to it, the old number working until then and told afterwards', async () => {
    const email = `sms.change.${engine}@example.com`;
    const user = await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    await client.post('/t/demo/login', { email, password: PASSWORD });
    await client.get('/t/demo/account');
    await client.post('/t/demo/account/phone', { phone: OLD });
    expect((await client.post('/t/demo/account/phone/confirm', { code: codeTo(OLD) })).location).toBe('/t/demo/account?notice=phone_added');

    // The same number again is not a change.
    const account = await client.get('/t/demo/account');
    expect(account.text).toContain('Change your number');
    const same = await client.post('/t/demo/account/phone/change', { phone: '+49 151 2345 6789' });
    expect(same.status).toBe(400);
    expect(same.text).toContain('That is the number you use already.');

    const asked = await client.post('/t/demo/account/phone/change', { phone: '+44 7911 123456' });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('+44 ••• 56');
    const code = codeTo(NEW);
    // Sealed at rest like the number in use.
    const raw = await sql<{ pending_phone: string }>`select pending_phone from phone_credentials where user_id = ${user.id}`.execute(server.services.db);
    expect(raw.rows[0]?.pending_phone).toMatch(/^v1\./);

    // Until the new number is confirmed, sign-in codes still go to the old one.
    const meanwhile = await signInWithText(email);
    expect(receiver.received.at(-1)!.to).toBe(OLD);
    expect((await meanwhile.post('/t/demo/login/second-factor', { code: codeTo(OLD) })).location).toBe('/t/demo/account');

    expect((await client.post('/t/demo/account/phone/change/confirm', { code: code === '000000' ? '111111' : '000000' })).status).toBe(400);
    expect((await client.post('/t/demo/account/phone/change/confirm', { code })).location).toBe('/t/demo/account?notice=phone_changed');
    expect(await server.services.store.phones.get('demo', user.id)).toMatchObject({ phone: NEW, pendingPhone: null });

    // The old number is told, without the new number in full; so is the mailbox.
    const notice = receiver.received.filter((m) => m.to === OLD).at(-1)!;
    expect(notice.text).toContain('was changed to +44 ••• 56');
    expect(notice.text).not.toContain(NEW);
    const mails = (await server.mailTo(email)).filter((m) => m.subject === 'How you sign in to Demo has changed');
    expect(mails.some((m) => m.text.includes('The phone number for sign-in codes by text message was changed'))).toBe(true);
    const audit = (await server.services.store.audit.query({ tenantId: 'demo', subject: user.id, action: 'user.phone_changed', limit: 5 })).items;
    expect(audit.map((e) => e.result).sort()).toEqual(['failure', 'success']);

    // From now on sign-in codes go to the new number.
    await signInWithText(email);
    expect(receiver.received.at(-1)!.to).toBe(NEW);
  });
});

describe('text messages in the development outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps texts in the outbox and shows them in the development mailbox when no webhook is set', async () => {
    const email = 'sms.outbox@example.com';
    await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    await client.post('/t/demo/login', { email, password: PASSWORD });
    await client.get('/t/demo/account');
    expect((await client.post('/t/demo/account/phone', { phone: '+1 212 555 0123' })).status).toBe(200);
    const [sms] = await server.services.store.smsOutbox.listRecent(1);
    expect(sms?.to).toBe('+12125550123');
    const mailbox = await new FormClient(server.baseUrl).get('/dev/mailbox');
    expect(mailbox.text).toContain('+12125550123');
    expect(mailbox.text).toContain(/^(\d{6})/.exec(sms!.text)![1]!);
  });
});
