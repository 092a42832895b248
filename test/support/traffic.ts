// Scripted traffic for the attack simulations: many accounts created straight through the store
// (one precomputed password hash, so a thousand take a second), each with a browser that has signed
// in before (its device cookie and one sign-in in the account's history, recorded by the risk
// service itself), and a bounded-concurrency runner for the requests.
import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/app.ts';
import { newId } from '../../src/core/secrets.ts';
import { deviceCookieValue, deviceIdCookieName } from '../../src/http/risk-signals.ts';
import { describeUserAgent } from '../../src/pages/views/device.ts';
import { FormClient } from './client.ts';

export const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

export interface Customer {
  email: string;
  userId: string;
  /** Their usual address. */
  ip: string;
  /** Their usual browser: it carries the device cookie the account has signed in with. */
  browser: FormClient;
}

/** `count` active, verified customers of `tenantId`, all with `password`, each with a familiar browser at `ipOf(i)`. */
export async function seedCustomers(services: Services, baseUrl: string, tenantId: string, count: number, password: string, ipOf: (i: number) => string, prefix = 'customer'): Promise<Customer[]> {
  const tenant = (await services.store.tenants.get(tenantId))!;
  const hash = await services.hasher.hash(password);
  const now = services.clock.now();
  const customers: Customer[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `${prefix}.${i}.${randomBytes(3).toString('hex')}@example.com`;
    const userId = newId('usr');
    const user = { id: userId, tenantId, status: 'active' as const, email, emailVerified: true, profile: {}, createdAt: now, updatedAt: now, lastLoginAt: null };
    await services.store.users.create(user);
    await services.store.passwords.set({ userId, tenantId, hash, updatedAt: now });
    const ip = ipOf(i);
    const deviceId = randomBytes(16).toString('base64url');
    await services.flows.risk.recordSignIn(
      tenant,
      user,
      { methods: ['pwd'], sessionId: null },
      { deviceId, deviceName: describeUserAgent(BROWSER_UA, 'en'), clientHints: {}, formMillis: null, botChallenge: null },
      { ip, userAgent: BROWSER_UA, requestId: null, locale: 'en', actor: `user:${userId}` },
    );
    const browser = new FormClient(baseUrl, { 'user-agent': BROWSER_UA, 'x-forwarded-for': ip });
    browser.cookies.set(deviceIdCookieName(tenantId), deviceCookieValue(services, tenantId, deviceId));
    customers.push({ email, userId, ip, browser });
  }
  return customers;
}

/** Runs `work` for every item with at most `concurrency` at once; results in item order. */
export async function runAll<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}
