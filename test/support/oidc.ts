// Helpers for driving the OIDC provider with an independent client (openid-client) while a
// FormClient plays the browser: follows the authorization redirects, signs in on the hosted
// page, and hands back the redirect to the app.
import * as oidc from 'openid-client';
import { cliContext } from '../../src/core/context.ts';
import { createApplication, type CreateApplicationInput } from '../../src/core/apps/app-admin.ts';
import { createUser } from '../../src/core/users/user-admin.ts';
import type { Application, User } from '../../src/core/ports.ts';
import { FormClient, type Response } from './client.ts';
import type { TestServer } from './server.ts';

export const PASSWORD = 'correct horse battery staple 42';

export function issuerOf(server: TestServer, tenant = 'demo'): URL {
  return new URL(`${server.baseUrl}/t/${tenant}/oidc`);
}

export async function makeUser(server: TestServer, email: string, tenantId = 'demo', profile: Record<string, unknown> = {}): Promise<User> {
  const tenant = (await server.services.store.tenants.get(tenantId))!;
  return createUser(server.services, { tenant, email, password: PASSWORD, verified: true, profile }, cliContext);
}

export async function makeApp(server: TestServer, input: Partial<CreateApplicationInput> & { name: string }): Promise<{ app: Application; clientSecret: string | null }> {
  return createApplication(server.services, { tenantId: 'demo', redirectUris: ['https://app.example.test/cb'], ...input }, cliContext);
}

export async function discover(server: TestServer, clientId: string, secret?: string | null, tenant = 'demo', metadata: Partial<oidc.ClientMetadata> = {}, auth?: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(issuerOf(server, tenant), clientId, { ...(secret ? { client_secret: secret } : {}), ...metadata }, auth ?? (secret ? oidc.ClientSecretBasic(secret) : oidc.None()), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Follows redirects on our own origin until one leaves it (the redirect to the app) or a page is shown. */
export async function follow(browser: FormClient, start: Response): Promise<Response> {
  let response = start;
  for (let hops = 0; hops < 10 && response.location; hops += 1) {
    const next = new URL(response.location, browser.baseUrl);
    if (next.origin !== new URL(browser.baseUrl).origin) return response;
    response = await browser.get(next.pathname + next.search);
  }
  return response;
}

export interface AuthorizeResult {
  /** The final redirect to the app (with code, state, iss) — or an error page response. */
  response: Response;
  callbackUrl: URL | null;
}

/**
 * Opens the authorization URL in `browser`; when the sign-in page appears, signs in with
 * `email` (unless `signIn` is false), allows consent when asked (`consent`), and returns the
 * redirect to the app.
 */
export async function authorize(browser: FormClient, url: URL, options: { email?: string; signIn?: boolean; consent?: 'allow' | 'deny' } = {}): Promise<AuthorizeResult> {
  let response = await follow(browser, await browser.get(url.pathname + url.search));
  for (let step = 0; step < 4 && !response.location; step += 1) {
    const form = /<form method="post" action="([^"]+\/interaction\/[^"]+)"/.exec(response.text);
    if (!form) break;
    const action = form[1]!.replace(/&amp;/g, '&');
    if (action.endsWith('/login')) {
      if (options.signIn === false || !options.email) break;
      response = await follow(browser, await browser.post(action, { email: options.email, password: PASSWORD }));
    } else if (action.endsWith('/consent')) {
      if (!options.consent) break;
      response = await follow(browser, await browser.post(action, { decision: options.consent }));
    } else break;
  }
  return { response, callbackUrl: response.location ? new URL(response.location) : null };
}
