// A small demo app (relying party) that signs in through Frontdoor with openid-client: a "Sign in"
// button runs the authorization code flow with PKCE, the page shows the ID token claims and the
// userinfo response, "Sign out" performs RP-initiated logout, and a back-channel logout endpoint
// ends the demo session when the user signs out elsewhere. It is what a newcomer clicks first;
// its state lives in memory, as a real app's would in its own session store.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { html, unsafeRaw } from '../pages/html.ts';

export interface DemoRelyingPartyOptions {
  /** Where the demo app lives on `app`, e.g. `/demo-app`. */
  basePath: string;
  /** Public URL of `basePath` as the browser sees it (redirect URIs are built from it). */
  publicUrl: string;
  issuer: string;
  clientId: string;
  title?: string;
  /** Told about each back-channel logout received (tests and the page use it). */
  onBackchannelLogout?: (claims: jose.JWTPayload) => void;
}

interface DemoSession {
  pending?: { state: string; nonce: string; verifier: string };
  signedIn?: { idToken: string; claims: Record<string, unknown>; userinfo: Record<string, unknown> | null; sid: string | null; sub: string };
  loggedOutByProvider?: boolean;
}

export function demoRedirectUris(publicUrl: string) {
  return {
    redirectUri: `${publicUrl}/callback`,
    postLogoutRedirectUri: `${publicUrl}/`,
    backchannelLogoutUri: `${publicUrl}/backchannel-logout`,
  };
}

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111827}pre{background:#f3f4f6;padding:1rem;overflow:auto}button{font:inherit;padding:.5rem 1rem}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export function registerDemoRelyingParty(app: FastifyInstance, options: DemoRelyingPartyOptions): void {
  const { basePath, publicUrl } = options;
  const uris = demoRedirectUris(publicUrl);
  const cookieName = `fd_demo_${basePath.replace(/[^a-z0-9]/gi, '')}`;
  const sessions = new Map<string, DemoSession>();
  let configuration: Promise<oidc.Configuration> | null = null;
  const insecure = new URL(options.issuer).protocol === 'http:';

  function config(): Promise<oidc.Configuration> {
    configuration ??= oidc
      .discovery(new URL(options.issuer), options.clientId, undefined, oidc.None(), insecure ? { execute: [oidc.allowInsecureRequests] } : {})
      .catch((error: unknown) => {
        configuration = null;
        throw error;
      });
    return configuration;
  }

  function session(request: FastifyRequest, reply: FastifyReply): DemoSession {
    let id = request.cookies[cookieName];
    if (!id || !sessions.has(id)) {
      id = randomBytes(24).toString('base64url');
      sessions.set(id, {});
      reply.setCookie(cookieName, id, { path: basePath, httpOnly: true, sameSite: 'lax', secure: !insecure });
    }
    return sessions.get(id)!;
  }

  function page(reply: FastifyReply, body: ReturnType<typeof html>): FastifyReply {
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self' ${new URL(options.issuer).origin}; frame-ancestors 'none'`)
      .send(
        html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${options.title ?? 'Demo app'}</title><style>${unsafeRaw(STYLE)}</style></head><body>${body}</body></html>`.toString(),
      );
  }

  app.get(`${basePath}/`, async (request, reply) => {
    const current = session(request, reply);
    const title = options.title ?? 'Demo app';
    if (current.signedIn) {
      const { claims, userinfo } = current.signedIn;
      return page(
        reply,
        html`<h1>${title}</h1><p>Signed in as <strong>${String(userinfo?.email ?? claims.sub)}</strong>.</p>
<h2>ID token claims</h2><pre id="claims">${JSON.stringify(claims, null, 2)}</pre>
<h2>Userinfo response</h2><pre id="userinfo">${JSON.stringify(userinfo, null, 2)}</pre>
<form method="post" action="${basePath}/logout"><button type="submit">Sign out</button></form>`,
      );
    }
    return page(
      reply,
      html`<h1>${title}</h1><p>This app signs you in with Frontdoor (OpenID Connect, authorization code flow with PKCE).</p>
${current.loggedOutByProvider ? html`<p id="notice">You were signed out by the identity provider.</p>` : null}
<form method="post" action="${basePath}/login"><button type="submit">Sign in</button></form>`,
    );
  });

  app.post(`${basePath}/login`, async (request, reply) => {
    const current = session(request, reply);
    const cfg = await config();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    current.pending = pending;
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: uris.redirectUri,
      scope: 'openid email profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return reply.redirect(url.toString(), 303);
  });

  app.get(`${basePath}/callback`, async (request, reply) => {
    const current = session(request, reply);
    const pending = current.pending;
    if (!pending) return reply.redirect(`${basePath}/`, 303);
    delete current.pending;
    const cfg = await config();
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(request.url, new URL(publicUrl).origin), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    const claims = tokens.claims()!;
    const userinfo = (await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub)) as Record<string, unknown>;
    current.signedIn = { idToken: tokens.id_token!, claims: { ...claims }, userinfo, sid: typeof claims.sid === 'string' ? claims.sid : null, sub: claims.sub };
    delete current.loggedOutByProvider;
    return reply.redirect(`${basePath}/`, 303);
  });

  app.post(`${basePath}/logout`, async (request, reply) => {
    const current = session(request, reply);
    const idToken = current.signedIn?.idToken;
    delete current.signedIn;
    if (!idToken) return reply.redirect(`${basePath}/`, 303);
    const url = oidc.buildEndSessionUrl(await config(), { id_token_hint: idToken, post_logout_redirect_uri: uris.postLogoutRedirectUri });
    return reply.redirect(url.toString(), 303);
  });

  // OpenID Connect Back-Channel Logout 1.0: a signed logout token, verified against the provider's keys.
  const jwks = jose.createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  app.post(`${basePath}/backchannel-logout`, async (request, reply) => {
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string') return reply.status(400).send({ error: 'invalid_request' });
    try {
      const { payload } = await jose.jwtVerify(token, jwks, { issuer: options.issuer, audience: options.clientId, typ: 'logout+jwt', maxTokenAge: '2m' });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || !('http://schemas.openid.net/event/backchannel-logout' in events) || 'nonce' in payload) throw new Error('not a logout token');
      for (const demo of sessions.values()) {
        const signedIn = demo.signedIn;
        if (signedIn && (payload.sid ? signedIn.sid === payload.sid : signedIn.sub === payload.sub)) {
          delete demo.signedIn;
          demo.loggedOutByProvider = true;
        }
      }
      options.onBackchannelLogout?.(payload);
      return reply.status(200).header('cache-control', 'no-store').send();
    } catch {
      return reply.status(400).send({ error: 'invalid_request' });
    }
  });
}

