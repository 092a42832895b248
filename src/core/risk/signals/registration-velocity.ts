// Fake sign-ups come in batches: many accounts from one address, or from one network when the
// addresses rotate. Strength follows whichever is further along.
import type { RiskSignal } from '../signal.ts';

const ramp = (n: number, from: number, full: number) => (n < from ? 0 : Math.min(1, (n - from + 1) / (full - from + 1)));

export const registrationVelocity: RiskSignal = {
  name: 'registration_velocity',
  defaultWeight: 45,
  evaluate(facts) {
    const r = facts.registrations;
    if (facts.kind !== 'registration' || !r) return null;
    const byIp = ramp(r.fromIp, 3, 8);
    const byNetwork = ramp(r.fromNetwork, 10, 30);
    if (byIp === 0 && byNetwork === 0) return null;
    return byIp >= byNetwork
      ? { strength: byIp, reason: `${r.fromIp} accounts registered from this address in the last hour` }
      : { strength: byNetwork, reason: `${r.fromNetwork} accounts registered from this network in the last hour` };
  },
};
