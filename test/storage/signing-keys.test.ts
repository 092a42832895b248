// OIDC signing keys on both engines: creation under concurrency, JWKS order, two-step rotation with
// a retention window on a fake clock, sealing at rest (tenant and kid bound), the master key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/core/audit/audit-log.ts';
import { cliContext } from '../../src/core/context.ts';
import { FrontdoorError } from '../../src/core/errors.ts';
import { createSigningKeyService, SigningKeyUnreadableError, type SigningKeyService } from '../../src/core/keys/signing-keys.ts';
import type { Clock, SigningKey, Store } from '../../src/core/ports.ts';
import { openDatabase, type DatabaseLocation } from '../../src/storage/database.ts';
import { createTestStore } from '../support/store.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import { isUniqueViolation } from '../../src/storage/repositories/rows.ts';
import type { Database } from '../../src/storage/schema.ts';
import { createPostgresDatabase, engines } from '../support/engines.ts';

const LIFETIME_SECONDS = 3600;
const START = 1_700_000_000_000;

describe.each(engines)('signing keys (%s)', (engine) => {
  let location: DatabaseLocation;
  let db: Kysely<Database>;
  let store: Store;
  let cleanup: () => Promise<void>;
  let now = START;
  const clock: Clock = { now: () => now };
  const rootKey = randomBytes(32);
  const masterKey = randomBytes(32);
  let keys: SigningKeyService;

  beforeAll(async () => {
    if (engine === 'postgres') {
      const pgDb = await createPostgresDatabase();
      location = { engine: 'postgres', url: pgDb.url, poolSize: 10 };
      cleanup = pgDb.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'frontdoor-keys-'));
      location = { engine: 'sqlite', file: join(dir, 'frontdoor.sqlite') };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const opened = openDatabase(location);
    db = opened.db;
    await migrateToLatest(db, opened.engine);
    store = await createTestStore(db, masterKey);
    keys = createSigningKeyService({ store, clock, rootKey, maxTokenLifetimeSeconds: LIFETIME_SECONDS });
  });
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  async function tenant(id: string) {
    await store.tenants.create({ id, name: id, branding: {}, settings: {}, createdAt: now, updatedAt: now });
    return id;
  }

  const byStatus = (list: SigningKey[], status: SigningKey['status'], alg: SigningKey['alg']) => list.filter((k) => k.status === status && k.alg === alg);

  function expectFullSet(list: SigningKey[]) {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
      expect(byStatus(list, 'active', alg), `active ${alg}`).toHaveLength(1);
      expect(byStatus(list, 'next', alg), `next ${alg}`).toHaveLength(1);
    }
  }

  it('creates an active and a next key per alg, and a second call changes nothing', async () => {
    const t = await tenant(`ensure-${engine}`);
    const created = await keys.ensureKeys(t);
    expect(created).toHaveLength(6);
    const first = await store.signingKeys.list(t);
    expectFullSet(first);
    expect(first).toHaveLength(6);
    const version = await keys.version(t);

    expect(await keys.ensureKeys(t)).toEqual([]);
    expect((await store.signingKeys.list(t)).map((k) => k.id).sort()).toEqual(first.map((k) => k.id).sort());
    expect(await keys.version(t)).toBe(version);
  });

  it('ends with exactly one active and one next key per alg when several callers ensure keys at once', async () => {
    const t = await tenant(`race-${engine}`);
    const results = await Promise.all(Array.from({ length: 6 }, () => keys.ensureKeys(t)));
    expect(results.flat()).toHaveLength(6);
    const list = await store.signingKeys.list(t);
    expect(list).toHaveLength(6);
    expectFullSet(list);
  });

  it.runIf(engine === 'postgres')('ends with one set when two nodes (separate connection pools) ensure keys at once', async () => {
    const t = await tenant(`nodes-${engine}`);
    const other = openDatabase(location);
    const otherStore = await createTestStore(other.db, masterKey);
    try {
      const otherNode = createSigningKeyService({ store: otherStore, clock, rootKey, maxTokenLifetimeSeconds: LIFETIME_SECONDS });
      await Promise.all([keys.ensureKeys(t), otherNode.ensureKeys(t), keys.ensureKeys(t), otherNode.ensureKeys(t)]);
      const list = await store.signingKeys.list(t);
      expect(list).toHaveLength(6);
      expectFullSet(list);
      expect(await otherNode.version(t)).toBe(await keys.version(t));
    } finally {
      await otherStore.close();
    }
  });

  it('refuses a second active or next key of one alg in the database itself', async () => {
    const t = await tenant(`unique-${engine}`);
    await keys.ensureKeys(t);
    const [existing] = byStatus(await store.signingKeys.list(t), 'active', 'ES256');
    if (!existing) throw new Error('no active key');
    for (const status of ['active', 'next'] as const) {
      const error = await store.signingKeys.create({ ...existing, id: `dup-${status}-${engine}`, status }).catch((e: unknown) => e);
      expect(isUniqueViolation(error), `second ${status}`).toBe(true);
    }
    // Retired keys have no such limit.
    await store.signingKeys.create({ ...existing, id: `dup-retired-${engine}`, status: 'retired', retireAfter: now + 1000 });
  });

  it('publishes active keys first, then next, then retired; every key carries kid, alg and use and can sign', async () => {
    const t = await tenant(`order-${engine}`);
    await keys.ensureKeys(t);
    const rotation = await keys.rotate(t);
    const { keys: jwks } = await keys.jwks(t);
    const stored = await store.signingKeys.list(t);
    const rowOf = (jwk: JWK) => stored.find((k) => k.id === jwk.kid);
    expect(jwks.map((k) => [k.alg, rowOf(k)?.status])).toEqual([
      ['ES256', 'active'],
      ['EdDSA', 'active'],
      ['RS256', 'active'],
      ['ES256', 'next'],
      ['EdDSA', 'next'],
      ['RS256', 'next'],
      ['ES256', 'retired'],
    ]);
    // oidc-provider signs with the first key of an alg: the active one.
    expect(jwks.find((k) => k.alg === 'ES256')?.kid).toBe(rotation.active);
    for (const jwk of jwks) {
      expect(jwk.use).toBe('sig');
      expect(jwk.d).toEqual(expect.any(String));
      const row = rowOf(jwk);
      expect(row?.alg).toBe(jwk.alg);
      // The private key belongs to the public key stored (and listed) under its kid.
      const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: jwk.alg ?? '', kid: jwk.kid ?? '' }).sign(await importJWK(jwk));
      await expect(jwtVerify(jwt, await importJWK(row?.publicJwk as JWK, jwk.alg))).resolves.toBeTruthy();
    }
  });

  it('rotates in two steps: the new active key was published as next; the retired one stays until retire_after', async () => {
    const t = await tenant(`rotate-${engine}`);
    await keys.ensureKeys(t);
    const before = await store.signingKeys.list(t);
    const [oldActive] = byStatus(before, 'active', 'ES256');
    const [oldNext] = byStatus(before, 'next', 'ES256');
    const publishedBefore = (await keys.jwks(t)).keys.map((k) => k.kid);
    expect(publishedBefore).toContain(oldNext?.id);
    const v0 = await keys.version(t);

    now += 1000;
    const r = await keys.rotate(t, 'ES256', cliContext);
    expect(r).toEqual({ alg: 'ES256', active: oldNext?.id, retired: oldActive?.id, retireAfter: now + LIFETIME_SECONDS * 1000, next: expect.any(String) });
    expect(publishedBefore).not.toContain(r.next);
    const after = await store.signingKeys.list(t);
    expectFullSet(after);
    expect(after.find((k) => k.id === r.active)).toMatchObject({ status: 'active', activatedAt: now });
    expect(after.find((k) => k.id === r.retired)).toMatchObject({ status: 'retired', retireAfter: r.retireAfter });
    // Other algs are untouched.
    expect(byStatus(after, 'active', 'RS256')[0]?.id).toBe(byStatus(before, 'active', 'RS256')[0]?.id);
    const v1 = await keys.version(t);
    expect(v1).not.toBe(v0);

    // Still published (tokens it signed must verify) until retire_after…
    now = r.retireAfter - 1;
    expect((await keys.jwks(t)).keys.map((k) => k.kid)).toContain(r.retired);
    expect(await keys.version(t)).toBe(v1);
    // …and gone from the JWKS, and the version, once it has passed, before any row changes.
    now = r.retireAfter;
    const published = (await keys.jwks(t)).keys.map((k) => k.kid);
    expect(published).not.toContain(r.retired);
    expect(published).toHaveLength(6);
    expect(await keys.version(t)).not.toBe(v1);
    // The next ensure or rotation deletes it.
    await keys.ensureKeys(t);
    expect((await store.signingKeys.list(t)).map((k) => k.id)).not.toContain(r.retired);

    const audit = await store.audit.query({ tenantId: t, action: 'keys.rotated', limit: 10 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: 'cli', subject: r.active, result: 'success', details: { alg: 'ES256', activated: r.active, retired: r.retired, next: r.next } });
    // Without a request context nothing is audited.
    await keys.rotate(t, 'EdDSA');
    expect((await store.audit.query({ tenantId: t, action: 'keys.rotated', limit: 10 })).items).toHaveLength(1);
  });

  it('serializes concurrent rotations: each one promotes the next key the previous one created', async () => {
    const t = await tenant(`rotate-race-${engine}`);
    await keys.ensureKeys(t);
    const results = await Promise.all(Array.from({ length: 4 }, () => keys.rotate(t)));
    const list = await store.signingKeys.list(t);
    expectFullSet(list);
    expect(byStatus(list, 'retired', 'ES256')).toHaveLength(4);
    const retired = new Set(results.map((r) => r.retired));
    expect(retired.size).toBe(4);
    // A chain: every key activated by one rotation was retired by another, except the last one.
    const actives = results.map((r) => r.active);
    expect(actives.filter((kid) => !retired.has(kid))).toEqual([byStatus(list, 'active', 'ES256')[0]?.id]);
  });

  it('keeps the private key out of the database in clear', async () => {
    const t = await tenant(`sealed-${engine}`);
    await keys.ensureKeys(t);
    const { keys: jwks } = await keys.jwks(t);
    const rows = await db.selectFrom('signing_keys').select(['id', 'private_jwk', 'public_jwk']).where('tenant_id', '=', t).execute();
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const d = jwks.find((k) => k.kid === row.id)?.d;
      expect(d).toEqual(expect.any(String));
      expect(row.private_jwk).not.toContain(d);
      expect(row.private_jwk).not.toContain('"d"');
      expect(row.private_jwk).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.parse(row.public_jwk)).not.toHaveProperty('d');
    }
  });

  it('does not open a sealed key moved to another tenant or another kid', async () => {
    const a = await tenant(`moved-a-${engine}`);
    const b = await tenant(`moved-b-${engine}`);
    await keys.ensureKeys(a);
    await keys.ensureKeys(b);
    const { retired } = await keys.rotate(a);
    await expect(keys.jwks(b)).resolves.toBeTruthy();

    // The whole row, kid and all, moved to tenant b.
    await db.updateTable('signing_keys').set({ tenant_id: b }).where('id', '=', retired).execute();
    const moved = await keys.jwks(b).catch((e: unknown) => e);
    expect(moved).toBeInstanceOf(SigningKeyUnreadableError);
    await db.updateTable('signing_keys').set({ tenant_id: a }).where('id', '=', retired).execute();
    await expect(keys.jwks(a)).resolves.toBeTruthy();
    await expect(keys.jwks(b)).resolves.toBeTruthy();

    // Tenant a's sealed key pasted into a row of the same tenant under another kid.
    const [target] = byStatus(await store.signingKeys.list(a), 'next', 'EdDSA');
    const source = await db.selectFrom('signing_keys').select('private_jwk').where('id', '=', retired).executeTakeFirstOrThrow();
    await db.updateTable('signing_keys').set({ private_jwk: source.private_jwk }).where('id', '=', target?.id ?? '').execute();
    expect(await keys.jwks(a).catch((e: unknown) => e)).toBeInstanceOf(SigningKeyUnreadableError);
  });

  it('does not open the keys with another master key', async () => {
    const t = await tenant(`master-${engine}`);
    await keys.ensureKeys(t);
    const otherMaster = createSigningKeyService({ store, clock, rootKey: randomBytes(32), maxTokenLifetimeSeconds: LIFETIME_SECONDS });
    const error = await otherMaster.jwks(t).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningKeyUnreadableError);
    expect(String((error as Error).message)).not.toMatch(/"d"/);
    await expect(keys.jwks(t)).resolves.toMatchObject({ keys: expect.any(Array) });
  });

  it('answers an unknown tenant with tenant.not_found and deletes the keys with their tenant', async () => {
    for (const work of [() => keys.ensureKeys('nope'), () => keys.rotate('nope')]) {
      const error = await work().catch((e: unknown) => e);
      expect((error as FrontdoorError).code).toBe('tenant.not_found');
    }
    const t = await tenant(`cascade-${engine}`);
    await keys.ensureKeys(t);
    await store.tenants.delete(t);
    expect(await store.signingKeys.list(t)).toEqual([]);
  });

  it('audits through the given audit log', async () => {
    const t = await tenant(`audit-${engine}`);
    const audit = createAuditLog({ store, clock });
    const audited = createSigningKeyService({ store, clock, rootKey, maxTokenLifetimeSeconds: LIFETIME_SECONDS, audit });
    const r = await audited.rotate(t, 'RS256', { ...cliContext, actor: 'admin:adm_1', requestId: 'req-1' });
    const events = (await store.audit.query({ tenantId: t, limit: 10 })).items;
    expect(events.map((e) => [e.action, e.actor, e.requestId, e.subject])).toEqual([['keys.rotated', 'admin:adm_1', 'req-1', r.active]]);
  });
});
