// The SQLite record writer appends sign-in history and risk events from a worker thread with its
// own connection: what it writes is what the store reads back, in order, a failed batch is refused
// to the caller (nothing half-written), and it closes cleanly. A server on an SQLite file uses it
// for the risk engine's write-behind (checked at the end).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RiskEvent, SignInEvent, Store } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createTestStoreWithVault } from '../support/store.ts';
import { riskEventRows, signInEventRows } from '../../src/storage/repositories/risk.ts';
import type { RecordRows } from '../../src/storage/sqlite-record-writer.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import { createSqliteRecordWriter } from '../../src/storage/sqlite-record-writer.ts';
import { startTestServer } from '../support/server.ts';

describe('SQLite record writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontdoor-record-writer-'));
  const file = join(dir, 'records.sqlite');
  let store: Store;
  let writer: ReturnType<typeof createSqliteRecordWriter>;
  let rows: RecordRows;
  const userId = newId('usr');

  beforeAll(async () => {
    const { db, engine } = openDatabase({ engine: 'sqlite', file });
    await migrateToLatest(db, engine);
    const opened = await createTestStoreWithVault(db);
    store = opened.store;
    rows = { signIns: signInEventRows(db, opened.vault), riskEvents: riskEventRows(db, opened.vault) };
    const now = Date.now();
    await store.tenants.create({ id: 't1', name: 'T1', branding: {}, settings: {}, createdAt: now, updatedAt: now });
    await store.users.create({ id: userId, tenantId: 't1', status: 'active', email: 'w@example.com', emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null });
    writer = createSqliteRecordWriter(file, rows, { signIns: () => Promise.reject(new Error('not the fallback')), riskEvents: () => Promise.reject(new Error('not the fallback')) });
  });
  afterAll(async () => {
    await writer?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (at: number, patch: Partial<SignInEvent> = {}): SignInEvent => ({
    id: newId('sie'),
    tenantId: 't1',
    userId,
    at,
    deviceHash: 'device-hash',
    deviceName: 'Chrome on Windows',
    network: '81.2.69.0/24',
    country: 'GB',
    latitude: 51.5143,
    longitude: -0.0912,
    accuracyKm: 20,
    methods: ['pwd', 'otp'],
    sessionId: null,
    riskEventId: null,
    ...patch,
  });

  it('writes batches that the store reads back as they were, newest first', async () => {
    const batch = Array.from({ length: 150 }, (_, i) => signIn(1_000 + i));
    await writer.signIns(batch.slice(0, 100));
    await writer.signIns(batch.slice(100));
    const read = await store.signInEvents.listRecent('t1', userId, 200);
    expect(read).toHaveLength(150);
    expect(read[0]).toEqual(batch[149]);
    expect(read.at(-1)).toEqual(batch[0]);

    const event: RiskEvent = { id: newId('rsk'), tenantId: 't1', userId, at: 5_000, kind: 'sign_in', stage: 'after', score: 55, level: 'medium', action: 'challenge', reasons: [{ signal: 'new_device', points: 25, reason: 'first sign-in from this browser' }], ip: '81.2.69.142', country: 'GB', requestId: 'req-1' };
    await writer.riskEvents([event]);
    expect(await store.riskEvents.get('t1', event.id)).toEqual(event);
  });

  it('refuses a batch that cannot be written, and writes none of it', async () => {
    const before = (await store.signInEvents.listRecent('t1', userId, 1000)).length;
    const duplicate = signIn(9_000);
    // The second row repeats the first's id: the transaction rolls back as a whole.
    await expect(writer.signIns([duplicate, { ...duplicate }])).rejects.toThrow(/UNIQUE/);
    await expect(writer.signIns([signIn(9_001, { userId: 'usr_nobody' })])).rejects.toThrow(/FOREIGN KEY/);
    expect((await store.signInEvents.listRecent('t1', userId, 1000)).length).toBe(before);
    // It goes on working after a refusal.
    await writer.signIns([signIn(9_002)]);
    expect((await store.signInEvents.listRecent('t1', userId, 1000)).length).toBe(before + 1);
  });

  it('writes through the fallback when its worker cannot run', async () => {
    const received: SignInEvent[][] = [];
    const broken = createSqliteRecordWriter(join(dir, 'no-such-dir', 'x.sqlite'), rows, { signIns: async (items) => void received.push(items), riskEvents: async () => undefined });
    try {
      const batch = [signIn(20_000)];
      // The first batch may be in flight when the worker fails (reported lost); later ones fall back.
      await expect.poll(async () => {
        await broken.signIns(batch).catch(() => undefined);
        return received.length;
      }, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(received.at(-1)).toEqual(batch);
    } finally {
      await broken.close();
    }
  });

  it('is what a server on an SQLite file writes its risk records with, off the request thread', async () => {
    const server = await startTestServer('sqlite');
    try {
      const { store: serverStore, flows } = server.services;
      const insertOnRequestThread = vi.spyOn(serverStore.signInEvents, 'addMany');
      const user = await makeDemoUser(serverStore);
      const tenant = (await serverStore.tenants.get('demo'))!;
      const client = { deviceId: 'd', deviceName: 'Firefox on Linux', clientHints: {}, formMillis: null, botChallenge: null };
      await flows.risk.recordSignIn(tenant, user, { methods: ['pwd'], sessionId: null }, client, { ip: '81.2.69.142', userAgent: null, requestId: 'r', locale: 'en', actor: 'anonymous' });
      await flows.risk.flush();
      expect((await serverStore.signInEvents.listRecent('demo', user.id, 10)).map((e) => e.deviceName)).toEqual(['Firefox on Linux']);
      expect(insertOnRequestThread).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });
});

async function makeDemoUser(store: Store) {
  const now = Date.now();
  const user = { id: newId('usr'), tenantId: 'demo', status: 'active' as const, email: 'record.writer@example.com', emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
  await store.users.create(user);
  return user;
}
