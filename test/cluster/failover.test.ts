// Losing a node under load (issue 9): `frontdoor cluster --nodes 3` as a user starts it (three
// node processes behind our balancer, one PostgreSQL database, one Redis), customers signing in
// and opening their account page through the balancer without pause, and one node killed with
// SIGKILL in the middle. The others keep serving; the only failures a client sees are requests
// that were in flight on the dead node and cannot safely be sent twice (a sign-in post: at most
// one per customer); every session made before or after is still good on the nodes that remain;
// the supervisor starts the dead node again and the balancer sends to it once it is ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client.ts';
import { createCustomers, startTestCluster, waitFor, type TestCluster } from '../support/cluster.ts';
import { engines } from '../support/engines.ts';
import { REDIS_URL, redisReachable } from '../support/redis.ts';

const SESSION = '__Host-fd-session-demo';
const PASSWORD = 'Copper-Willow-Beacon-771';
const CUSTOMERS = 6;
const available = engines.includes('postgres') && (await redisReachable('the cluster failover test'));

describe.runIf(available)('a cluster losing a node under load', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, redisUrl: REDIS_URL });
    await createCustomers(cluster, 'load', CUSTOMERS, PASSWORD);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('keeps serving when one of three nodes is killed; no session is lost; the node comes back', async () => {
    const sessions: string[] = [];
    /** Requests begun before the node was gone that failed after the kill was sent: in flight on the dead node. */
    const inFlightFailures: string[] = [];
    /** Any other failure. */
    const failures: string[] = [];
    let signIns = 0;
    let signInsAfterKill = 0;
    /** SIGKILL sent; `killed`: the node's port refuses (it is really gone). */
    let killSent = false;
    let killed = false;
    let running = true;

    /** One customer on one browser (its own address), signing in again and again. */
    async function customer(i: number) {
      const browser = new FormClient(cluster.url, { 'x-forwarded-for': `198.51.100.${10 + i}` });
      // Each step notes whether it began before the kill: only those may fail.
      const step = async <T>(what: string, run: () => Promise<T>, ok: (value: T) => boolean): Promise<T> => {
        const begunBeforeKill = !killed;
        const value = await run().catch((error: Error) => error);
        if (value instanceof Error || !ok(value as T)) {
          const failure = `${what}: ${value instanceof Error ? value.message : (value as { status: number }).status}`;
          if (begunBeforeKill && killSent) inFlightFailures.push(failure);
          else failures.push(`${begunBeforeKill ? 'before' : 'after'} the kill, ${failure}`);
          throw new Error(failure);
        }
        return value as T;
      };
      while (running) {
        try {
          browser.cookies.delete(SESSION);
          await step('login page', () => browser.get('/t/demo/login'), (r) => r.status === 200);
          await step('sign-in', () => browser.post('/t/demo/login', { email: `load.${i}@example.org`, password: PASSWORD }), (r) => r.status === 303 && browser.cookies.has(SESSION));
          await step('account page', () => browser.get('/t/demo/account'), (r) => r.status === 200);
          sessions.push(browser.cookies.get(SESSION)!);
          signIns += 1;
          if (killed) signInsAfterKill += 1;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }

    const load = Array.from({ length: CUSTOMERS }, (_, i) => customer(i));
    await waitFor(() => signIns >= 12, 60_000, 'sign-ins before the kill');
    const victim = cluster.layout().nodes[1]!;
    killSent = true;
    process.kill(victim.pid!, 'SIGKILL');
    // Until the process is really gone its kernel socket still takes connections: requests made
    // meanwhile are in flight on the dead node too. The kill counts once its port refuses.
    await waitFor(async () => !(await fetch(`${victim.url}/healthz`).then(() => true, () => false)), 10_000, 'the killed node to be gone');
    killed = true;
    await waitFor(() => signInsAfterKill >= 24, 60_000, 'sign-ins after the kill');
    running = false;
    await Promise.all(load);

    // No request begun after the kill failed (the balancer sent them to live nodes, again when
    // need be); of those in flight, only sign-in posts (not safe to send twice), one per customer.
    expect(failures, failures.join('\n')).toEqual([]);
    expect(inFlightFailures.length, inFlightFailures.join('\n')).toBeLessThanOrEqual(CUSTOMERS);
    for (const failure of inFlightFailures) expect(failure).toMatch(/^sign-in: 50[24]$/);

    // Every session made, on whichever node, still opens the account page on the nodes that remain.
    for (const cookie of sessions) {
      const browser = new FormClient(cluster.url);
      browser.cookies.set(SESSION, cookie);
      expect((await browser.get('/t/demo/account')).status).toBe(200);
    }

    // The supervisor started it again (a new process), and it is ready.
    await waitFor(() => {
      const node = cluster.layout().nodes[1]!;
      return node.pid !== null && node.pid !== victim.pid;
    }, 30_000, 'the restarted node');
    const restarted = cluster.layout().nodes[1]!;
    await waitFor(async () => (await fetch(`${restarted.url}/readyz`).then((r) => r.status, () => 0)) === 200, 60_000, 'the restarted node to be ready');
  }, 240_000);
});
