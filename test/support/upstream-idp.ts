// Upstream identity providers for the social and enterprise login tests, each on its own loopback
// port: "Corp IdP", a real oidc-provider instance with its development sign-in form (type any login
// name; the account's claims are what the test set for it); a token forge, an OpenID issuer the test
// controls that signs ID tokens with jose — right ones, or with a wrong issuer, audience, expiry,
// key, `alg: none`, nonce — or times out or refuses; and a GitHub-style OAuth 2.0 server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { freePort } from './server.ts';
import { FormClient, type Response } from './client.ts';

export interface UpstreamAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  amr?: string[];
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// ---- Corp IdP: oidc-provider --------------------------------------------------------------------

export interface CorpIdp {
  issuer: string;
  /** Claims per login name; a login not listed signs in with no email. */
  accounts: Map<string, UpstreamAccount>;
  close(): Promise<void>;
}

export async function startCorpIdp(client: { clientId: string; clientSecret: string; redirectUris: string[] }): Promise<CorpIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, UpstreamAccount>();
  const provider = new Provider(issuer, {
    clients: [{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: client.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          const { amr: _amr, ...claims } = accounts.get(id) ?? {};
          return { sub: id, ...claims };
        },
      };
    },
    // The employee's company app: no consent page.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
  });
  // Quiet: the development interactions warn on every start.
  provider.on('server_error', () => {});
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, accounts, close: () => close(server) };
}

/**
 * Plays the person at Corp IdP in `upstream` (a FormClient on Corp's origin): opens the
 * authorization URL, types `login` into its sign-in form, and returns the redirect back to us.
 */
export async function signInAtCorp(upstream: FormClient, authorizationUrl: string, login: string): Promise<URL> {
  let response: Response = await upstream.get(new URL(authorizationUrl).pathname + new URL(authorizationUrl).search);
  for (let hops = 0; hops < 12; hops += 1) {
    if (response.location) {
      const next = new URL(response.location, upstream.baseUrl);
      if (next.origin !== new URL(upstream.baseUrl).origin) return next;
      response = await upstream.get(next.pathname + next.search);
      continue;
    }
    const form = /<form[^>]*action="([^"]+)"/.exec(response.text);
    if (!form) throw new Error(`no form at Corp IdP:\n${response.text.slice(0, 500)}`);
    const action = form[1]!.replace(/&amp;/g, '&');
    const prompt = /name="prompt" value="([a-z]+)"/.exec(response.text)?.[1];
    response = await upstream.post(action, prompt === 'login' ? { prompt, login, password: 'any' } : { prompt: prompt ?? 'consent' });
  }
  throw new Error('Corp IdP did not send the browser back');
}

// ---- the token forge ------------------------------------------------------------------------------

export type ForgeMode = 'good' | 'wrong_issuer' | 'wrong_audience' | 'expired' | 'unknown_key' | 'alg_none' | 'no_nonce' | 'wrong_nonce' | 'access_denied' | 'timeout';

export interface TokenForge {
  issuer: string;
  mode: ForgeMode;
  /** The claims of the next ID token (beside iss, aud, exp, iat, nonce). */
  claims: Record<string, unknown>;
  /** Token requests seen. */
  tokenRequests: number;
  /** The last token request's form and Authorization header (how the client authenticated). */
  lastTokenRequest: { form: URLSearchParams; authorization: string | undefined } | null;
  /** Apple's first sign-in: the `user` JSON posted beside the code when answering with form_post. */
  formPostUser: string | null;
  close(): Promise<void>;
}

/** The fields of the auto-submitting form a form_post answer is (`response_mode=form_post`). */
export function formPostFields(page: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error('no form in the form_post answer');
  const fields: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { action: action.replace(/&amp;/g, '&'), fields };
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export async function startTokenForge(clientId: string): Promise<TokenForge> {
  const signing = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  const publicJwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: 'forge-1', alg: 'ES256', use: 'sig' };
  const nonces = new Map<string, string>();
  const held: ServerResponse[] = [];
  const forge: TokenForge = { issuer: '', mode: 'good', claims: {}, tokenRequests: 0, lastTokenRequest: null, formPostUser: null, close: async () => {} };
  const { server, url } = await listen(async (req, res) => {
    const u = new URL(req.url ?? '/', forge.issuer);
    if (u.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: forge.issuer,
        authorization_endpoint: `${forge.issuer}/authorize`,
        token_endpoint: `${forge.issuer}/token`,
        jwks_uri: `${forge.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (u.pathname === '/jwks') return json(res, 200, { keys: [publicJwk] });
    if (u.pathname === '/authorize') {
      const back = new URL(u.searchParams.get('redirect_uri')!);
      back.searchParams.set('state', u.searchParams.get('state') ?? '');
      if (forge.mode === 'access_denied') back.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(12).toString('hex');
        nonces.set(code, u.searchParams.get('nonce') ?? '');
        back.searchParams.set('code', code);
      }
      if (u.searchParams.get('response_mode') === 'form_post') {
        // The answer as a page whose form posts it back (Apple's way), the name beside it on a first sign-in.
        const fields = [...back.searchParams, ...(forge.formPostUser ? [['user', forge.formPostUser] as const] : [])];
        const action = back.origin + back.pathname;
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(`<form method="post" action="${escapeAttribute(action)}">${fields.map(([k, v]) => `<input type="hidden" name="${escapeAttribute(k)}" value="${escapeAttribute(v)}">`).join('')}</form>`);
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      forge.tokenRequests += 1;
      const form = await readForm(req);
      forge.lastTokenRequest = { form, authorization: req.headers.authorization };
      if (forge.mode === 'timeout') {
        held.push(res);
        return;
      }
      const nonce = nonces.get(form.get('code') ?? '') ?? '';
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { sub: 'forge-user', ...forge.claims };
      if (forge.mode !== 'no_nonce') payload.nonce = forge.mode === 'wrong_nonce' ? 'not-the-nonce' : nonce;
      const iss = forge.mode === 'wrong_issuer' ? 'https://evil.example' : forge.issuer;
      const aud = forge.mode === 'wrong_audience' ? 'someone-else' : clientId;
      const iat = forge.mode === 'expired' ? now - 7200 : now;
      const exp = forge.mode === 'expired' ? now - 3600 : now + 300;
      const idToken =
        forge.mode === 'alg_none'
          ? new UnsecuredJWT(payload).setIssuer(iss).setAudience(aud).setIssuedAt(iat).setExpirationTime(exp).encode()
          : await new SignJWT(payload)
              .setProtectedHeader({ alg: 'ES256', kid: 'forge-1' })
              .setIssuer(iss)
              .setAudience(aud)
              .setIssuedAt(iat)
              .setExpirationTime(exp)
              .sign(forge.mode === 'unknown_key' ? stranger.privateKey : signing.privateKey);
      return json(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(res, 404, { error: 'not_found' });
  });
  forge.issuer = url;
  forge.close = async () => {
    for (const res of held) res.destroy();
    await close(server);
  };
  return forge;
}

// ---- a GitHub-style OAuth 2.0 server -----------------------------------------------------------

export interface GithubFixture {
  url: string;
  user: { id: number; login: string; name: string };
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
  close(): Promise<void>;
}

export async function startGithubFixture(): Promise<GithubFixture> {
  const tokens = new Set<string>();
  const codes = new Set<string>();
  const fixture: GithubFixture = { url: '', user: { id: 4242, login: 'octo', name: 'Octo Cat' }, emails: [], close: async () => {} };
  const { server, url } = await listen(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/login/oauth/authorize') {
      const back = new URL(u.searchParams.get('redirect_uri')!);
      const code = randomBytes(12).toString('hex');
      codes.add(code);
      back.searchParams.set('code', code);
      back.searchParams.set('state', u.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (u.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = await readForm(req);
      if (!codes.delete(form.get('code') ?? '')) return json(res, 400, { error: 'bad_verification_code' });
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || !tokens.has(auth)) return json(res, 401, { message: 'Bad credentials' });
    if (u.pathname === '/user') return json(res, 200, { ...fixture.user, email: null });
    if (u.pathname === '/user/emails') return json(res, 200, fixture.emails);
    json(res, 404, { message: 'Not Found' });
  });
  fixture.url = url;
  fixture.close = () => close(server);
  return fixture;
}
