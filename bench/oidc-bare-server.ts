// The reference half of `npm run bench:oidc`: a bare oidc-provider — its own in-memory adapter
// (over a store sized for a benchmark run instead of the default 1000 entries), one
// ES256 key, static clients, no database, no HTTP framework in front — configured for the same
// work Frontdoor does (client credentials with resource indicators, JWT and opaque access tokens,
// introspection, the code flow with PKCE). Its own process; prints one OidcTargetReady line.
// A browser is signed in by the interaction route below without a page, and the app's grant is
// created once per account and reused, as a first-party consent would be.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { BENCH_JWT_RESOURCE, BENCH_OPAQUE_RESOURCE, BENCH_REDIRECT_URI, BENCH_SCOPE, type OidcTargetReady } from './oidc-targets.ts';
import { freePort } from './support.ts';

const ACCOUNT = 'bench-user';

async function main(): Promise<void> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
  const machine = { clientId: 'bench-machine', secret: randomBytes(32).toString('base64url') };
  const web = { clientId: 'bench-web', secret: randomBytes(32).toString('base64url'), redirectUri: BENCH_REDIRECT_URI };

  const store = new LRU({ maxSize: 5_000_000 });
  const configuration: Configuration = {
    adapter: function MemoryAdapterOfThisRun(model: string) {
      return new MemoryAdapter(model, store);
    } as unknown as Configuration['adapter'],
    clients: [
      { client_id: machine.clientId, client_secret: machine.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      { client_id: web.clientId, client_secret: web.secret, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [web.redirectUri], response_types: ['code'] },
    ],
    jwks: { keys: [signingKey] } as Configuration['jwks'],
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      const accountId = ctx.oidc.result?.login?.accountId ?? session?.accountId;
      if (!client || !accountId) return undefined;
      const grantId = session?.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== BENCH_JWT_RESOURCE && indicator !== BENCH_OPAQUE_RESOURCE) throw new Error(`unknown resource ${indicator}`);
          const jwt = indicator === BENCH_JWT_RESOURCE;
          return { audience: indicator, scope: BENCH_SCOPE, accessTokenTTL: 600, accessTokenFormat: jwt ? 'jwt' : 'opaque', ...(jwt ? { jwt: { sign: { alg: 'ES256' } } } : {}) };
        },
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      // Sign the benchmark account in without a page.
      provider
        .interactionFinished(req, res, { login: { accountId: ACCOUNT } }, { mergeWithLastSubmission: false })
        .catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();

  const ready: OidcTargetReady = {
    target: 'bare',
    port,
    pid: process.pid,
    issuer,
    engine: 'memory',
    machine,
    web,
    jwtResource: BENCH_JWT_RESOURCE,
    opaqueResource: BENCH_OPAQUE_RESOURCE,
    scope: BENCH_SCOPE,
    login: null,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

await main();
