// The Redis the cluster tests use: its URL, and whether it answers — required (an error) when
// FRONTDOOR_TEST_REQUIRE_SERVICES=1, else a warning naming what is skipped.
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.FRONTDOOR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisReachable(skipping: string): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (error) {
    if (process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1') throw new Error(`Redis at ${REDIS_URL} is required (FRONTDOOR_TEST_REQUIRE_SERVICES=1) but not reachable: ${(error as Error).message}`);
    console.warn(`[frontdoor tests] skipping ${skipping}: ${REDIS_URL} not reachable`);
    return false;
  } finally {
    probe.disconnect();
  }
}
