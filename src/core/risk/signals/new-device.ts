import type { RiskSignal } from '../signal.ts';

/** A sign-in from a browser this account has not signed in from before. */
export const newDevice: RiskSignal = {
  name: 'new_device',
  defaultWeight: 25,
  evaluate(facts) {
    if ((facts.kind !== 'sign_in' && facts.kind !== 'sensitive_action') || facts.deviceKnown !== false) return null;
    return { strength: 1, reason: 'first sign-in from this browser' };
  },
};
