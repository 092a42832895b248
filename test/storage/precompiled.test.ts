// Queries compiled once and run again with other values (repositories/rows.ts `precompiled`): the
// values land where the placeholders were, constants stay, a placeholder used twice is filled twice,
// inside a transaction too; a query that does not keep each placeholder as a whole value fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/secrets.ts';
import { precompiled } from '../../src/storage/repositories/rows.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(engines)('precompiled queries (%s)', (engine) => {
  let server: TestServer;
  const ids: string[] = [];
  beforeAll(async () => {
    server = await startTestServer(engine);
    const now = Date.now();
    for (const [i, status] of (['active', 'disabled', 'active'] as const).entries()) {
      const id = newId('usr');
      ids.push(id);
      await server.services.store.users.create({ id, tenantId: 'demo', status, email: `pre${i}.${engine}@example.com`, emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null });
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs with each call’s values, keeps constants, and fills a placeholder used twice', async () => {
    const { db } = server.services;
    const activeById = precompiled(db, 2, (tenantId: string, id: string) =>
      db.selectFrom('users').select(['id', 'status']).where('tenant_id', '=', tenantId).where('status', '=', 'active').where('id', 'in', db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('id', '=', id)),
    );
    expect(await activeById('demo', ids[0]!)).toEqual([{ id: ids[0], status: 'active' }]);
    expect(await activeById('demo', ids[1]!)).toEqual([]); // disabled: the constant still applies
    expect(await activeById('demo', ids[2]!)).toEqual([{ id: ids[2], status: 'active' }]);
    expect(await activeById('other', ids[2]!)).toEqual([]);
    // In a transaction, compiled for it.
    await db.transaction().execute(async (trx) => {
      const byId = precompiled(trx, 1, (id: string) => trx.selectFrom('users').select('id').where('id', '=', id));
      expect(await byId(ids[1]!)).toEqual([{ id: ids[1] }]);
    });
  });

  it('refuses a query that does not keep each placeholder as a whole value', async () => {
    const { db } = server.services;
    const inside = precompiled(db, 1, (prefix: string) => db.selectFrom('users').select('id').where('id', 'like', `${prefix}%`));
    await expect(inside('usr')).rejects.toThrow('a placeholder used inside a value');
    const unused = precompiled(db, 2, (tenantId: string, _id: string) => db.selectFrom('users').select('id').where('tenant_id', '=', tenantId));
    await expect(unused('demo', ids[0]!)).rejects.toThrow('a placeholder missing from the query');
  });
});
