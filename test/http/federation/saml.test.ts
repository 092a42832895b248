// Enterprise login through SAML 2.0 (issue 8): our service provider against a real, independent
// identity provider — Debian's pysaml2, signing with xmlsec1 (test/support/saml-idp) — that reads
// our SP metadata from its URL. A good signed assertion signs in (just-in-time account, `fed`);
// every response a correct SP must refuse is refused with a clear page, no account and no session:
// unsigned, signed over another element (three wrapping layouts), tampered, another key, another
// audience, recipient, destination or issuer, expired or not yet valid, an answer to another
// request, and a replay of a used assertion.
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../../support/client.ts';
import { makeUser, PASSWORD } from '../../support/oidc.ts';
import { engines } from '../../support/engines.ts';
import { followSamlRedirect, SAML_ATTRIBUTE_OIDS, samlIdpAvailable, startSamlIdp, type SamlAccount, type SamlIdp, type SamlIdpMode } from '../../support/saml-idp.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApi, type Api } from '../admin/admin-client.ts';

const FED_COOKIE = '__Host-fd-fed-demo';
const SESSION_COOKIE = '__Host-fd-session-demo';

const available = await samlIdpAvailable('the SAML service-provider tests');

describe.each(available ? engines : [])('SAML 2.0 service provider (%s)', (engine) => {
  let server: TestServer;
  let api: Api;
  let idp: SamlIdp;
  let connectionId = '';
  let sp: { entity_id: string; acs_url: string; metadata_url: string };

  const userCount = async () => Number((await server.services.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const userByEmail = (email: string) => server.services.store.users.findByEmail('demo', email);
  const account = (name: string, extra: Partial<SamlAccount> = {}): SamlAccount & { email: string } => {
    const email = `${name}.${engine}@acme.example`;
    return { nameId: `acme-${name}-${engine}`, attributes: { email, givenName: name, sn: 'Tester' }, ...extra, email };
  };

  beforeAll(async () => {
    server = await startTestServer(engine);
    api = adminApi(server);
    idp = await startSamlIdp();
    // The IdP's metadata imported as it is; our SP metadata handed back by its URL.
    const created = await api('POST', '/tenants/demo/connections', { type: 'saml', name: 'Acme SSO', settings: { saml: { metadata_xml: await idp.metadataXml() }, domains: ['acme.example'] } });
    expect(created.status).toBe(201);
    connectionId = created.body.id;
    sp = created.body.service_provider;
    await idp.setServiceProvider({ metadataUrl: sp.metadata_url });
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  /** Starts at our SP on `client` and returns what the IdP's page would post to our ACS. */
  async function startAtIdp(client: FormClient) {
    const start = await client.get(`/t/demo/connections/${connectionId}/start`);
    expect(start.status).toBe(303);
    expect(start.location!.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    // The answer is a cross-site POST: only a SameSite=None cookie travels with it.
    expect(start.setCookies.find((c) => c.startsWith(`${FED_COOKIE}=`))).toMatch(/SameSite=None/i);
    return followSamlRedirect(start.location!);
  }

  async function signIn(mode: SamlIdpMode, who: SamlAccount, client = new FormClient(server.baseUrl)) {
    await idp.configure({ reset: true, mode, account: who, evilAccount: account('mallory') });
    const form = await startAtIdp(client);
    expect(form.acsUrl).toBe(sp.acs_url);
    const answer = await client.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, ...(form.RelayState !== undefined ? { RelayState: form.RelayState } : {}) });
    return { answer, client, form };
  }

  it('imports the IdP metadata and publishes SP metadata the IdP reads', async () => {
    const got = await api('GET', `/tenants/demo/connections/${connectionId}`);
    expect(got.body).toMatchObject({ type: 'saml', client_id: '', redirect_uri: sp.acs_url, settings: { saml: { entity_id: idp.entityId, sso_url: idp.ssoUrl } } });
    expect(got.body.settings.saml.certificates).toHaveLength(1);
    expect(got.body.settings.saml.certificates[0].replace(/\s+/g, '')).toBe(idp.certificatePem.replace(/\s+/g, ''));
    expect(sp).toEqual({
      entity_id: `${server.baseUrl}/t/demo/connections/${connectionId}/saml/metadata`,
      acs_url: `${server.baseUrl}/t/demo/connections/${connectionId}/callback`,
      metadata_url: `${server.baseUrl}/t/demo/connections/${connectionId}/saml/metadata`,
    });
    const metadata = await fetch(sp.metadata_url);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${sp.entity_id}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toMatch(new RegExp(`AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*Location="${sp.acs_url}"|AssertionConsumerService[^>]*Location="${sp.acs_url}"[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"`));
    // Only SAML connections have SP metadata.
    const oidc = await api('POST', '/tenants/demo/connections', { type: 'oidc', name: 'Other', client_id: 'x', client_secret: 'y', settings: { issuer: 'https://idp.other.example' } });
    expect((await fetch(`${server.baseUrl}/t/demo/connections/${oidc.body.id}/saml/metadata`)).status).toBe(404);
    expect((await api('DELETE', `/tenants/demo/connections/${oidc.body.id}`)).status).toBe(204);
  });

  it('refuses an identity provider it cannot trust', async () => {
    const saml = { entity_id: idp.entityId, sso_url: idp.ssoUrl, certificates: [idp.certificatePem] };
    const create = (settings: object, extra: object = {}) => api('POST', '/tenants/demo/connections', { type: 'saml', name: 'Bad', settings, ...extra });
    expect((await create({})).body).toMatchObject({ error: 'request.invalid', field: 'settings.saml' });
    expect((await create({ saml: { metadata_xml: '<not xml' } })).body).toMatchObject({ error: 'request.invalid', field: 'settings.saml.metadata_xml' });
    expect((await create({ saml: { metadata_xml: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>' } })).body).toMatchObject({ field: 'settings.saml.metadata_xml' });
    expect((await create({ saml: { ...saml, certificates: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] } })).body).toMatchObject({ field: 'settings.saml.certificates' });
    expect((await create({ saml: { ...saml, sso_url: 'http://idp.acme.example/sso' } })).body).toMatchObject({ field: 'settings.saml.sso_url' });
    expect((await create({ saml: { ...saml, clock_skew_seconds: 3600 } })).status).toBe(400);
    expect((await create({ saml }, { client_secret: 'nothing to keep' })).body).toMatchObject({ field: 'client_secret' });
    // Given field by field, with our own entity id: that is what the SP metadata then says.
    const ok = await create({ saml }, { client_id: 'urn:frontdoor:demo' });
    expect(ok.status).toBe(201);
    expect(ok.body.service_provider.entity_id).toBe('urn:frontdoor:demo');
    expect(await (await fetch(ok.body.service_provider.metadata_url)).text()).toContain('entityID="urn:frontdoor:demo"');
    expect((await api('DELETE', `/tenants/demo/connections/${ok.body.id}`)).status).toBe(204);
  });

  it('signs in with a signed assertion: a new account on first sign-in, the same one after', async () => {
    const ann = account('ann');
    const { answer, client } = await signIn('good', ann);
    // A page that moves on (the ACS answers a cross-site POST), and a session.
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('/t/demo/account');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
    const user = (await userByEmail(ann.email))!;
    expect(user).toMatchObject({ emailVerified: true });
    expect(user.profile).toMatchObject({ given_name: 'ann', family_name: 'Tester' });
    const identities = await server.services.store.federatedIdentities.listForUser('demo', user.id);
    expect(identities.map((i) => [i.connectionId, i.subject])).toEqual([[connectionId, ann.nameId]]);
    const session = await server.services.db.selectFrom('sessions').select('amr').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(JSON.parse(session.amr)).toEqual(['fed']);
    // The account page's recent sign-ins say how: through a provider.
    const recent = (await client.get('/t/demo/account')).text;
    expect(recent.slice(recent.indexOf('Recent sign-ins'))).toContain('Sign-in provider');
    // The request was ours: unsigned, for our ACS, from our entity id.
    const request = await idp.lastRequest();
    expect(request).toMatchObject({ issuer: sp.entity_id, acs_url: sp.acs_url, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' });

    const again = await signIn('good', ann);
    expect(again.answer.status).toBe(200);
    expect((await userByEmail(ann.email))!.id).toBe(user.id);
    expect(await server.services.store.federatedIdentities.listForUser('demo', user.id)).toHaveLength(1);
  });

  it('reads attributes by their OID names, and trusts addresses only on the connection’s domains', async () => {
    const oid = account('oona');
    await idp.configure({ reset: true, mode: 'good', account: oid, attributeNames: 'oid' });
    const client = new FormClient(server.baseUrl);
    const form = await startAtIdp(client);
    expect(Buffer.from(form.SAMLResponse, 'base64').toString('utf8')).toContain(SAML_ATTRIBUTE_OIDS.email);
    expect((await client.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! })).status).toBe(200);
    expect((await userByEmail(oid.email))!.profile).toMatchObject({ given_name: 'oona', family_name: 'Tester' });

    // An address at another domain: the IdP does not vouch for it, so nothing is made.
    const outsider = { nameId: `acme-outsider-${engine}`, attributes: { email: `outsider.${engine}@gmail.example` } };
    const { answer } = await signIn('good', outsider);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('did not confirm an email address');
    expect(await userByEmail(`outsider.${engine}@gmail.example`)).toBeNull();

    // Unless an attribute the connection maps as the IdP's verification says so.
    expect((await api('PATCH', `/tenants/demo/connections/${connectionId}`, { settings: { mapping: { email_verified: 'emailVerified' } } })).status).toBe(200);
    const vouched = { nameId: `acme-vouched-${engine}`, attributes: { email: `vouched.${engine}@gmail.example`, emailVerified: 'true' } };
    expect((await signIn('good', vouched)).answer.status).toBe(200);
    expect(await userByEmail(`vouched.${engine}@gmail.example`)).not.toBeNull();
    expect((await signIn('good', { ...outsider, attributes: { ...outsider.attributes, emailVerified: 'false' } })).answer.status).toBe(403);
    expect((await api('PATCH', `/tenants/demo/connections/${connectionId}`, { settings: { mapping: {} } })).status).toBe(200);
  });

  const refusals: [SamlIdpMode, string][] = [
    ['unsigned', 'no signature'],
    ['wrapping', 'signature wrapping: the signed assertion moved into Extensions'],
    ['wrapping_sibling', 'signature wrapping: an unsigned assertion beside the signed one'],
    ['wrapping_advice', 'signature wrapping: the signed assertion inside Advice'],
    ['tampered', 'an attribute changed after signing'],
    ['signed_by_other_key', 'signed with a key not in the metadata'],
    ['wrong_audience', 'for another audience'],
    ['wrong_recipient', 'for another recipient and destination'],
    ['wrong_recipient_only', 'for another recipient'],
    ['wrong_destination', 'sent to another destination'],
    ['wrong_issuer', 'from another issuer'],
    ['expired', 'expired'],
    ['not_yet_valid', 'not yet valid'],
    ['wrong_in_response_to', 'an answer to a request we did not send'],
  ];
  it.each(refusals)('refuses a response %s (%s): a clear page, no account, no session', async (mode) => {
    const victim = account(`victim-${mode.replaceAll('_', '-')}`);
    const users = await userCount();
    const { answer, client } = await signIn(mode, victim);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.text).toContain('could not be trusted. Nothing was changed');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await userByEmail(victim.email)).toBeNull();
    expect(await userByEmail(`mallory.${engine}@acme.example`)).toBeNull();
    expect(await userCount()).toBe(users);
    const audit = await server.services.db.selectFrom('audit_events').select(['result', 'reason']).where('action', '=', 'user.federated_sign_in').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(audit).toEqual({ result: 'failure', reason: 'federation.invalid_response' });
  });

  it('requires the assertion itself signed: a signed response around an unsigned assertion is refused', async () => {
    const who = account('response-signed');
    await idp.configure({ reset: true, mode: 'good', account: who, signResponse: true, signAssertion: false });
    const client = new FormClient(server.baseUrl);
    const form = await startAtIdp(client);
    const answer = await client.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! });
    expect(answer.status).toBe(400);
    expect(await userByEmail(who.email)).toBeNull();
  });

  it('refuses a replayed assertion, even with the cookie of the sign-in it answered', async () => {
    const who = account('replayed');
    await idp.configure({ reset: true, mode: 'good', account: who });
    const client = new FormClient(server.baseUrl);
    const form = await startAtIdp(client);
    const startCookie = client.cookies.get(FED_COOKIE)!;
    const fields = { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! };
    expect((await client.post(new URL(form.acsUrl).pathname, fields)).status).toBe(200);

    // The same answer again, with the start cookie kept from before (the ACS cleared it).
    const thief = new FormClient(server.baseUrl);
    thief.cookies.set(FED_COOKIE, startCookie);
    const replayed = await thief.post(new URL(form.acsUrl).pathname, fields);
    expect(replayed.status).toBe(400);
    expect(thief.cookies.has(SESSION_COOKIE)).toBe(false);

    // Or in a sign-in of its own: the assertion answers another request.
    const other = new FormClient(server.baseUrl);
    const own = await startAtIdp(other);
    const crossed = await other.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: own.RelayState! });
    expect(crossed.status).toBe(400);
    expect(other.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('refuses an answer without its RelayState, or with no sign-in started in this browser', async () => {
    const who = account('relay');
    await idp.configure({ reset: true, mode: 'good', account: who });
    const client = new FormClient(server.baseUrl);
    const form = await startAtIdp(client);
    const wrong = await client.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: 'not-the-one' });
    expect(wrong.status).toBe(400);
    const stranger = await new FormClient(server.baseUrl).post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! });
    expect(stranger.status).toBe(400);
    expect(await userByEmail(who.email)).toBeNull();
  });

  it('links to an existing account with the same address only after its password proves control', async () => {
    const email = `ward.${engine}@acme.example`;
    const ward = await makeUser(server, email);
    const { answer, client } = await signIn('good', { nameId: `acme-ward-${engine}`, attributes: { email } });
    // A page that moves on to the link page; no session, nothing linked yet.
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('/t/demo/connections/link');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await server.services.store.federatedIdentities.listForUser('demo', ward.id)).toHaveLength(0);
    expect((await client.get('/t/demo/connections/link/complete')).status).toBe(400);
    expect((await client.get('/t/demo/connections/link')).status).toBe(200);
    const proved = await client.post('/t/demo/connections/link/password', { password: PASSWORD });
    expect(proved.location).toBe('/t/demo/connections/link/complete');
    expect((await client.get(proved.location!)).status).toBe(200);
    expect((await server.services.store.federatedIdentities.listForUser('demo', ward.id)).map((i) => i.connectionId)).toEqual([connectionId]);
  });

  it('shows a refusal by the identity provider as such, and makes nothing', async () => {
    // The IdP's own error answer (unsigned, as many send them) to this browser's request.
    const client = new FormClient(server.baseUrl);
    const start = await client.get(`/t/demo/connections/${connectionId}/start`);
    const request = inflateRawSync(Buffer.from(new URL(start.location!).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const requestId = /\sID="([^"]+)"/.exec(request)![1]!;
    const refusal = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${sp.acs_url}" InResponseTo="${requestId}"><saml:Issuer>${idp.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode></samlp:Status></samlp:Response>`;
    const users = await userCount();
    const answer = await client.post(new URL(sp.acs_url).pathname, { SAMLResponse: Buffer.from(refusal).toString('base64'), RelayState: new URL(start.location!).searchParams.get('RelayState')! });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('cancelled or refused');
    expect(await userCount()).toBe(users);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('refuses a transient NameID (it names nobody for next time)', async () => {
    const who = account('transient', { nameIdFormat: 'transient' });
    const { answer } = await signIn('good', who);
    expect(answer.status).toBe(400);
    expect(await userByEmail(who.email)).toBeNull();
  });

  it('allows the configured clock skew, and no more', async () => {
    // The assertion ended 30 s ago: within the default minute of skew, beyond ten seconds.
    const late = account('late');
    await idp.configure({ reset: true, mode: 'good', account: late, lifetimeSeconds: -30 });
    const client = new FormClient(server.baseUrl);
    let form = await startAtIdp(client);
    expect((await client.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! })).status).toBe(200);

    expect((await api('PATCH', `/tenants/demo/connections/${connectionId}`, { settings: { saml: { clock_skew_seconds: 10 } } })).status).toBe(200);
    const later = account('later');
    await idp.configure({ reset: true, mode: 'good', account: later, lifetimeSeconds: -30 });
    const strict = new FormClient(server.baseUrl);
    form = await startAtIdp(strict);
    expect((await strict.post(new URL(form.acsUrl).pathname, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! })).status).toBe(400);
    expect(await userByEmail(later.email)).toBeNull();
    expect((await api('PATCH', `/tenants/demo/connections/${connectionId}`, { settings: { saml: { clock_skew_seconds: 60 } } })).status).toBe(200);
  });

  it('sends an address of the connection’s domain to the identity provider (home-realm discovery)', async () => {
    const client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
    const sent = await client.post('/t/demo/login', { email: `someone@acme.example`, password: '' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain(`url=/t/demo/connections/${connectionId}/start`);
    expect((await client.get('/t/demo/login')).text).toContain('Continue with Acme SSO');
  });
});
