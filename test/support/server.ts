// Starts a real Frontdoor (real database, real HTTP on loopback) for an integration test.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type ServiceOptions, type Services } from '../../src/app.ts';
import { firstStart, type FirstStartResult } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import type { OutboxMail, RiskEventQuery } from '../../src/core/ports.ts';
import { buildServer, type HttpServer } from '../../src/http/server.ts';
import { createPostgresDatabase, type TestEngine } from './engines.ts';

export interface TestServer {
  engine: TestEngine;
  baseUrl: string;
  services: Services;
  http: HttpServer;
  setup: FirstStartResult;
  /** Bearer token of the admin created at first start. */
  adminToken: string;
  /** Mail queued to an address, newest first. */
  mailTo(address: string): Promise<OutboxMail[]>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTestServer(engine: TestEngine, options: { env?: Record<string, string>; services?: ServiceOptions } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-test-'));
  const pgDb = engine === 'postgres' ? await createPostgresDatabase() : null;
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    FRONTDOOR_DATA_DIR: dataDir,
    FRONTDOOR_BASE_URL: `http://localhost:${port}`,
    ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
    ...options.env,
  });
  const services = await createServices(config, options.services);
  const setup = await firstStart(services);
  const http = await buildServer(services, { logger: false });
  await http.app.listen({ host: '127.0.0.1', port });
  return {
    engine,
    baseUrl: `http://localhost:${port}`,
    services,
    http,
    setup,
    adminToken: setup.adminToken ?? '',
    async mailTo(address) {
      const recent = await services.store.mailOutbox.listRecent(500);
      return recent.filter((m) => m.to === address);
    },
    async close() {
      await http.app.close();
      await services.close();
      await pgDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Merges `settings` (wire format; null removes a key) into a tenant's through the admin API. */
export async function setTenantSettings(server: TestServer, settings: Record<string, unknown>, tenantId = 'demo'): Promise<void> {
  const response = await fetch(`${server.baseUrl}/admin/api/v1/tenants/${tenantId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ settings }),
  });
  if (response.status !== 200) throw new Error(`PATCH tenant ${tenantId} settings: ${response.status} ${await response.text()}`);
}

/** The risk events stored so far (the node writes them in batches: flushed first). */
export async function storedRiskEvents(server: TestServer, query: RiskEventQuery) {
  await server.services.flows.risk.flush();
  return server.services.store.riskEvents.query(query);
}
