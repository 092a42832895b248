// `frontdoor start` / `npm start`: configuration, storage, first-start setup, then listen. SIGTERM
// and SIGINT stop accepting, let in-flight requests finish, then close the database.
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
  const setup = await firstStart(services);
  const { app } = await buildServer(services);
  await app.listen({ host: config.host, port: config.port });

  const base = config.baseUrl.toString().replace(/\/$/, '');
  const lines = [
    '',
    `Frontdoor is running on ${base} (${services.engine === 'sqlite' ? `SQLite at ${config.database.engine === 'sqlite' ? config.database.file : ''}` : 'PostgreSQL'})`,
    '',
    `  Sign up:        ${base}/t/demo/register`,
    `  Sign in:        ${base}/t/demo/login`,
    `  Your account:   ${base}/t/demo/account`,
    config.env !== 'production' ? `  Dev mailbox:    ${base}/dev/mailbox` : null,
    `  Admin API:      ${base}/admin/api/v1  (OpenAPI: ${base}/admin/api/v1/openapi.json)`,
    `  Health:         ${base}/healthz  ${base}/readyz  ${base}/metrics`,
  ];
  if (setup.adminToken) {
    lines.push('', `Admin token (shown once; also saved to ${setup.adminTokenFile} with mode 0600):`, `  ${setup.adminToken}`);
  }
  if (setup.demoClient) {
    lines.push('', `Demo app client_id: ${setup.demoClient.clientId}`);
    if (setup.demoClient.clientSecret) lines.push(`Demo app client_secret (shown once): ${setup.demoClient.clientSecret}`);
  }
  process.stdout.write(`${lines.filter((l) => l !== null).join('\n')}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    try {
      await app.close(); // stops accepting and waits for in-flight requests
    } finally {
      await services.close();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
