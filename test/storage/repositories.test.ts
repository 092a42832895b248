// Repository behaviour that both engines must share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newId, randomToken } from '../../src/core/secrets.ts';
import { FrontdoorError } from '../../src/core/errors.ts';
import { engines } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sweepExpired } from '../../src/storage/expiry-sweep.ts';

describe.each(engines)('storage (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function user(email: string) {
    const now = Date.now();
    const u = { id: newId('usr'), tenantId: 'demo', status: 'active' as const, email, emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await server.services.store.users.create(u);
    return u;
  }

  it('consumes a link token once, even when two redemptions race', async () => {
    const { store } = server.services;
    const u = await user(`race.${engine}@example.com`);
    const token = randomToken();
    const now = Date.now();
    await store.actionTokens.create({ tokenHash: hashToken(token), tenantId: 'demo', userId: u.id, purpose: 'reset_password', createdAt: now, expiresAt: now + 60_000, consumedAt: null, payload: null });
    const results = await Promise.all(Array.from({ length: 8 }, () => store.actionTokens.consume('demo', hashToken(token), 'reset_password', Date.now())));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    // Wrong purpose or tenant never matches.
    expect(await store.actionTokens.findLive('other', hashToken(token), 'reset_password', Date.now())).toBeNull();
  });

  it('rejects a second user with the same normalized email in a tenant as user.exists', async () => {
    await user(`dup.${engine}@example.com`);
    const error = await user(`dup.${engine}@example.com`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrontdoorError);
    expect((error as FrontdoorError).code).toBe('user.exists');
  });

  it('rolls a transaction back when its work throws', async () => {
    const { store } = server.services;
    const email = `rollback.${engine}@example.com`;
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create({ id: newId('usr'), tenantId: 'demo', status: 'active', email, emailVerified: false, profile: {}, createdAt: 1, updatedAt: 1, lastLoginAt: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.users.findByEmail('demo', email)).toBeNull();
  });

  it('refuses a cursor it did not issue', async () => {
    const error = await server.services.store.users.list({ tenantId: 'demo', limit: 10, cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    expect((error as FrontdoorError).code).toBe('request.invalid');
  });

  it('finds a user by whole address through the blind index, never by a part of it', async () => {
    const created = await user(`whole_${engine}@example.com`);
    const page = await server.services.store.users.list({ tenantId: 'demo', email: `whole_${engine}@example.com`, limit: 10 });
    expect(page.items.map((u) => u.id)).toEqual([created.id]);
    expect((await server.services.store.users.list({ tenantId: 'demo', email: `whole_${engine}`, limit: 10 })).items).toEqual([]);
    expect((await server.services.store.users.findByEmail('demo', `whole_${engine}@example.com`))?.id).toBe(created.id);
  });

  it('treats a key holding a NUL character as a miss, not an error (PostgreSQL text cannot hold NUL)', async () => {
    const { store } = server.services;
    const nul = 'demo\u0000';
    expect(await store.tenants.get(nul)).toBeNull();
    expect(await store.users.get('demo', `usr_\u0000`)).toBeNull();
    expect(await store.users.findByEmail('demo', `a\u0000@example.com`)).toBeNull();
    expect(await store.apps.findByClientId('demo', '\u0000')).toBeNull();
    expect(await store.apiResources.findByIdentifier('demo', 'https://api.example/\u0000')).toBeNull();
  });

  it('sweeps expired sessions, second-factor sign-ins and used WebAuthn challenges, and keeps live ones', async () => {
    const { store } = server.services;
    const u = await user(`sweep.${engine}@example.com`);
    const now = Date.now();
    const flow = (id: string, expiresAt: number) => ({ id, tenantId: 'demo', userId: u.id, tokenHash: hashToken(id), amr: ['pwd'], returnTo: null, requiredAcr: null, attempts: 0, createdAt: now - 1000, expiresAt });
    await store.signInFlows.create(flow(newId('flw'), now - 1));
    const live = newId('flw');
    await store.signInFlows.create(flow(live, now + 60_000));
    expect(await store.webauthnChallenges.markUsed('demo', `old-${engine}`, now - 1)).toBe(true);
    expect(await store.webauthnChallenges.markUsed('demo', `new-${engine}`, now + 60_000)).toBe(true);
    const result = await sweepExpired(store, now);
    expect(result.signInFlows).toBeGreaterThanOrEqual(1);
    expect(result.webauthnChallenges).toBeGreaterThanOrEqual(1);
    expect(await store.signInFlows.findByTokenHash('demo', hashToken(live), now)).not.toBeNull();
    // A used challenge stays used until it expires: marking it again still fails.
    expect(await store.webauthnChallenges.markUsed('demo', `new-${engine}`, now + 60_000)).toBe(false);
    expect(await store.webauthnChallenges.markUsed('demo', `old-${engine}`, now + 60_000)).toBe(true);
  });
});
