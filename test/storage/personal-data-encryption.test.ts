// Envelope encryption at rest: the database alone - the SQLite file, the PostgreSQL rows - holds
// no address, name or number in the clear, nor where and with what the customer used the service,
// and once an account is erased nothing left in the system opens what was sealed for it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKeyProvider } from '../../src/adapters/keys/local-key-provider.ts';
import { loadOrCreateMasterKeys } from '../../src/keys.ts';
import { createServices } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateTo } from '../../src/storage/migrations.ts';
import { deriveKey, newId, openString, sealString } from '../../src/core/secrets.ts';
import { createPostgresDatabase, engines } from '../support/engines.ts';
import { rawRows as rawRowsOf } from '../support/raw-db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { registerAndVerify, signIn, PASSWORD } from '../http/self-service/flows.ts';
import { sealAuditChain, verifyAuditChain } from '../../src/core/audit/audit-chain.ts';

const NAME = 'Quintessa';
const FAMILY = 'Vandermolen';
const PHONE = '+4915112345678';
const NEW_ADDRESS_PART = 'moved-away';

/** Every row of every table, as text: what someone with only the database would read. */
async function postgresDump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from "${table_name}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** The SQLite database file and its write-ahead log, as bytes read as text. */
function sqliteFiles(file: string): string {
  const dir = dirname(file);
  return readdirSync(dir)
    .filter((name) => name.startsWith(basename(file)))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe.each(engines)('personal data at rest (%s)', (engine) => {
  let server: TestServer;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}/admin/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (response.status === 204 ? null : await response.json()) as any };
  };

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** What the database holds, read without Frontdoor. */
  async function rawDatabase(): Promise<string> {
    const { config } = server.services;
    if (config.database.engine === 'postgres') return postgresDump(config.database.url);
    // The file and its write-ahead log, as a crash or a copy would leave them.
    return sqliteFiles(config.database.file);
  }

  it('keeps no address, name, number or evidence in the clear, while every page and API reads them', async () => {
    const email = `raw.${engine}.${Date.now()}@example.com`;
    // A customer who registered, confirmed the address and signed in through the pages.
    await registerAndVerify(server, 'demo', email);
    const { response } = await signIn(server, 'demo', email, PASSWORD);
    expect(response.status).toBe(303);
    const [user] = (await api('GET', `/tenants/demo/users?email=${encodeURIComponent(email)}`)).body.items;
    expect(user.email).toBe(email);
    // A name in the profile, a phone, an address change under way, a consent with its evidence.
    expect((await api('PATCH', `/tenants/demo/users/${user.id}`, { profile: { given_name: NAME, family_name: FAMILY } })).status).toBe(200);
    const { store } = server.services;
    const now = Date.now();
    expect(await store.phones.putPending({ tenantId: 'demo', userId: user.id, phone: PHONE, confirmedAt: null, createdAt: now })).toBe(true);
    await store.actionTokens.create({ tokenHash: newId('tok'), tenantId: 'demo', userId: user.id, purpose: 'change_email', createdAt: now, expiresAt: now + 60_000, consumedAt: null, payload: `${NEW_ADDRESS_PART}@example.org` });
    await store.consent.createPurpose({ tenantId: 'demo', id: `news-${engine}`, name: 'News', version: 1, askAgainFrom: 1, archived: false, description: 'News', policyText: 'We send news.', createdAt: now, updatedAt: now });
    await store.consent.append({ id: newId('cns'), tenantId: 'demo', userId: user.id, purposeId: `news-${engine}`, policyVersion: 1, granted: true, at: now, channel: 'api', requestId: 'req-1', ip: '203.0.113.77', userAgent: 'EvidenceBrowser/9.9' });
    await store.smsOutbox.add({ id: newId('sms'), tenantId: 'demo', to: PHONE, text: 'Your code is 123456', createdAt: now });

    // Everything reads back through Frontdoor.
    const read = (await api('GET', `/tenants/demo/users/${user.id}`)).body;
    expect(read.profile).toEqual({ given_name: NAME, family_name: FAMILY });
    expect((await store.phones.get('demo', user.id))?.phone).toBe(PHONE);
    expect((await store.consent.history('demo', user.id))[0]).toMatchObject({ ip: '203.0.113.77', userAgent: 'EvidenceBrowser/9.9' });
    expect((await server.mailTo(email)).length).toBeGreaterThan(0);
    expect((await store.smsOutbox.listRecent(10)).find((m) => m.to === PHONE)).toBeDefined();

    // The sessions' address and browser are sealed too, and still shown to their owner.
    const sessionRows = await rawRows(server, `select ip, user_agent from sessions where user_id = '${user.id}'`);
    expect(sessionRows.length).toBeGreaterThan(0);
    for (const row of sessionRows) {
      expect(row.ip).toMatch(/^v1\./);
      if (row.user_agent !== null) expect(row.user_agent).toMatch(/^v1\./);
    }
    expect((await store.sessions.listActiveForUser('demo', user.id, Date.now()))[0]?.ip).toBe('127.0.0.1');

    // So are the traces the sign-in left: its audit rows, its risk assessment, its sign-in history
    // (written behind the answer, so waited for); the admin and the owner still read them.
    await expect.poll(async () => (await rawRows(server, `select ip from risk_events where user_id = '${user.id}'`)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await rawRows(server, `select id from sign_in_events where user_id = '${user.id}'`)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const sealedTraces = [
      ...(await rawRows(server, `select ip, user_agent from audit_events where subject = '${user.id}'`)),
      ...(await rawRows(server, `select ip, country from risk_events where user_id = '${user.id}'`)),
      ...(await rawRows(server, `select device_name, network, country, place from sign_in_events where user_id = '${user.id}'`)),
    ];
    expect(sealedTraces.length).toBeGreaterThan(3);
    for (const row of sealedTraces) for (const value of Object.values(row)) if (value !== null) expect(value).toMatch(/^v1\./);
    const audit = (await api('GET', `/tenants/demo/audit?subject=${user.id}`)).body.items as { ip: string | null; user_agent: string | null }[];
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e) => e.ip === '127.0.0.1')).toBe(true);
    expect((await store.riskEvents.query({ tenantId: 'demo', userId: user.id, limit: 10 })).items[0]?.ip).toBe('127.0.0.1');
    expect((await store.signInEvents.listRecent('demo', user.id, 10))[0]?.deviceName).toBeTruthy();

    const raw = await rawDatabase();
    expect(raw.length).toBeGreaterThan(10_000); // the rows are really there
    expect(raw).toContain(user.id);
    for (const secret of [email, email.split('@')[0]!, NAME, FAMILY, PHONE, NEW_ADDRESS_PART, '203.0.113.77', 'EvidenceBrowser']) {
      expect(raw.includes(secret), `"${secret}" found in the raw ${engine} database`).toBe(false);
    }
  });

  it('after erasure nothing left in the system opens what was sealed for the account', async () => {
    const email = `erased.${engine}.${Date.now()}@example.com`;
    const created = await api('POST', '/tenants/demo/users', { email, profile: { given_name: NAME } });
    expect(created.status).toBe(201);
    const userId: string = created.body.id;
    const now = Date.now();
    const { store, config } = server.services;
    await store.consent.createPurpose({ tenantId: 'demo', id: `erase-${engine}`, name: 'Erase', version: 1, askAgainFrom: 1, archived: false, description: 'E', policyText: 'E', createdAt: now, updatedAt: now });
    await store.consent.append({ id: newId('cns'), tenantId: 'demo', userId, purposeId: `erase-${engine}`, policyVersion: 1, granted: true, at: now, channel: 'api', requestId: null, ip: '198.51.100.9', userAgent: 'KeptRecordBrowser' });

    // Traces of use: an audit row about the account, a risk assessment, a sign-in.
    const auditId = newId('aud');
    await store.audit.append({ id: auditId, tenantId: 'demo', at: now, actor: `user:${userId}`, subject: userId, action: 'user.signed_in', result: 'success', reason: null, ip: '192.0.2.55', userAgent: 'AuditedBrowser', requestId: null, details: {} });
    const riskId = newId('rsk');
    await store.riskEvents.addMany([{ id: riskId, tenantId: 'demo', userId, at: now, kind: 'sign_in', stage: 'before', score: 0, level: 'low', action: 'allow', reasons: [], ip: '192.0.2.56', country: 'NZ', requestId: null }]);
    await store.signInEvents.addMany([{ id: newId('sie'), tenantId: 'demo', userId, at: now, deviceHash: 'hash', deviceName: 'TracedBrowser on TracedOS', network: '192.0.2.0/24', country: 'NZ', latitude: -41.28, longitude: 174.77, accuracyKm: 5, methods: ['pwd'], sessionId: null, riskEventId: riskId }]);
    expect((await store.signInEvents.listRecent('demo', userId, 1))[0]).toMatchObject({ deviceName: 'TracedBrowser on TracedOS', country: 'NZ', latitude: -41.28, longitude: 174.77 });

    const sealedRow = await rawRow(server, `select email, profile from users where id = '${userId}'`);
    const sealedConsent = await rawRow(server, `select ip, user_agent from consent_records where user_id = '${userId}'`);
    const sealedAudit = await rawRow(server, `select ip, user_agent from audit_events where id = '${auditId}'`);
    const sealedRisk = await rawRow(server, `select ip, country from risk_events where id = '${riskId}'`);
    expect(sealedRow.email).toMatch(/^v1\./);
    expect(sealedConsent.ip).toMatch(/^v1\./);
    expect(sealedAudit.ip).toMatch(/^v1\./);
    expect(sealedRisk.ip).toMatch(/^v1\./);

    expect((await api('DELETE', `/tenants/demo/users/${userId}`)).status).toBe(204);
    // The data key went with the account; the consent record stays, naming only the random id.
    expect(await rawRows(server, `select * from user_data_keys where user_id = '${userId}'`)).toEqual([]);
    const kept = await store.consent.history('demo', userId);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ ip: null, userAgent: null });
    // The audit row and the assessment stay, without where they came from; the sign-in history goes.
    const keptAudit = (await store.audit.query({ tenantId: 'demo', subject: userId, limit: 50 })).items.find((e) => e.id === auditId);
    expect(keptAudit).toMatchObject({ subject: userId, ip: null, userAgent: null });
    expect(await store.riskEvents.get('demo', riskId)).toMatchObject({ userId, ip: null, country: null });
    expect(await rawRows(server, `select id from sign_in_events where user_id = '${userId}'`)).toEqual([]);
    // The chain hashed the sealed values: it still holds.
    await sealAuditChain(server.services, 'demo');
    expect((await verifyAuditChain(store, 'demo')).firstBroken).toBeNull();

    // Every key the system still has: each account's data key, the root key and all it derives.
    const masterKeys = loadOrCreateMasterKeys(config);
    const provider = createLocalKeyProvider(masterKeys.current, masterKeys.previous);
    const candidates: Buffer[] = [masterKeys.current];
    for (const row of await rawRows(server, 'select tenant_id, user_id, key_id, wrapped from user_data_keys')) {
      candidates.push(await provider.unwrap({ keyId: String(row.key_id), wrapped: String(row.wrapped) }, `user-data-key:${row.tenant_id}:${row.user_id}`));
    }
    const root = await rawRows(server, "select key_id, wrapped from system_keys where purpose = 'root'");
    const rootKey = await provider.unwrap({ keyId: String(root[0]!.key_id), wrapped: String(root[0]!.wrapped) }, 'system-key:root');
    candidates.push(rootKey, ...['email-blind-index', 'outbox-sealing', 'activity-sealing', 'totp', 'csrf', 'oidc-cookies', 'signing-keys'].map((purpose) => deriveKey(rootKey, purpose)));
    expect(candidates.length).toBeGreaterThan(3);
    const opens = (sealed: string, column: string) => candidates.some((key) => {
      try {
        openString(key, sealed, `${column}:demo:${userId}`);
        return true;
      } catch {
        return false;
      }
    });
    expect(opens(String(sealedRow.email), 'email')).toBe(false);
    expect(opens(String(sealedRow.profile), 'profile')).toBe(false);
    expect(opens(String(sealedConsent.ip), 'consent.ip')).toBe(false);
    expect(opens(String(sealedConsent.user_agent), 'consent.user_agent')).toBe(false);
    expect(opens(String(sealedAudit.ip), 'audit.ip')).toBe(false);
    expect(opens(String(sealedAudit.user_agent), 'audit.user_agent')).toBe(false);
    expect(opens(String(sealedRisk.ip), 'risk.ip')).toBe(false);
    expect(opens(String(sealedRisk.country), 'risk.country')).toBe(false);
  });
});

/** Rows read straight from the server's database, bypassing every repository. */
function rawRows(server: TestServer, query: string): Promise<Record<string, unknown>[]> {
  return rawRowsAt(server.services.config, query);
}

async function rawRow(server: TestServer, query: string): Promise<Record<string, unknown>> {
  const [row] = await rawRows(server, query);
  expect(row, query).toBeDefined();
  return row!;
}

describe.each(engines)('upgrading a database from before encryption (%s)', (engine) => {
  it('seals the rows an earlier release wrote, keeps the derived keys, and reads everything back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-legacy-'));
    const pgDb = engine === 'postgres' ? await createPostgresDatabase() : null;
    const masterKey = randomBytes(32);
    const env = { NODE_ENV: 'test', FRONTDOOR_DATA_DIR: dataDir, FRONTDOOR_MASTER_KEY: masterKey.toString('hex'), ...(pgDb ? { DATABASE_URL: pgDb.url } : {}) };
    const config = loadConfig(env);
    const now = Date.now();
    try {
      // The database as the release before migration 0021 left it, with plain personal data.
      const earlier = openDatabase(config.database);
      await migrateTo(earlier.db, earlier.engine, '0020_retention');
      const legacy = earlier.db as unknown as Kysely<any>;
      await legacy.insertInto('tenants').values({ id: 'old', name: 'Old', branding: '{}', settings: '{}', created_at: now, updated_at: now }).execute();
      await legacy
        .insertInto('users')
        .values({ id: 'usr_legacy', tenant_id: 'old', status: 'active', email: 'legacy@example.com', email_verified: 1, profile: JSON.stringify({ given_name: NAME }), created_at: now, updated_at: now })
        .execute();
      await legacy.insertInto('phone_credentials').values({ tenant_id: 'old', user_id: 'usr_legacy', phone: PHONE, confirmed_at: now, created_at: now }).execute();
      // An authenticator-app secret as the earlier release sealed it: under the master-derived TOTP key.
      const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      await legacy
        .insertInto('totp_credentials')
        .values({ tenant_id: 'old', user_id: 'usr_legacy', secret_sealed: sealString(deriveKey(masterKey, 'totp'), totpSecret, 'totp:old:usr_legacy'), confirmed_at: now, last_used_step: null, created_at: now })
        .execute();
      await legacy
        .insertInto('mail_outbox')
        .values({ id: 'mail_legacy', tenant_id: 'old', recipient: 'legacy@example.com', subject: 'Hello', body_text: 'Hi legacy@example.com', body_html: '<p>Hi</p>', created_at: now, attempts: 0 })
        .execute();
      await earlier.db.destroy();

      const services = await createServices(config);
      try {
        const user = await services.store.users.findByEmail('old', 'legacy@example.com');
        expect(user).toMatchObject({ id: 'usr_legacy', email: 'legacy@example.com', profile: { given_name: NAME } });
        expect((await services.store.phones.get('old', 'usr_legacy'))?.phone).toBe(PHONE);
        expect((await services.store.totp.get('old', 'usr_legacy'))?.secret).toBe(totpSecret);
        expect((await services.store.mailOutbox.listRecent(10)).map((m) => [m.to, m.text])).toEqual([['legacy@example.com', 'Hi legacy@example.com']]);
        // Taken by another account of the tenant: the blind index enforces uniqueness now.
        await expect(services.store.users.create({ ...user!, id: 'usr_second' })).rejects.toMatchObject({ code: 'user.exists' });
      } finally {
        await services.close();
      }
      const raw = await rawRowsAt(config, "select email, email_index, profile from users where id = 'usr_legacy'");
      expect(raw[0]!.email).toMatch(/^v1\./);
      expect(raw[0]!.email_index).toEqual(expect.any(String));
      expect(JSON.stringify(await rawRowsAt(config, 'select * from phone_credentials'))).not.toContain(PHONE);
      expect(await rawRowsAt(config, 'select sealed_with from totp_credentials')).toEqual([{ sealed_with: 'account' }]);
      expect(JSON.stringify(await rawRowsAt(config, 'select * from mail_outbox'))).not.toContain('legacy@example.com');
      // A database that already had tenants keeps its master key as the root of its purpose keys,
      // so cookies, sealed signing keys and pairwise subjects made before still work.
      const [root] = await rawRowsAt(config, "select key_id, wrapped from system_keys where purpose = 'root'");
      const provider = createLocalKeyProvider(masterKey);
      expect((await provider.unwrap({ keyId: String(root!.key_id), wrapped: String(root!.wrapped) }, 'system-key:root')).equals(masterKey)).toBe(true);
    } finally {
      await pgDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives a new deployment a random root key, not the master key', async () => {
    const server = await startTestServer(engine);
    try {
      const { config } = server.services;
      const masterKeys = loadOrCreateMasterKeys(config);
      const [root] = await rawRows(server, "select key_id, wrapped from system_keys where purpose = 'root'");
      const rootKey = await createLocalKeyProvider(masterKeys.current).unwrap({ keyId: String(root!.key_id), wrapped: String(root!.wrapped) }, 'system-key:root');
      expect(rootKey).toHaveLength(32);
      expect(rootKey.equals(masterKeys.current)).toBe(false);
    } finally {
      await server.close();
    }
  });
});

function rawRowsAt(config: Config, query: string): Promise<Record<string, unknown>[]> {
  return rawRowsOf(config.database, query);
}
