// Velocity: many failures, or many accounts from one source, or many sources against one account,
// in the policy's sliding window. Strength grows with the count and is full at `full`.
import type { RiskFacts, RiskSignal } from '../signal.ts';

function ramp(name: string, defaultWeight: number, pick: (v: RiskFacts['velocity']) => number, from: number, full: number, describe: (n: number) => string): RiskSignal {
  return {
    name,
    defaultWeight,
    evaluate(facts) {
      const n = pick(facts.velocity);
      if (n < from) return null;
      return { strength: Math.min(1, (n - from + 1) / (full - from + 1)), reason: describe(n) };
    },
  };
}

export const accountFailures = ramp('account_failures', 30, (v) => v.accountFailures, 3, 10, (n) => `${n} failed attempts on this account recently`);
export const ipFailures = ramp('ip_failures', 25, (v) => v.ipFailures, 5, 30, (n) => `${n} failed attempts from this address recently`);
/** One source trying many accounts: the shape of credential stuffing and password spraying. */
export const ipDistinctAccounts = ramp('ip_distinct_accounts', 45, (v) => v.ipDistinctAccounts, 3, 6, (n) => `${n} different accounts tried from this address recently`);
/** Many sources against one account: a distributed brute force. */
export const accountDistinctIps = ramp('account_distinct_ips', 25, (v) => v.accountDistinctIps, 3, 10, (n) => `${n} different addresses tried this account recently`);
