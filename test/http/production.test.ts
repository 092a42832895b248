// Production mode: no development mailbox, no demo tenant, no admin token on disk, and a master key
// is required.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('production mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { NODE_ENV: 'production', FRONTDOOR_MASTER_KEY: randomBytes(32).toString('hex') } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('hides the development mailbox and creates no demo tenant or admin token', async () => {
    expect((await fetch(`${server.baseUrl}/dev/mailbox`)).status).toBe(404);
    expect(await server.services.store.tenants.list()).toEqual([]);
    expect(server.setup.adminToken).toBeNull();
    expect(existsSync(join(server.services.config.dataDir, 'admin-token'))).toBe(false);
  });

  it('requires a master key and https for a public host', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/FRONTDOOR_MASTER_KEY/);
    expect(() => loadConfig({ FRONTDOOR_BASE_URL: 'http://id.example.com' })).toThrow(/FRONTDOOR_BASE_URL/);
    expect(() => loadConfig({ FRONTDOOR_MASTER_KEY: 'short' })).toThrow(/FRONTDOOR_MASTER_KEY/);
    expect(() => loadConfig({ FRONTDOOR_ARGON2_MEMORY_KIB: '1024' })).toThrow(/FRONTDOOR_ARGON2_MEMORY_KIB/);
  });

  it('sends HSTS when served over https', async () => {
    const https = await startTestServer('sqlite', { env: { FRONTDOOR_BASE_URL: 'https://id.example.com' } });
    try {
      const r = await fetch(`${https.baseUrl}/t/demo/login`);
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await https.close();
    }
  });
});
