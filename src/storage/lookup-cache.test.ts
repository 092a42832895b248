import { describe, expect, it } from 'vitest';
import { openDatabase, withStatementCache } from './database.ts';
import BetterSqlite3 from 'better-sqlite3';
import { createTestStore } from '../../test/support/store.ts';
import { migrateToLatest } from './migrations.ts';
import { withLookupCache } from './lookup-cache.ts';
import type { Application, Store } from '../core/ports.ts';

function app(tenantId: string, clientId: string, name: string): Application {
  return {
    id: `app_${clientId}`,
    tenantId,
    clientId,
    name,
    public: false,
    secretHash: 'h',
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    redirectUris: ['https://a.example/cb'],
    postLogoutRedirectUris: [],
    grantTypes: ['authorization_code'],
    firstParty: true,
    oidc: {},
    createdAt: 1,
    updatedAt: 1,
  };
}

async function stores(ttlMs: number): Promise<{ raw: Store; cached: Store }> {
  const { db, engine } = openDatabase({ engine: 'sqlite', file: ':memory:' });
  await migrateToLatest(db, engine);
  const raw = await createTestStore(db);
  await raw.tenants.create({ id: 't1', name: 'T1', branding: {}, settings: {}, createdAt: 1, updatedAt: 1 });
  return { raw, cached: withLookupCache(raw, ttlMs) };
}

describe('withLookupCache', () => {
  it('serves a client-id lookup from memory until the TTL, then reads storage again', async () => {
    const { raw, cached } = await stores(50);
    await raw.apps.create(app('t1', 'c1', 'First'));
    expect((await cached.apps.findByClientId('t1', 'c1'))?.name).toBe('First');
    // A change behind the cache's back (another node, the CLI) ...
    await raw.apps.update('t1', 'app_c1', { name: 'Second' }, 2);
    expect((await cached.apps.findByClientId('t1', 'c1'))?.name).toBe('First');
    // ... is seen once the TTL has passed.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await cached.apps.findByClientId('t1', 'c1'))?.name).toBe('Second');
  });

  it('drops what it holds for a tenant when that tenant changes an app or API resource through it', async () => {
    const { cached } = await stores(60_000);
    expect(await cached.apps.findByClientId('t1', 'c2')).toBeNull(); // a miss is remembered too ...
    await cached.apps.create(app('t1', 'c2', 'New'));
    expect((await cached.apps.findByClientId('t1', 'c2'))?.name).toBe('New'); // ... until a write
    await cached.apps.update('t1', 'app_c2', { name: 'Renamed' }, 3);
    expect((await cached.apps.findByClientId('t1', 'c2'))?.name).toBe('Renamed');
    await cached.apps.delete('t1', 'app_c2');
    expect(await cached.apps.findByClientId('t1', 'c2')).toBeNull();

    const resource = { id: 'api_1', tenantId: 't1', identifier: 'https://api.example/x', name: 'X', scopes: [], accessTokenFormat: 'jwt' as const, accessTokenTtlSeconds: 600, createdAt: 1, updatedAt: 1 };
    expect(await cached.apiResources.findByIdentifier('t1', resource.identifier)).toBeNull();
    await cached.apiResources.create(resource);
    expect((await cached.apiResources.findByIdentifier('t1', resource.identifier))?.name).toBe('X');
    await cached.apiResources.update('t1', 'api_1', { accessTokenFormat: 'opaque' }, 2);
    expect((await cached.apiResources.findByIdentifier('t1', resource.identifier))?.accessTokenFormat).toBe('opaque');
    await cached.apiResources.delete('t1', 'api_1');
    expect(await cached.apiResources.findByIdentifier('t1', resource.identifier)).toBeNull();
  });

  it('serves a tenant from memory until the TTL, and at once anew after a change through it', async () => {
    const { raw, cached } = await stores(60_000);
    expect((await cached.tenants.get('t1'))?.name).toBe('T1');
    await raw.tenants.update('t1', { name: 'Elsewhere' }, 2); // another node's write: not seen yet
    expect((await cached.tenants.get('t1'))?.name).toBe('T1');
    await cached.tenants.update('t1', { settings: { mfa: 'required' } }, 3);
    expect(await cached.tenants.get('t1')).toMatchObject({ name: 'Elsewhere', settings: { mfa: 'required' } });
    expect(await cached.tenants.get('t2')).toBeNull();
    await cached.tenants.create({ id: 't2', name: 'T2', branding: {}, settings: {}, createdAt: 4, updatedAt: 4 });
    expect((await cached.tenants.get('t2'))?.name).toBe('T2');
    await cached.tenants.delete('t2');
    expect(await cached.tenants.get('t2')).toBeNull();
  });

  it('does not keep a value read while a write to the same tenant was happening', async () => {
    const { raw, cached } = await stores(60_000);
    await raw.apps.create(app('t1', 'c3', 'Before'));
    const slowRead = cached.apps.findByClientId('t1', 'c3'); // starts reading "Before"
    await cached.apps.update('t1', 'app_c3', { name: 'After' }, 2);
    await slowRead;
    expect((await cached.apps.findByClientId('t1', 'c3'))?.name).toBe('After');
  });
});

describe('withStatementCache', () => {
  it('compiles each SQL text once and hands the same statement back, keeping at most `size`', () => {
    const sqlite = new BetterSqlite3(':memory:');
    let compiled = 0;
    const counting = Object.assign(Object.create(sqlite) as BetterSqlite3.Database, {
      prepare: (sql: string) => {
        compiled += 1;
        return sqlite.prepare(sql);
      },
    });
    const cache = withStatementCache(counting, 2);
    const first = cache.prepare('select 1');
    expect(cache.prepare('select 1')).toBe(first);
    expect(compiled).toBe(1);
    cache.prepare('select 2');
    cache.prepare('select 1'); // most recently used again
    cache.prepare('select 3'); // evicts "select 2", the least recently used
    expect(compiled).toBe(3);
    cache.prepare('select 1');
    expect(compiled).toBe(3);
    cache.prepare('select 2');
    expect(compiled).toBe(4);
    expect((cache.prepare('select 1 as one').all([]) as { one: number }[])[0]?.one).toBe(1);
    cache.close();
  });
});
