// Retention per tenant, on both engines, with our clock: registrations never confirmed go after 30
// days; with a rule for unused accounts the owner is warned once (even with two nodes at it) and
// the account goes when the warning has run out, unless they signed in; risk assessments and
// sign-in history are kept as long as each tenant says; audit rows too, from the start of the chain,
// which still verifies (in the database and exported) and still catches rows removed behind its back.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/core/audit/audit-chain.ts';
import { publicSigningKeys } from '../../src/core/audit/audit-checkpoint.ts';
import { exportAuditLog, verifyAuditExport } from '../../src/core/audit/audit-export.ts';
import { cliContext } from '../../src/core/context.ts';
import type { RiskEvent, User } from '../../src/core/ports.ts';
import { applyRetention } from '../../src/core/retention/retention.ts';
import { newId } from '../../src/core/secrets.ts';
import { engines } from '../support/engines.ts';
import { setTenantSettings, startTestServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;

describe.each(engines)('retention (%s)', (engine) => {
  let server: TestServer;
  let now = Date.now();
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer(engine, { services: { clock: { now: () => now } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function tenant(settings: Record<string, unknown> = {}) {
    const id = `keep-${++seq}`;
    await server.services.store.tenants.create({ id, name: id, branding: {}, settings: {}, createdAt: now, updatedAt: now });
    if (Object.keys(settings).length) await setTenantSettings(server, settings, id);
    return (await server.services.store.tenants.get(id))!;
  }
  async function account(tenantId: string, fields: Partial<User>): Promise<User> {
    const user: User = { id: newId('usr'), tenantId, status: 'active', email: `${newId('m').toLowerCase()}@example.com`, emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null, ...fields };
    await server.services.store.users.create(user);
    return user;
  }
  const exists = async (user: User) => (await server.services.store.users.get(user.tenantId, user.id)) !== null;
  const run = async (tenantId: string) => applyRetention({ ...server.services.flows, auditChain: server.services.auditChain }, (await server.services.store.tenants.get(tenantId))!, cliContext);

  it('deletes registrations never confirmed after 30 days by default, or as the tenant says', async () => {
    const t = await tenant();
    const old = await account(t.id, { status: 'pending', emailVerified: false, createdAt: now - 31 * DAY });
    const recent = await account(t.id, { status: 'pending', emailVerified: false, createdAt: now - 29 * DAY });
    const confirmedLongAgo = await account(t.id, { createdAt: now - 400 * DAY, lastLoginAt: now - 1 * DAY });
    expect((await run(t.id)).unverifiedDeleted).toBe(1);
    expect([await exists(old), await exists(recent), await exists(confirmedLongAgo)]).toEqual([false, true, true]);
    const erased = (await server.services.store.audit.query({ tenantId: t.id, subject: old.id, limit: 5 })).items;
    expect(erased).toEqual([expect.objectContaining({ action: 'user.erased', details: { reason: 'retention_unverified' } })]);

    const strict = await tenant({ retention: { unverified_account_days: 7 } });
    const week = await account(strict.id, { status: 'pending', emailVerified: false, createdAt: now - 8 * DAY });
    await run(strict.id);
    expect(await exists(week)).toBe(false);
  });

  it('warns the owner of an unused account once, then deletes it unless they signed in', async () => {
    const t = await tenant({ retention: { inactive_account_days: 365, inactive_warning_days: 14 } });
    const idle = await account(t.id, { lastLoginAt: now - 360 * DAY });
    const returning = await account(t.id, { lastLoginAt: now - 356 * DAY });
    const busy = await account(t.id, { lastLoginAt: now - 100 * DAY });

    // Two nodes at once: one warning each.
    const [a, b] = await Promise.all([run(t.id), run(t.id)]);
    expect(a.inactiveWarned + b.inactiveWarned).toBe(2);
    const [mail, ...more] = await server.mailTo(idle.email);
    expect(more).toEqual([]);
    expect(mail!.subject).toContain('will be deleted unless you use it');
    expect(mail!.text).toContain(`/t/${t.id}/login`);
    expect(mail!.text).toContain(new Date(now + 14 * DAY).toISOString().slice(0, 10));
    expect(await server.mailTo(busy.email)).toEqual([]);

    // The warned owner of `returning` signs in meanwhile.
    now += 7 * DAY;
    await server.services.store.users.update(t.id, returning.id, { lastLoginAt: now }, now);
    expect((await run(t.id)).inactiveDeleted).toBe(0);
    now += 8 * DAY;
    expect((await run(t.id)).inactiveDeleted).toBe(1);
    expect([await exists(idle), await exists(returning), await exists(busy)]).toEqual([false, true, true]);
    // Its owner had the one warning; the sign-in cleared it, so a later quiet spell is warned about afresh.
    expect((await server.mailTo(returning.email)).length).toBe(1);
    expect((await server.services.store.users.inactiveUnwarned(t.id, now + 400 * DAY, 10)).map((u) => u.id)).toContain(returning.id);
  });

  it('warns in the language the owner last used the pages in', async () => {
    const t = await tenant({ retention: { inactive_account_days: 365 } });
    const german = await account(t.id, { lastLoginAt: now - 360 * DAY, locale: 'de' });
    const unknown = await account(t.id, { lastLoginAt: now - 360 * DAY });
    expect((await run(t.id)).inactiveWarned).toBe(2);
    expect((await server.mailTo(german.email))[0]!.subject).toBe(`Ihr Konto bei ${t.name} wird gelöscht, wenn Sie es nicht nutzen`);
    expect((await server.mailTo(unknown.email))[0]!.subject).toBe(`Your ${t.name} account will be deleted unless you use it`);
  });

  it('keeps risk assessments and sign-in history as long as each tenant says', async () => {
    const short = await tenant();
    const long = await tenant({ retention: { risk_event_days: 365, sign_in_history_days: 30 } });
    const risk = (tenantId: string, daysAgo: number): RiskEvent => ({ id: newId('rsk'), tenantId, userId: null, at: now - daysAgo * DAY, kind: 'password', stage: 'before', score: 0, level: 'low', action: 'allow', reasons: [], ip: null, country: null, requestId: null });
    await server.services.store.riskEvents.addMany([risk(short.id, 100), risk(short.id, 10), risk(long.id, 100)]);
    const user = await account(long.id, {});
    const signIn = (daysAgo: number) => ({ id: newId('sgn'), tenantId: long.id, userId: user.id, at: now - daysAgo * DAY, deviceHash: null, deviceName: 'Firefox on Linux', network: null, country: null, latitude: null, longitude: null, accuracyKm: null, methods: ['pwd'], sessionId: null, riskEventId: null });
    await server.services.store.signInEvents.addMany([signIn(40), signIn(5)]);

    expect((await run(short.id)).riskEventsDeleted).toBe(1);
    expect((await run(long.id)).riskEventsDeleted).toBe(0);
    const left = async (tenantId: string) => (await server.services.store.riskEvents.query({ tenantId, limit: 10 })).items.length;
    expect([await left(short.id), await left(long.id)]).toEqual([1, 1]);
    expect((await server.services.store.signInEvents.listRecent(long.id, user.id, 10)).length).toBe(1);
  });

  it('removes audit rows older than the tenant keeps them, from the start of the chain, which still verifies', async () => {
    const today = now;
    const { store, audit, auditChain, signingKeys } = server.services;
    try {
      now = today - 90 * DAY;
      const t = await tenant({ retention: { audit_event_days: 30 } });
      const record = async (daysAgo: number, n: number) => {
        now = today - daysAgo * DAY;
        for (let i = 0; i < n; i += 1) await audit.record(cliContext, { tenantId: t.id, action: 'user.signed_in', result: 'success', subject: `usr_${daysAgo}_${i}` });
      };
      await record(60, 3);
      await record(40, 2);
      await record(10, 2);
      now = today;
      const before = (await store.audit.query({ tenantId: t.id, limit: 100 })).items.length;

      // Two nodes at once: the rows go once.
      const [a, b] = await Promise.all([run(t.id), run(t.id)]);
      const removed = a.auditEventsDeleted + b.auditEventsDeleted;
      // The tenant's creation (90 days ago) and the five older than 30 days.
      expect(removed).toBe(before - 2);
      const kept = (await store.audit.query({ tenantId: t.id, limit: 100 })).items;
      expect(kept.map((e) => e.action).sort()).toEqual(['audit.events_removed', 'user.signed_in', 'user.signed_in']);
      expect(kept.filter((e) => e.action === 'user.signed_in').every((e) => e.at >= today - 30 * DAY)).toBe(true);
      expect((await run(t.id)).auditEventsDeleted).toBe(0);

      // The chain begins where the removal left it, vouched for by a signed checkpoint.
      const keys = await publicSigningKeys(signingKeys, t.id);
      const report = await verifyAuditChain(store, t.id, keys);
      expect(report).toMatchObject({ ok: true, start: removed, firstBroken: null });
      expect(report.anchored?.seq).toBeGreaterThanOrEqual(removed);

      // An export of what is left verifies offline against the published keys.
      const lines: string[] = [];
      await exportAuditLog(auditChain, t.id, (line) => void lines.push(line));
      expect(lines.filter((l) => JSON.parse(l).type === 'row')).toHaveLength(kept.length);
      expect(await verifyAuditExport((async function* () { yield* lines; })(), keys)).toMatchObject({ ok: true, start: removed });

      // Removing the next row behind Frontdoor's back and moving the start past it is caught.
      const [next] = await store.audit.chain(t.id, removed, 1);
      await sql`delete from audit_events where id = ${next!.id}`.execute(server.services.db);
      await sql`update audit_chain_heads set start_seq = ${removed + 1}, start_hash = ${next!.chainHash} where tenant_id = ${t.id}`.execute(server.services.db);
      expect((await verifyAuditChain(store, t.id, keys)).firstBroken).toEqual({ seq: removed + 1, id: null, problem: 'unanchored_start' });
    } finally {
      now = today;
    }
  });
});
