// The Frontdoor half of `npm run bench:oidc`: the same composition as `npm start` (logs off) on a
// free loopback port — SQLite in a temporary data dir, or a fresh PostgreSQL database when
// BENCH_DATABASE_URL names an admin connection; Redis for the short-lived OIDC models when
// BENCH_REDIS_URL is set — with the apps, API resources and user the benchmark needs, created
// through the same core functions the admin API uses. Prints one OidcTargetReady line; cleans up
// when stdin closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../src/app.ts';
import { firstStart } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { createApiResource } from '../src/core/apps/api-resources.ts';
import { createApplication } from '../src/core/apps/app-admin.ts';
import { cliContext } from '../src/core/context.ts';
import { ENDPOINT_GROUPS } from '../src/core/risk/request-limits.ts';
import { updateTenant } from '../src/core/tenants/tenant-admin.ts';
import { createUser } from '../src/core/users/user-admin.ts';
import { buildServer } from '../src/http/server.ts';
import { BENCH_JWT_RESOURCE, BENCH_OPAQUE_RESOURCE, BENCH_REDIRECT_URI, BENCH_SCOPE, type OidcTargetReady } from './oidc-targets.ts';
import { createPostgresDatabase, freePort, stopWithCleanups } from './support.ts';

const TENANT = 'demo';
const EMAIL = 'bench.oidc@example.com';
const PASSWORD = 'Quartz-Lantern-Orchard-5821';

async function main(): Promise<void> {
  const { cleanups, stop } = stopWithCleanups('bench oidc server');
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-oidc-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  process.stdin.resume();

  try {
    const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || null;
    const redisUrl = process.env.BENCH_REDIS_URL?.trim() || null;
    const database = adminUrl ? await createPostgresDatabase(adminUrl) : null;
    if (database) cleanups.push(database.drop);
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      HOST: '127.0.0.1',
      FRONTDOOR_DATA_DIR: dataDir,
      FRONTDOOR_BASE_URL: `http://127.0.0.1:${port}`,
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
    const services = await createServices(config);
    cleanups.push(() => services.close());
    await firstStart(services);
    const tenant = await services.store.tenants.get(TENANT);
    if (!tenant) throw new Error(`first start did not create tenant "${TENANT}"`);
    // The load comes from one loopback address, far past the per-address request limits. They are
    // raised out of reach rather than switched off, so every request still pays for being counted.
    const outOfReach = Object.fromEntries(ENDPOINT_GROUPS.map((group) => [group, 10_000_000]));
    await updateTenant(services, TENANT, { settings: { ...tenant.settings, rateLimits: { perAddress: outOfReach } } }, cliContext);

    for (const [identifier, format] of [
      [BENCH_JWT_RESOURCE, 'jwt'],
      [BENCH_OPAQUE_RESOURCE, 'opaque'],
    ] as const) {
      await createApiResource(services, { tenantId: TENANT, identifier, name: `Bench ${format}`, scopes: [{ name: BENCH_SCOPE }], accessTokenFormat: format }, cliContext);
    }
    const machine = await createApplication(
      services,
      { tenantId: TENANT, name: 'Bench machine', redirectUris: [], grantTypes: ['client_credentials'], oidc: { clientCredentialsScopes: { [BENCH_JWT_RESOURCE]: [BENCH_SCOPE], [BENCH_OPAQUE_RESOURCE]: [BENCH_SCOPE] } } },
      cliContext,
    );
    const web = await createApplication(services, { tenantId: TENANT, name: 'Bench web', redirectUris: [BENCH_REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token'] }, cliContext);
    await createUser(services, { tenant, email: EMAIL, password: PASSWORD, verified: true }, cliContext);

    const { app } = await buildServer(services, { logger: false });
    cleanups.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port });

    const ready: OidcTargetReady = {
      target: 'frontdoor',
      port,
      pid: process.pid,
      issuer: `http://127.0.0.1:${port}/t/${TENANT}/oidc`,
      engine: `${services.engine}${redisUrl ? ' + redis' : ''}`,
      machine: { clientId: machine.app.clientId, secret: machine.clientSecret! },
      web: { clientId: web.app.clientId, secret: web.clientSecret!, redirectUri: BENCH_REDIRECT_URI },
      jwtResource: BENCH_JWT_RESOURCE,
      opaqueResource: BENCH_OPAQUE_RESOURCE,
      scope: BENCH_SCOPE,
      login: { path: `/t/${TENANT}/login`, email: EMAIL, password: PASSWORD },
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } catch (error) {
    process.stderr.write(`bench oidc server: ${(error as Error).stack ?? String(error)}\n`);
    await stop(1);
  }
}

await main();
