// A tenant-wide spike in failed sign-ins: attacks spread over many addresses (password spraying,
// distributed stuffing) that no single source gives away. While it lasts, every device the named
// account does not know meets the bot challenge; the account's own browsers go through untouched.
import type { RiskSignal } from '../signal.ts';

export const tenantFailureSpike: RiskSignal = {
  name: 'tenant_failure_spike',
  defaultWeight: 40,
  evaluate(facts) {
    const spike = facts.tenantFailureSpike;
    if (!spike || facts.deviceKnown === true) return null;
    return { strength: 1, reason: `${Math.round(spike.failureRatio * 100)}% of the tenant's last ${spike.attempts} sign-ins failed, and this device is not one the account knows` };
  },
};
