import type { RiskSignal } from '../signal.ts';

/** A sign-in from a network (IPv4 /24, IPv6 /48) this account has not used before. */
export const newNetwork: RiskSignal = {
  name: 'new_network',
  defaultWeight: 10,
  evaluate(facts) {
    if ((facts.kind !== 'sign_in' && facts.kind !== 'sensitive_action') || facts.networkKnown !== false) return null;
    return { strength: 1, reason: 'first sign-in from this network' };
  },
};
