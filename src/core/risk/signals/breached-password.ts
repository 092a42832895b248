import type { RiskSignal } from '../signal.ts';

/** The password given is on the breached/common list — right or wrong, someone else may know it. */
export const breachedPassword: RiskSignal = {
  name: 'breached_password',
  defaultWeight: 35,
  evaluate(facts) {
    return facts.passwordBreached ? { strength: 1, reason: 'the password is on the list of breached and common passwords' } : null;
  },
};
