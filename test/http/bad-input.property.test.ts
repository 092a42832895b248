// Thousands of generated bad requests against every public endpoint: none may produce a 5xx.
// Bodies mix malformed encodings, invalid UTF-8, control characters, over-long values, SQL and HTML
// metacharacters, repeated fields and wrong content types — with and without a valid CSRF token so
// the generated input reaches the domain code and not only the CSRF check.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client.ts';
import { engines } from '../support/engines.ts';
import { makeApp } from '../support/oidc.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NASTY = [
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u0000',
  '\u202e',
  '%00',
  '../../etc/passwd',
  'a'.repeat(5000),
  '🦊'.repeat(300),
  'MiXeD.CaSe+Tag@ExAmPle.COM',
  'user@bücher.example',
  '  spaced@example.com  ',
  'no-at-sign',
  '@example.com',
  'a@b',
  '\ud800',
  '{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}',
  '{"id":"AAAA","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiQUFBQSJ9","attestationObject":"oA"}}',
];

const fieldValue = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 40 }), fc.emailAddress());
const fieldName = fc.constantFrom('email', 'password', 'token', 'current_password', 'new_password', 'name', 'id', '_csrf', '__proto__', 'constructor', 'x', 'response', 'next', 'passkey_capable');

const publicPosts = [
  '/t/demo/login',
  '/t/demo/register',
  '/t/demo/forgot',
  '/t/demo/reset',
  '/t/demo/verify',
  '/t/demo/verify/resend',
  '/t/demo/logout',
  '/t/demo/account/password',
  '/t/demo/account/sessions/ses_x/revoke',
  '/t/demo/login/passkey',
  '/t/demo/login/second-factor/passkey',
  '/t/demo/account/passkeys',
  '/t/demo/account/passkeys/pk_x/rename',
  '/t/demo/account/passkeys/pk_x/delete',
  '/t/demo/passkeys/offer',
  '/t/demo/passkeys/offer/skip',
  '/t/nope/login',
  '/admin/api/v1/bootstrap',
];
const publicGets = ['/t/demo/passkeys/offer', '/t/demo/login', '/t/demo/register', '/t/demo/forgot', '/t/demo/reset', '/t/demo/verify', '/t/demo/check-email', '/t/demo/account', '/t/demo', '/t/demo/theme.css', '/t/%ZZ/login', '/dev/mailbox', '/healthz', '/readyz'];
// OAuth parameters, so generated requests reach the provider's own checks, not only its parser.
const oauthName = fc.constantFrom('grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'scope', 'resource', 'token', 'token_type_hint', 'refresh_token', 'code_verifier', 'device_code', 'request_uri', 'response_type', 'state', 'nonce', 'prompt', 'max_age', 'claims', 'id_token_hint', 'post_logout_redirect_uri', 'code_challenge', 'code_challenge_method', 'dpop_jkt', 'x');
const oauthValue = fc.oneof(
  fieldValue,
  fc.constantFrom('authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'password', 'implicit', 'openid', 'openid offline_access', 'code', 'none', 'S256', 'plain', 'https://app.example.test/cb', 'https://evil.example/cb', 'urn:ietf:params:oauth:request_uri:x', '{"id_token":{"acr":null}}', '-1', '1e309', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
);
const oidcPosts = ['/token', '/token/introspection', '/token/revocation', '/request', '/device/auth', '/session/end/confirm', '/device', '/me'];
const oidcGets = ['/auth', '/me', '/session/end', '/device', '/jwks', '/.well-known/openid-configuration', '/nope'];
/** OIDC endpoints whose errors a program reads: JSON in the OAuth format. */
const oauthJsonEndpoints = new Set(['/token', '/token/introspection', '/token/revocation', '/request', '/device/auth']);

const adminPosts = ['/admin/api/v1/tenants', '/admin/api/v1/tenants/demo/users', '/admin/api/v1/tenants/demo/applications'];

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on lone surrogates). */
function pct(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

function encodeForm(fields: [string, string][]): Buffer {
  return Buffer.from(fields.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'));
}

const body = fc.oneof(
  fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }).map((fields) => ({ kind: 'form' as const, fields })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes' as const, bytes: Buffer.from(bytes) })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })),
  fc.constantFrom('%', '%E0%A4%A', 'email=%FF%FE&password=%C0%AF', '{"a":', '\u0000\u0001', 'a=1&a=2&a=3').map((text) => ({ kind: 'text' as const, text })),
);
const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=latin1', '');

describe.each(engines)('generated bad requests never cause a 5xx (%s)', (engine) => {
  let server: TestServer;
  let client: FormClient;
  beforeAll(async () => {
    server = await startTestServer(engine);
    client = new FormClient(server.baseUrl);
    await client.get('/t/demo/login');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('public form endpoints, admin JSON endpoints and pages', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...publicPosts, ...adminPosts),
        body,
        contentType,
        fc.boolean(),
        fc.boolean(),
        async (path, payload, type, withCsrf, withAdmin) => {
          let raw: Buffer;
          if (payload.kind === 'form') raw = encodeForm(withCsrf ? [['_csrf', client.lastCsrf], ...payload.fields] : payload.fields);
          else if (payload.kind === 'json') raw = Buffer.from(JSON.stringify(payload.value));
          else if (payload.kind === 'text') raw = Buffer.from(payload.text);
          else raw = payload.bytes;
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (withAdmin && path.startsWith('/admin')) headers.authorization = `Bearer ${server.adminToken}`;
          const r = await client.raw('POST', path, new Uint8Array(raw), headers);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(r.status, `${path} ${type} ${raw.toString('latin1').slice(0, 80)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...publicGets), fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 3 }), async (path, query) => {
        const search = query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const r = await client.get(`${path}${search ? `?${search}` : ''}`, { accept: 'text/html' });
        expect(r.status, `${path}?${search}`).toBeLessThan(500);
        if (r.headers.get('content-type')?.includes('text/html')) {
          for (const nasty of ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']) expect(r.text).not.toContain(nasty);
        }
      }),
      { numRuns: 600 },
    );
    // The run must have reached past the CSRF check into the handlers.
    expect([...statuses.keys()].some((s) => s === 400 || s === 401 || s === 303)).toBe(true);
  }, 240_000);

  it('OIDC endpoints answer malformed parameters in the OAuth error format, never with a 5xx', async () => {
    const { app, clientSecret } = await makeApp(server, { name: 'Fuzzed', redirectUris: ['https://app.example.test/cb'], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const basic = `Basic ${Buffer.from(`${app.clientId}:${clientSecret}`).toString('base64')}`;
    const issuerPath = '/t/demo/oidc';
    const errors = new Map<string, number>();
    // A NUL in a key the provider looks up (PostgreSQL text cannot hold one) is a miss, every time:
    // generated runs reach these only by chance.
    for (const name of ['client_id', 'code', 'refresh_token', 'device_code', 'token', 'resource', 'request_uri']) {
      for (const path of ['/token', '/token/introspection', '/token/revocation', '/device/auth']) {
        const form = new Uint8Array(encodeForm([['grant_type', 'authorization_code'], [name, 'x\u0000']]));
        const r = await client.raw('POST', `${issuerPath}${path}`, form, { 'content-type': 'application/x-www-form-urlencoded', authorization: name === 'client_id' ? 'Basic %%%' : basic });
        expect(r.status, `POST ${path} ${name}=NUL`).toBeLessThan(500);
      }
    }
    for (const query of ['client_id=%00', `client_id=${app.clientId}&request_uri=urn%3A%00`, 'user_code=%00']) {
      for (const path of ['/auth', '/device']) expect((await client.get(`${issuerPath}${path}?${query}`, { accept: 'text/html' })).status, `${path}?${query}`).toBeLessThan(500);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...oidcPosts),
        fc.array(fc.tuple(oauthName, oauthValue), { maxLength: 6 }),
        contentType,
        fc.constantFrom('none', 'client', 'garbage'),
        async (path, fields, type, auth) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (auth === 'client') headers.authorization = basic;
          if (auth === 'garbage') headers.authorization = 'Basic %%%';
          const r = await client.raw('POST', `${issuerPath}${path}`, new Uint8Array(encodeForm(fields)), headers);
          const label = `POST ${path} ${type} ${auth} ${JSON.stringify(fields).slice(0, 200)}`;
          expect(r.status, label).toBeLessThan(500);
          if (oauthJsonEndpoints.has(path) && r.status >= 400) {
            expect(r.headers.get('content-type') ?? '', label).toContain('application/json');
            const answer = JSON.parse(r.text) as { error?: unknown };
            expect(typeof answer.error, label).toBe('string');
            errors.set(String(answer.error), (errors.get(String(answer.error)) ?? 0) + 1);
          }
        },
      ),
      { numRuns: 800 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...oidcGets), fc.array(fc.tuple(oauthName, oauthValue), { maxLength: 8 }), async (path, query) => {
        const search = query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const r = await client.get(`${issuerPath}${path}${search ? `?${search}` : ''}`, { accept: 'text/html' });
        expect(r.status, `${path}?${search}`).toBeLessThan(500);
        // An error page, never a redirect to an unregistered redirect_uri.
        if (r.location) expect(r.location.startsWith('https://evil.example'), `${path}?${search}`).toBe(false);
        if (r.headers.get('content-type')?.includes('text/html')) {
          for (const nasty of ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']) expect(r.text).not.toContain(nasty);
        }
      }),
      { numRuns: 600 },
    );
    // The generated requests reached the provider's checks, not only the parser: besides
    // invalid_request, at least one more of its error codes came back (which ones depends on the seed).
    expect(errors.has('invalid_request')).toBe(true);
    expect(errors.size, [...errors.keys()].join(', ')).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
