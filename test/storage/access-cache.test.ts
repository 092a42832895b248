// The per-node cache of what decisions read (the account, the roles it holds), with the clocks
// stopped so that nothing ages out by itself: a change made through this node counts at once; one
// made by another process over the same database (another node, the CLI) once this node has read
// the change log; a write that bypasses storage is kept up to the long bound, but after a break in
// reading the log only a second. Both engines, each "process" its own connection and store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessService, KEPT_MS, type AccessService } from '../../src/core/authz/access.ts';
import type { ApiResource, Role, Store, Tenant, User } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import type { AccessChangeLog } from '../../src/storage/access-changes.ts';
import { openDatabase, type DatabaseLocation } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import type { Database } from '../../src/storage/schema.ts';
import { createPostgresDatabase, engines } from '../support/engines.ts';
import { createTestStore } from '../support/store.ts';

const API = 'https://api.example';

describe.each(engines)('decision cache and the change log (%s)', (engine) => {
  const masterKey = randomBytes(32);
  const cleanups: (() => Promise<void> | void)[] = [];
  let location: DatabaseLocation;
  let here: Store;
  let elsewhere: Store;
  let raw: Kysely<Database>;
  let tenant: Tenant;
  let role: Role;
  let now = 1_800_000_000_000;
  const clock = { now: () => now };

  async function openStore(): Promise<Store> {
    const { db } = openDatabase(location);
    const store = await createTestStore(db, masterKey);
    cleanups.push(() => store.close());
    return store;
  }

  beforeAll(async () => {
    if (engine === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'fd-access-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      location = { engine: 'sqlite', file: join(dir, 'frontdoor.db') };
    } else {
      const database = await createPostgresDatabase();
      cleanups.push(database.drop);
      location = { engine: 'postgres', url: database.url };
    }
    const opened = openDatabase(location);
    raw = opened.db;
    await migrateToLatest(raw, opened.engine);
    here = await openStore();
    elsewhere = await openStore();
    tenant = { id: 't1', name: 'T1', branding: {}, settings: { plans: { gold: { roles: ['reader'] } } }, createdAt: now, updatedAt: now };
    await here.tenants.create(tenant);
    const resource: ApiResource = { id: newId('api'), tenantId: 't1', identifier: API, name: 'API', scopes: [{ name: 'read', description: '' }], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 600, createdAt: now, updatedAt: now };
    await here.apiResources.create(resource);
    role = { id: newId('rol'), tenantId: 't1', name: 'reader', description: '', permissions: [{ api: API, permission: 'read', condition: { eq: [{ var: 'user.tier' }, 'a'] } }], createdAt: now, updatedAt: now };
    await here.authorization.createRole(role);
  });
  afterAll(async () => {
    await raw?.destroy();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function newUser(): Promise<User> {
    const user: User = { id: newId('usr'), tenantId: 't1', status: 'active', email: `${newId('m')}@example.com`, emailVerified: true, profile: { tier: 'a' }, createdAt: now, updatedAt: now, lastLoginAt: null };
    await here.users.create(user);
    return user;
  }
  const allowed = async (node: AccessService, user: User) => (await node.check(tenant, { subject: user.id, action: 'read' })).allowed;
  /** This process reads the change log now (its timer would within 250 ms). */
  const readLog = (store: Store) => (store.accessChanges as AccessChangeLog).poll();

  it('counts a change made through this node at once: a role, a plan, a profile attribute, a disabled account', async () => {
    const node = createAccessService({ store: here, clock });
    const user = await newUser();
    await readLog(here);
    expect(await allowed(node, user)).toBe(false);
    await here.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    expect(await allowed(node, user)).toBe(true);
    await here.authorization.removeUserRole('t1', user.id, role.id);
    expect(await allowed(node, user)).toBe(false);
    await here.users.update('t1', user.id, { plan: 'gold' }, now);
    expect(await allowed(node, user)).toBe(true);
    await here.users.update('t1', user.id, { profile: { tier: 'b' } }, now);
    expect(await node.check(tenant, { subject: user.id, action: 'read' })).toMatchObject({ allowed: false, reason: 'the condition of role reader is not met' });
    await here.users.update('t1', user.id, { profile: { tier: 'a' } }, now);
    expect(await allowed(node, user)).toBe(true);
    // Inside a transaction: counted once it commits; a rolled-back one changes nothing.
    await expect(
      here.transaction(async (tx) => {
        await tx.users.update('t1', user.id, { status: 'disabled' }, now);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await allowed(node, user)).toBe(true);
    await here.transaction((tx) => tx.users.update('t1', user.id, { status: 'disabled' }, now));
    expect(await node.check(tenant, { subject: user.id, action: 'read' })).toEqual({ allowed: false, reason: 'the account is disabled' });
    expect(await node.tokenScopes(tenant, user.id, API, {})).toEqual(new Set());
  });

  it('counts a change another process made once this one has read the change log', async () => {
    const node = createAccessService({ store: here, clock });
    const user = await newUser();
    await readLog(here);
    expect(await allowed(node, user)).toBe(false);

    await elsewhere.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    expect(await allowed(node, user)).toBe(false); // kept: the clock stands still
    await readLog(here);
    expect(await allowed(node, user)).toBe(true);

    await elsewhere.users.update('t1', user.id, { status: 'disabled' }, now);
    await readLog(here);
    expect(await allowed(node, user)).toBe(false);
    await elsewhere.users.update('t1', user.id, { status: 'active' }, now);

    // A tenant-wide change (a role's permissions), and a deletion.
    await readLog(here);
    expect(await allowed(node, user)).toBe(true);
    await elsewhere.authorization.updateRole('t1', role.id, { permissions: [{ api: API, permission: 'read', condition: { eq: [{ var: 'user.tier' }, 'z'] } }] }, now);
    // The role list itself is kept a second: let it age so only the held roles' entry is tested.
    now += 1001;
    await readLog(here);
    expect(await allowed(node, user)).toBe(false);
    await elsewhere.authorization.updateRole('t1', role.id, { permissions: role.permissions }, now);
    now += 1001;
    await readLog(here);
    expect(await allowed(node, user)).toBe(true);
    await elsewhere.users.delete('t1', user.id);
    await readLog(here);
    expect(await node.check(tenant, { subject: user.id, action: 'read' })).toEqual({ allowed: false, reason: 'no such user' });
  });

  it('keeps what bypassed storage up to the long bound, but after a break in reading the log only a second', async () => {
    const node = createAccessService({ store: here, clock });
    const user = await newUser();
    await readLog(here);
    expect(await allowed(node, user)).toBe(false);
    // A direct edit of the database: no change row, so no node hears of it.
    await raw.insertInto('user_roles').values({ tenant_id: 't1', user_id: user.id, role_id: role.id, source: 'admin', created_at: now }).execute();
    now += 1001;
    expect(await allowed(node, user)).toBe(false);
    now += KEPT_MS;
    expect(await allowed(node, user)).toBe(true);

    // Now cached again; then the log cannot be read for a moment: what was cached before is no longer vouched for.
    await raw.deleteFrom('user_roles').where('user_id', '=', user.id).execute();
    expect(await allowed(node, user)).toBe(true);
    await sql`alter table access_changes rename to access_changes_away`.execute(raw);
    try {
      await readLog(here);
      expect(here.accessChanges.coverage()).toBeNull();
    } finally {
      await sql`alter table access_changes_away rename to access_changes`.execute(raw);
    }
    await readLog(here);
    expect(here.accessChanges.coverage()).not.toBeNull();
    now += 1001;
    expect(await allowed(node, user)).toBe(false);
  });
});
