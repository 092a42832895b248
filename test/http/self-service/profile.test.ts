// The profile schema per tenant: managed through the admin API, it says which attributes a profile
// holds; registration asks for the ones it names; the customer edits the editable ones on the
// account page (a sensitive one only after a fresh sign-in); every write - admin or customer - that
// breaks it gets a 400 naming the attribute. Both engines; the server's clock is ours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { engines } from '../../support/engines.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const SHOP_SCHEMA = {
  type: 'object',
  properties: {
    given_name: { type: 'string', title: 'First name', maxLength: 50 },
    loyalty_tier: { type: 'string', title: 'Tier', enum: ['silver', 'gold'], 'x-frontdoor-collect': 'registration' },
    shoe_size: { type: 'integer', title: 'Shoe size', minimum: 30, maximum: 50 },
    newsletter_html: { type: 'boolean', title: 'HTML newsletters' },
    member_number: { type: 'string', title: 'Member number', maxLength: 20, 'x-frontdoor-editable': false },
    tax_id: { type: 'string', title: 'Tax id', maxLength: 20, 'x-frontdoor-sensitive': true },
  },
  required: ['given_name'],
};

describe.each(engines)('profile schema (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let now = Date.now();
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
    api = adminApi(server);
    expect((await api('POST', '/tenants', { id: 'shop', name: 'Shop' })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts from the OpenID Connect profile claims and refuses what they do not name', async () => {
    const schema = await api('GET', '/tenants/demo/profile-schema');
    expect(schema.status).toBe(200);
    expect(Object.keys(schema.body.properties)).toEqual(expect.arrayContaining(['given_name', 'family_name', 'birthdate', 'locale']));
    expect(schema.body.required).toBeUndefined(); // the address alone is enough to register

    const created = await api('POST', '/tenants/demo/users', { email: `default.${engine}@example.com`, profile: { given_name: 'Ann' } });
    expect(created.status).toBe(201);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ shoe_size: 42 }, 'profile.unknown_attribute', 'profile.shoe_size'],
      [{ birthdate: 'last tuesday' }, 'profile.invalid', 'profile.birthdate'],
      [{ website: 'not a url' }, 'profile.invalid', 'profile.website'],
      [{ given_name: 7 }, 'profile.invalid', 'profile.given_name'],
      [{ given_name: 'x'.repeat(201) }, 'profile.invalid', 'profile.given_name'],
    ];
    for (const [profile, error, field] of cases) {
      const response = await api('PATCH', `/tenants/demo/users/${created.body.id}`, { profile });
      expect(response.status, JSON.stringify(profile)).toBe(400);
      expect(response.body, JSON.stringify(profile)).toMatchObject({ error, field });
    }
    const refused = await api('POST', '/tenants/demo/users', { email: `refused.${engine}@example.com`, profile: { shoe_size: 42 } });
    expect(refused.body).toMatchObject({ error: 'profile.unknown_attribute', field: 'profile.shoe_size' });
    expect(await server.services.store.users.findByEmail('demo', `refused.${engine}@example.com`)).toBeNull();
    expect((await api('GET', `/tenants/demo/users/${created.body.id}`)).body.profile).toEqual({ given_name: 'Ann' });
  });

  it('takes a tenant schema through the admin API, refusing one that does not hold together', async () => {
    const bad: [unknown, string][] = [
      [{ ...SHOP_SCHEMA, required: ['nickname'] }, 'profile.schema_invalid'],
      [{ type: 'object', properties: { size: { type: 'integer', maxLength: 3 } } }, 'profile.schema_invalid'],
      [{ type: 'object', properties: { note: { type: 'string' } } }, 'profile.schema_invalid'], // unbounded text
      [{ type: 'object', properties: { n: { type: 'number', minimum: 5, maximum: 1 } } }, 'profile.schema_invalid'],
      [{ type: 'object', properties: { Shoe: { type: 'string', maxLength: 3 } } }, 'request.invalid'],
      [{ type: 'object', properties: { note: { type: 'string', maxLength: 3, pattern: '(a+)+$' } } }, 'request.invalid'],
      [{ type: 'object', properties: {}, additionalProperties: true }, 'request.invalid'],
    ];
    for (const [schema, error] of bad) {
      const response = await api('PUT', '/tenants/shop/profile-schema', schema);
      expect(response.status, JSON.stringify(schema)).toBe(400);
      expect(response.body.error, JSON.stringify(schema)).toBe(error);
    }
    const put = await api('PUT', '/tenants/shop/profile-schema', SHOP_SCHEMA);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ ...SHOP_SCHEMA, additionalProperties: false });
    expect((await api('GET', '/tenants/shop/profile-schema')).body).toEqual(put.body);
    // A patch of the tenant's other settings keeps it.
    expect((await api('PATCH', '/tenants/shop', { settings: { remember_device_days: 30 } })).status).toBe(200);
    expect((await api('GET', '/tenants/shop/profile-schema')).body).toEqual(put.body);
    // The default tenant is untouched; another tenant's schema is another tenant's.
    expect((await api('GET', '/tenants/demo/profile-schema')).body.properties.shoe_size).toBeUndefined();
    const audit = await api('GET', '/tenants/shop/audit?action=admin.profile_schema_updated');
    expect(audit.body.items).toHaveLength(1);

    // Admin writes follow it: an import may leave out what registration asks for, not break it.
    const imported = await api('POST', '/tenants/shop/users', { email: `import.${engine}@example.com`, profile: { shoe_size: 44, member_number: 'M-1' } });
    expect(imported.status).toBe(201);
    expect((await api('POST', '/tenants/shop/users', { email: `bad.${engine}@example.com`, profile: { shoe_size: 60 } })).body).toMatchObject({ error: 'profile.invalid', field: 'profile.shoe_size' });
    expect((await api('PATCH', `/tenants/shop/users/${imported.body.id}`, { profile: { loyalty_tier: 'platinum' } })).body).toMatchObject({ error: 'profile.invalid', field: 'profile.loyalty_tier' });
  });

  it('asks at registration for what the schema says, naming the field that is missing or wrong', async () => {
    await api('PUT', '/tenants/shop/profile-schema', SHOP_SCHEMA);
    const client = new FormClient(server.baseUrl);
    const form = await client.get('/t/shop/register');
    expect(form.text).toContain('name="profile.given_name"');
    expect(form.text).toContain('name="profile.loyalty_tier"');
    expect(form.text).not.toContain('name="profile.shoe_size"'); // collected later
    const email = `signup.${engine}.${++seq}@example.com`;
    const missing = await client.post('/t/shop/register', { email, password: PASSWORD, 'profile.loyalty_tier': 'gold' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('id="profile-given_name-error"');
    expect(missing.text).toMatch(/<option value="gold" selected>/); // what was typed stays
    const wrong = await client.post('/t/shop/register', { email, password: PASSWORD, 'profile.given_name': 'Zoe', 'profile.loyalty_tier': 'diamond' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('id="profile-loyalty_tier-error"');
    expect(await server.services.store.users.findByEmail('shop', email)).toBeNull();

    const done = await client.post('/t/shop/register', { email, password: PASSWORD, 'profile.given_name': ' Zoe ', 'profile.loyalty_tier': 'gold', 'profile.shoe_size': '44' });
    expect(done.status).toBe(303);
    // What the page did not ask for is not taken from the form.
    expect((await server.services.store.users.findByEmail('shop', email))?.profile).toEqual({ given_name: 'Zoe', loyalty_tier: 'gold' });
  });

  it('lets the customer edit what is editable on the account page, a sensitive attribute only after a fresh sign-in', async () => {
    await api('PUT', '/tenants/shop/profile-schema', SHOP_SCHEMA);
    const email = `portal.${engine}.${++seq}@example.com`;
    const user = await makeUser(server, email, 'shop', { given_name: 'Ida', member_number: 'M-7' });
    const client = new FormClient(server.baseUrl);
    await client.get('/t/shop/login');
    expect((await client.post('/t/shop/login', { email, password: PASSWORD })).location).toBe('/t/shop/account');
    const page = await client.get('/t/shop/account');
    expect(page.text).toContain('name="profile.shoe_size"');
    expect(page.text).toContain('value="Ida"');
    expect(page.text).not.toContain('name="profile.member_number"'); // shown, not editable
    expect(page.text).toContain('M-7');

    const saved = await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida', 'profile.shoe_size': '41', 'profile.newsletter_html': '1', 'profile.member_number': 'M-999', 'profile.is_admin': 'yes' });
    expect(saved.location).toBe('/t/shop/account?notice=profile_saved');
    expect((await server.services.store.users.get('shop', user.id))?.profile).toEqual({ given_name: 'Ida', member_number: 'M-7', shoe_size: 41, newsletter_html: true });

    const refused = await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida', 'profile.shoe_size': '99' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="profile-shoe_size-error"');
    expect(refused.text).toContain('value="99"');
    const cleared = await client.post('/t/shop/account/profile', { 'profile.given_name': '', 'profile.shoe_size': '41' });
    expect(cleared.status).toBe(400); // required: it may change, not go
    expect(cleared.text).toContain('id="profile-given_name-error"');
    expect((await server.services.store.users.get('shop', user.id))?.profile.shoe_size).toBe(41);

    // Emptying a field removes the value; unticking a box sets it false.
    expect((await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida' })).location).toBe('/t/shop/account?notice=profile_saved');
    expect((await server.services.store.users.get('shop', user.id))?.profile).toEqual({ given_name: 'Ida', member_number: 'M-7', newsletter_html: false });

    // The tax id is sensitive: later than five minutes after signing in, confirm it is you first.
    now += 6 * 60_000;
    const asked = await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida', 'profile.tax_id': 'DE123' });
    expect(asked.status).toBe(303);
    expect(asked.location).toMatch(/^\/t\/shop\/account\/confirm\?next=/);
    expect((await server.services.store.users.get('shop', user.id))?.profile.tax_id).toBeUndefined();
    // An edit that leaves it alone needs nothing more.
    expect((await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida Maria' })).location).toBe('/t/shop/account?notice=profile_saved');
    const confirmed = await client.post('/t/shop/account/confirm', { password: PASSWORD, next: '/t/shop/account' });
    expect(confirmed.status).toBe(303);
    expect((await client.post('/t/shop/account/profile', { 'profile.given_name': 'Ida Maria', 'profile.tax_id': 'DE123' })).location).toBe('/t/shop/account?notice=profile_saved');
    expect((await server.services.store.users.get('shop', user.id))?.profile.tax_id).toBe('DE123');

    const events = await api('GET', `/tenants/shop/audit?subject=${user.id}&action=user.profile_updated`);
    expect(events.body.items.map((e: { details: { fields: string[] } }) => e.details.fields)).toContainEqual(['tax_id']);
  });

  it('keeps the schema of one tenant out of another and goes back to the default on delete', async () => {
    await api('PUT', '/tenants/shop/profile-schema', SHOP_SCHEMA);
    const reset = await api('DELETE', '/tenants/shop/profile-schema');
    expect(reset.status).toBe(200);
    expect(reset.body.properties.shoe_size).toBeUndefined();
    expect(reset.body.properties.given_name).toBeDefined();
    expect((await api('PUT', '/tenants/nope/profile-schema', SHOP_SCHEMA)).status).toBe(404);
  });
});
