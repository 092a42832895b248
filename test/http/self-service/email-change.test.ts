// Changing the sign-in address: asked by the recently signed-in owner, confirmed by the link sent to
// the new address, told to the old one afterwards. An address in use gets a note instead of a link
// and the page answers the same; a used or stale link does nothing. Both engines; our clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

describe.each(engines)('email change (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const address = (name: string) => `${name}.${engine}.${++seq}@example.com`;
  async function signedIn(email = address('owner')) {
    const user = await makeUser(server, email);
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    expect((await client.post('/t/demo/login', { email, password: PASSWORD })).location).toBe('/t/demo/account');
    await client.get('/t/demo/account');
    return { user, email, client };
  }
  async function canSignIn(email: string) {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    return (await client.post('/t/demo/login', { email, password: PASSWORD })).status === 303;
  }

  it('moves the account to the new address once its link is followed, and tells the old address', async () => {
    const { user, email, client } = await signedIn();
    const next = address('new');
    expect((await client.post('/t/demo/account/email', { new_email: next.toUpperCase() })).location).toBe('/t/demo/account?notice=email_change_sent');
    expect((await server.services.store.users.get('demo', user.id))!.email).toBe(email);
    const [mail] = await server.mailTo(next);
    expect(mail!.subject).toContain('Confirm your new address');
    const link = new URL(linkIn(mail!.text, '/t/demo/account/email/confirm'));

    const browser = new FormClient(server.baseUrl);
    expect((await browser.get(link.pathname + link.search)).text).toContain(next);
    expect((await browser.post('/t/demo/account/email/confirm', { token: link.searchParams.get('token')! })).location).toBe('/t/demo/account?notice=email_changed');
    expect(await server.services.store.users.get('demo', user.id)).toMatchObject({ email: next, emailVerified: true });
    const [notice] = await server.mailTo(email);
    expect(notice!.subject).toContain('now uses another address');
    expect(notice!.text).toContain(`n***@example.com`);
    expect(notice!.text).not.toContain(next);
    expect(await canSignIn(next)).toBe(true);
    expect(await canSignIn(email)).toBe(false);

    // The link works once.
    expect((await browser.post('/t/demo/account/email/confirm', { token: link.searchParams.get('token')! })).status).toBe(410);
    expect((await browser.get(link.pathname + link.search)).status).toBe(410);
  });

  it('answers the same for an address in use, which gets a note instead of a link', async () => {
    const { email: other } = await signedIn(address('other'));
    const { user, client } = await signedIn();
    expect((await client.post('/t/demo/account/email', { new_email: other })).location).toBe('/t/demo/account?notice=email_change_sent');
    const [mail] = await server.mailTo(other);
    expect(mail!.subject).toContain('already have');
    expect(mail!.text).not.toContain('/account/email/confirm');
    expect((await server.services.store.users.get('demo', user.id))!.email).not.toBe(other);
  });

  it('refuses a link whose address was taken meanwhile, a malformed address, and a sign-in that is not recent', async () => {
    const { client } = await signedIn();
    const contested = address('contested');
    await client.post('/t/demo/account/email', { new_email: contested });
    const [mail] = await server.mailTo(contested);
    const link = new URL(linkIn(mail!.text, '/t/demo/account/email/confirm'));
    await makeUser(server, contested);
    const browser = new FormClient(server.baseUrl);
    await browser.get(link.pathname + link.search);
    expect((await browser.post('/t/demo/account/email/confirm', { token: link.searchParams.get('token')! })).status).toBe(410);

    const bad = await client.post('/t/demo/account/email', { new_email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');

    now += 6 * 60_000;
    expect((await client.post('/t/demo/account/email', { new_email: address('later') })).location).toBe('/t/demo/account/confirm?next=%2Ft%2Fdemo%2Faccount');
  });
});
