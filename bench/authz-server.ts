// The Frontdoor half of `npm run bench:authz`: the `npm start` composition (logs off) on a free
// loopback port, SQLite in a temporary data dir or a fresh PostgreSQL database (BENCH_DATABASE_URL),
// loaded with BENCH_USERS users (100,000), 1,000 roles, 100 groups of 10 roles each and 10,000
// organizations: every user holds two roles directly, is in one group and is a member of one
// organization (ten members each, the first its owner), and every third user after the first 10,000
// is in a second one; one role in ten grants under a condition. Then it
// measures the decision in-process — `access.check` for random users and actions against the plain
// account read (`store.users.get`) each decision does anyway — and prints both as a JSON line,
// then listens (with the check route also at /bench/…, deciding nothing: the route's own cost) and
// prints the ready line. Cleans up when stdin closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../src/app.ts';
import { firstStart } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { createApiResource } from '../src/core/apps/api-resources.ts';
import { createApplication } from '../src/core/apps/app-admin.ts';
import { OWNER } from '../src/core/orgs/organizations.ts';
import { cliContext } from '../src/core/context.ts';
import type { Role, User } from '../src/core/ports.ts';
import { ENDPOINT_GROUPS } from '../src/core/risk/request-limits.ts';
import { newId } from '../src/core/secrets.ts';
import { updateTenant } from '../src/core/tenants/tenant-admin.ts';
import { registerAuthzCheckApi } from '../src/http/api/authz-check.ts';
import { buildServer } from '../src/http/server.ts';
import { createPostgresDatabase, freePort, stopWithCleanups } from './support.ts';

export const BENCH_API = 'https://api.bench.example';
export const BENCH_TENANT = 'demo';
const SCOPES = 50;
const ROLES = 1000;
const GROUPS = 100;
const ORGANIZATIONS = 10_000;
const BATCH = 1000;

export interface AuthzReady {
  port: number;
  pid: number;
  clientId: string;
  secret: string;
  userIds: string[];
  scopes: string[];
  inProcess: { checks: number; check: Stats; read: Stats };
  seedSeconds: number;
  /** Organizations and memberships loaded. */
  organizations: number;
  memberships: number;
}

export interface Stats {
  p50: number;
  p99: number;
  p999: number;
  perSecond: number;
}

function stats(samplesNs: bigint[]): Stats {
  const ms = samplesNs.map((n) => Number(n) / 1e6).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  const total = ms.reduce((sum, v) => sum + v, 0);
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), perSecond: (ms.length * 1000) / total };
}

async function main(): Promise<void> {
  const { cleanups, stop } = stopWithCleanups('bench authz server');
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-authz-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  process.stdin.resume();
  try {
    const users = Number(process.env.BENCH_USERS ?? 100_000);
    const checks = Number(process.env.BENCH_CHECKS ?? 50_000);
    const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || null;
    const database = adminUrl ? await createPostgresDatabase(adminUrl) : null;
    if (database) cleanups.push(database.drop);
    const port = await freePort();
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1', FRONTDOOR_DATA_DIR: dataDir, FRONTDOOR_BASE_URL: `http://127.0.0.1:${port}`, ...(database ? { DATABASE_URL: database.url } : {}) });
    const services = await createServices(config);
    cleanups.push(() => services.close());
    await firstStart(services);
    const tenant0 = (await services.store.tenants.get(BENCH_TENANT))!;
    const outOfReach = Object.fromEntries(ENDPOINT_GROUPS.map((group) => [group, 10_000_000]));
    await updateTenant(services, BENCH_TENANT, { settings: { ...tenant0.settings, rateLimits: { perAddress: outOfReach, perTenant: outOfReach } } }, cliContext);
    const tenant = (await services.store.tenants.get(BENCH_TENANT))!;

    const seedStart = process.hrtime.bigint();
    const scopes = Array.from({ length: SCOPES }, (_, i) => `action:${i}`);
    await createApiResource(services, { tenantId: BENCH_TENANT, identifier: BENCH_API, name: 'Bench API', scopes: scopes.map((name) => ({ name })) }, cliContext);
    const { store } = services;
    const now = Date.now();
    const roles: Role[] = Array.from({ length: ROLES }, (_, i) => ({
      id: newId('rol'),
      tenantId: BENCH_TENANT,
      name: `role-${i}`,
      description: '',
      permissions: Array.from({ length: 5 }, (_, k) => ({
        api: BENCH_API,
        permission: scopes[(i * 7 + k * 11) % SCOPES]!,
        // One role in ten grants under a condition on the resource and the session.
        ...(i % 10 === 0 ? { condition: { any: [{ lte: [{ var: 'resource.amount' }, 1000] }, { eq: [{ var: 'context.acr' }, 'phr'] }] } } : {}),
      })),
      createdAt: now,
      updatedAt: now,
    }));
    for (const role of roles) await store.authorization.createRole(role);
    const groupIds: string[] = [];
    for (let g = 0; g < GROUPS; g += 1) {
      const id = newId('grp');
      groupIds.push(id);
      await store.authorization.createGroup({ id, tenantId: BENCH_TENANT, name: `group-${g}`, description: '', createdAt: now, updatedAt: now });
      for (let k = 0; k < 10; k += 1) await store.authorization.addGroupRole(BENCH_TENANT, id, roles[(g * 10 + k) % ROLES]!.id, now);
    }
    // Organizations as createOrganization writes them (the row, its domains, the owner), through the
    // repository: user k < 10,000 creates organization k and owns it; user i is a member of
    // organization i mod 10,000 (its first ten thousand after the owners as `admin`), and every
    // third user from 10,000 on (when every organization exists) also a `member` of a second one.
    const organizations = Math.min(ORGANIZATIONS, users);
    const orgIds = Array.from({ length: organizations }, () => newId('org'));
    let memberships = 0;
    const userIds: string[] = [];
    for (let start = 0; start < users; start += BATCH) {
      await store.transaction(async (tx) => {
        for (let i = start; i < Math.min(users, start + BATCH); i += 1) {
          const user: User = { id: newId('usr'), tenantId: BENCH_TENANT, status: 'active', email: `user${i}@bench.example`, emailVerified: true, profile: { given_name: `User ${i}` }, createdAt: now, updatedAt: now, lastLoginAt: null };
          await tx.users.create(user);
          await tx.authorization.addUserRole(BENCH_TENANT, user.id, roles[(i * 13) % ROLES]!.id, 'admin', now);
          await tx.authorization.addUserRole(BENCH_TENANT, user.id, roles[(i * 17 + 5) % ROLES]!.id, 'admin', now);
          await tx.authorization.addGroupMember(BENCH_TENANT, groupIds[i % GROUPS]!, user.id, now);
          const orgId = orgIds[i % organizations]!;
          if (i < organizations) await tx.organizations.create({ id: orgId, tenantId: BENCH_TENANT, name: `org-${i}`, settings: {}, createdAt: now, updatedAt: now });
          await tx.organizations.putMember(BENCH_TENANT, { orgId, userId: user.id, roles: [i < organizations ? OWNER : i < 2 * organizations ? 'admin' : 'member'], createdAt: now, updatedAt: now });
          memberships += 1;
          if (i >= organizations && i % 3 === 0) {
            // (7i + 1) mod 10,000 is never i mod 10,000 (7i + 1 - i is odd).
            await tx.organizations.putMember(BENCH_TENANT, { orgId: orgIds[(i * 7 + 1) % organizations]!, userId: user.id, roles: ['member'], createdAt: now, updatedAt: now });
            memberships += 1;
          }
          userIds.push(user.id);
        }
      });
    }
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;

    // In-process: the account read each decision makes, then the decision, for random users.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const read: bigint[] = [];
    const check: bigint[] = [];
    for (let phase = 0; phase < 2; phase += 1) {
      const warm = phase === 0;
      for (let i = 0; i < (warm ? Math.min(5000, checks) : checks); i += 1) {
        const id = userIds[random(userIds.length)]!;
        const t0 = process.hrtime.bigint();
        await store.users.get(BENCH_TENANT, id);
        const t1 = process.hrtime.bigint();
        await services.access.check(tenant, { subject: userIds[random(userIds.length)]!, action: scopes[random(SCOPES)]!, api: BENCH_API, resource: { amount: random(2000) }, context: { acr: 'pwd' } });
        const t2 = process.hrtime.bigint();
        if (!warm) {
          read.push(t1 - t0);
          check.push(t2 - t1);
        }
      }
    }

    const created = await createApplication(services, { tenantId: BENCH_TENANT, name: 'Bench checker', redirectUris: [], grantTypes: ['client_credentials'] }, cliContext);
    const { app } = await buildServer(services, { logger: false });
    cleanups.push(() => app.close());
    // The reference for the route itself: the same route (client authentication, validation,
    // serialization) at /bench/t/{tenant}/authz/check with a constant decision in place of access.check.
    const constantDecision: Services = { ...services, access: { ...services.access, check: async () => ({ allowed: true, reason: 'granted by role role-1', role: 'role-1' }) } };
    await app.register(async (scope) => registerAuthzCheckApi(scope, constantDecision), { prefix: '/bench' });
    await app.listen({ host: '127.0.0.1', port });
    const ready: AuthzReady = { port, pid: process.pid, clientId: created.app.clientId, secret: created.clientSecret!, userIds, scopes, inProcess: { checks, check: stats(check), read: stats(read) }, seedSeconds, organizations, memberships };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } catch (error) {
    process.stderr.write(`bench authz server: ${(error as Error).stack ?? error}\n`);
    await stop(1);
  }
}

await main();
