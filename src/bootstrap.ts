// First start: a demo tenant and app for the embedded default, and — never a default password —
// one random admin token written to the data dir (0600) and printed once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from './app.ts';
import { issueAdminToken } from './core/admin/admin-credentials.ts';
import { createApplication } from './core/apps/app-admin.ts';
import type { RequestContext } from './core/context.ts';
import { createTenant } from './core/tenants/tenant-admin.ts';

const systemContext: RequestContext = { ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'system' };

export interface FirstStartResult {
  createdDemo: boolean;
  adminToken: string | null;
  adminTokenFile: string | null;
  demoClient: { clientId: string; clientSecret: string | null } | null;
}

export async function firstStart(services: Services): Promise<FirstStartResult> {
  const { store, config } = services;
  const result: FirstStartResult = { createdDemo: false, adminToken: null, adminTokenFile: null, demoClient: null };
  if (config.env !== 'production' && (await store.tenants.list()).length === 0) {
    await createTenant(services, { id: 'demo', name: 'Demo' }, systemContext);
    const { app, clientSecret } = await createApplication(
      services,
      { tenantId: 'demo', name: 'Demo app', redirectUris: [new URL('/callback', 'http://localhost:8080').toString()], firstParty: true },
      systemContext,
    );
    result.createdDemo = true;
    result.demoClient = { clientId: app.clientId, clientSecret };
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
