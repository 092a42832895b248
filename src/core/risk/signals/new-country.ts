import type { RiskSignal } from '../signal.ts';

/** A sign-in from a country this account has not signed in from before (by offline geolocation). */
export const newCountry: RiskSignal = {
  name: 'new_country',
  defaultWeight: 20,
  evaluate(facts) {
    const country = facts.location?.country;
    if ((facts.kind !== 'sign_in' && facts.kind !== 'sensitive_action') || facts.countryKnown !== false || !country) return null;
    return { strength: 1, reason: `first sign-in from ${country}` };
  },
};
