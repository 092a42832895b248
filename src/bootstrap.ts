// First start: a demo tenant and app for the embedded default, and — never a default password —
// one random admin token written to the data dir (0600) and printed once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from './app.ts';
import { issueAdminToken } from './core/admin/admin-credentials.ts';
import { createApplication } from './core/apps/app-admin.ts';
import { systemContext } from './core/context.ts';
import { createTenant } from './core/tenants/tenant-admin.ts';
import { demoRedirectUris } from './demo/relying-party.ts';


export interface FirstStartResult {
  createdDemo: boolean;
  adminToken: string | null;
  adminTokenFile: string | null;
  demoClient: { clientId: string; clientSecret: string | null } | null;
}

export const DEMO_TENANT = 'demo';
export const DEMO_CLIENT_ID = 'demo-app';
export const DEMO_APP_PATH = '/demo-app';

/**
 * The demo relying party served at /demo-app is a public client of tenant `demo`. Its URIs follow
 * the base URL, so they are corrected at each start (the port may have changed).
 */
async function ensureDemoApp(services: Services) {
  const publicUrl = new URL(DEMO_APP_PATH, services.config.baseUrl).toString();
  const uris = demoRedirectUris(publicUrl);
  const existing = await services.store.apps.findByClientId(DEMO_TENANT, DEMO_CLIENT_ID);
  if (!existing) {
    const { app } = await createApplication(
      services,
      {
        tenantId: DEMO_TENANT,
        clientId: DEMO_CLIENT_ID,
        name: 'Demo app',
        public: true,
        redirectUris: [uris.redirectUri],
        postLogoutRedirectUris: [uris.postLogoutRedirectUri],
        grantTypes: ['authorization_code', 'refresh_token'],
        firstParty: true,
        oidc: { tokenEndpointAuthMethod: 'none', backchannelLogoutUri: uris.backchannelLogoutUri },
      },
      systemContext,
    );
    return app;
  }
  if (existing.redirectUris[0] !== uris.redirectUri || existing.oidc.backchannelLogoutUri !== uris.backchannelLogoutUri) {
    return services.store.apps.update(
      DEMO_TENANT,
      existing.id,
      { redirectUris: [uris.redirectUri], postLogoutRedirectUris: [uris.postLogoutRedirectUri], oidc: { ...existing.oidc, backchannelLogoutUri: uris.backchannelLogoutUri } },
      services.clock.now(),
    );
  }
  return existing;
}

export async function firstStart(services: Services): Promise<FirstStartResult> {
  const { store, config } = services;
  const result: FirstStartResult = { createdDemo: false, adminToken: null, adminTokenFile: null, demoClient: null };
  if (config.env !== 'production' && (await store.tenants.list()).length === 0) {
    await createTenant(services, { id: 'demo', name: 'Demo' }, systemContext);
    result.createdDemo = true;
  }
  if (config.env !== 'production' && (await store.tenants.get(DEMO_TENANT))) {
    const app = await ensureDemoApp(services);
    if (result.createdDemo && app) result.demoClient = { clientId: app.clientId, clientSecret: null };
  }
  // In production the operator runs `frontdoor admin bootstrap` instead: no token on disk.
  if (config.env !== 'production' && (await store.adminTokens.count('admin')) === 0) {
    const { token } = await issueAdminToken(services, 'initial admin');
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const file = join(config.dataDir, 'admin-token');
    if (existsSync(file)) writeFileSync(file, `${token}\n`, { mode: 0o600 });
    else writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    result.adminToken = token;
    result.adminTokenFile = file;
  }
  return result;
}
