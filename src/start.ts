// `frontdoor start` / `npm start`: configuration, storage, first-start setup, then listen. SIGTERM
// and SIGINT stop accepting, let in-flight requests finish, then close the database.
import { startOidcArtifactCleanup } from './oidc/sql-adapter.ts';
import { startExpirySweep } from './storage/expiry-sweep.ts';
import { startAuditSealer } from './core/audit/audit-chain.ts';
import { startAccountErasure } from './core/users/account-deletion.ts';
import { startRetention } from './core/retention/retention.ts';
import { loadConfig, ConfigError } from './config.ts';
import { createServices } from './app.ts';
import { firstStart } from './bootstrap.ts';
import { buildServer } from './http/server.ts';

export async function startServer(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`frontdoor: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const services = await createServices(config);
  // The geolocation data (two files, ~90 MiB of resident memory) loads now rather than in the first sign-in.
  await services.geo.preload?.();
  const setup = await firstStart(services);
  const { app } = await buildServer(services);
  await app.listen({ host: config.host, port: config.port });
  // Expired OIDC artifacts (codes, tokens, sessions) are swept every ten minutes.
  const stopCleanup = startOidcArtifactCleanup(services.db, services.clock, 10 * 60_000, { onError: (err) => app.log.error({ err }, 'OIDC artifact cleanup failed') });
  // So are ended sessions, abandoned second-factor sign-ins and used WebAuthn challenges.
  const stopSweep = startExpirySweep(services.store, services.clock, 10 * 60_000, (err) => app.log.error({ err }, 'expiry sweep failed'));
  // Accounts whose deletion grace period has ended are erased within a minute.
  const stopErasure = startAccountErasure(services, 60_000, (err) => app.log.error({ err }, 'account erasure failed'));
  // Each tenant's retention rules (unconfirmed and unused accounts, risk and sign-in history, audit), hourly.
  const stopRetention = startRetention({ ...services.flows, auditChain: services.auditChain }, 3_600_000, (err) => app.log.error({ err }, 'retention failed'));
  // New audit rows are linked into their tenant's hash chain every five seconds, and the chain's
  // head signed with the tenant's key at most once a minute.
  const stopSealer = startAuditSealer(services.auditChain, 5_000, (err) => app.log.error({ err }, 'audit chain sealing failed'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    try {
      stopCleanup();
      stopSweep();
      stopSealer();
      stopErasure();
      stopRetention();
      await app.close(); // stops accepting and waits for in-flight requests
    } finally {
      await services.close();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // `frontdoor cluster` lets only its first node say all this.
  if (env.FRONTDOOR_BANNER === 'off') return;
  const base = config.baseUrl.toString().replace(/\/$/, '');
  const lines = [
    '',
    `Frontdoor is running on ${base} (${services.engine === 'sqlite' ? `SQLite at ${config.database.engine === 'sqlite' ? config.database.file : ''}` : 'PostgreSQL'})`,
    '',
    config.env !== 'production' ? `  Demo app:       ${base}/demo-app/   (start here: sign in with OpenID Connect)` : null,
    `  Sign up:        ${base}/t/demo/register`,
    `  Sign in:        ${base}/t/demo/login`,
    `  Your account:   ${base}/t/demo/account`,
    config.env !== 'production' ? `  Dev mailbox:    ${base}/dev/mailbox` : null,
    `  Admin API:      ${base}/admin/api/v1  (OpenAPI: ${base}/admin/api/v1/openapi.json)`,
    `  OIDC issuer:    ${base}/t/demo/oidc  (discovery: ${base}/t/demo/oidc/.well-known/openid-configuration)`,
    `  Health:         ${base}/healthz  ${base}/readyz  ${base}/metrics`,
  ];
  if (setup.adminToken) {
    lines.push('', `Admin token (shown once; also saved to ${setup.adminTokenFile} with mode 0600):`, `  ${setup.adminToken}`);
  }
  process.stdout.write(`${lines.filter((l) => l !== null).join('\n')}\n\n`);
}
