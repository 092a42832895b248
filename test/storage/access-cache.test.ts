// The per-node cache of who holds which role: a change made through this node counts at once;
// one made through another node (another service over the same database) within a second; and
// the account itself (plan, status, profile) is read fresh for every decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessService } from '../../src/core/authz/access.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import type { ApiResource, Role, Store, Tenant, User } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import { createTestStore } from '../support/store.ts';

const API = 'https://api.example';

describe('access cache across nodes', () => {
  let store: Store;
  let tenant: Tenant;
  let user: User;
  let role: Role;
  let now = 1_800_000_000_000;
  const clock = { now: () => now };

  beforeAll(async () => {
    const { db, engine } = openDatabase({ engine: 'sqlite', file: ':memory:' });
    await migrateToLatest(db, engine);
    store = await createTestStore(db);
    tenant = { id: 't1', name: 'T1', branding: {}, settings: { plans: { gold: { roles: ['reader'] } } }, createdAt: now, updatedAt: now };
    await store.tenants.create(tenant);
    const resource: ApiResource = { id: newId('api'), tenantId: 't1', identifier: API, name: 'API', scopes: [{ name: 'read', description: '' }], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 600, createdAt: now, updatedAt: now };
    await store.apiResources.create(resource);
    role = { id: newId('rol'), tenantId: 't1', name: 'reader', description: '', permissions: [{ api: API, permission: 'read' }], createdAt: now, updatedAt: now };
    await store.authorization.createRole(role);
    user = { id: newId('usr'), tenantId: 't1', status: 'active', email: 'a@example.com', emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await store.users.create(user);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('applies a change from this node at once and from another within a second', async () => {
    const nodeA = createAccessService({ store, clock });
    const nodeB = createAccessService({ store, clock });
    const allowed = async (node: typeof nodeA) => (await node.check(tenant, { subject: user.id, action: 'read' })).allowed;
    expect([await allowed(nodeA), await allowed(nodeB)]).toEqual([false, false]);

    // Node B gives the role (and drops its own cache, as the admin operations do).
    await store.authorization.addUserRole('t1', user.id, role.id, 'admin', now);
    nodeB.invalidate('t1');
    expect(await allowed(nodeB)).toBe(true);
    expect(await allowed(nodeA)).toBe(false); // still within its second
    now += 1001;
    expect(await allowed(nodeA)).toBe(true);

    await store.authorization.removeUserRole('t1', user.id, role.id);
    nodeA.invalidate('t1');
    expect(await allowed(nodeA)).toBe(false);
  });

  it('reads the account fresh: a plan or a disabled account counts at once on every node', async () => {
    const node = createAccessService({ store, clock });
    expect((await node.check(tenant, { subject: user.id, action: 'read' })).allowed).toBe(false);
    await store.users.update('t1', user.id, { plan: 'gold' }, now);
    expect(await node.check(tenant, { subject: user.id, action: 'read' })).toEqual({ allowed: true, reason: 'granted by role reader', role: 'reader' });
    await store.users.update('t1', user.id, { status: 'disabled' }, now);
    expect(await node.check(tenant, { subject: user.id, action: 'read' })).toEqual({ allowed: false, reason: 'the account is disabled' });
    expect(await node.tokenScopes(tenant, user.id, API, {})).toEqual(new Set());
  });
});
