// Impossible travel: the account was somewhere else, too far away too recently for anyone to have
// made the journey. Places come from offline IP geolocation, which is city-level at best, so short
// distances are ignored and both places' accuracy radii are taken off before the speed is judged.
import { distanceKm, hasCoordinates } from '../geo.ts';
import type { AttemptKind, RiskSignal } from '../signal.ts';

/** The fastest a person can plausibly travel: a passenger flight, gate to gate, in km/h. */
export const MAX_TRAVEL_SPEED_KMH = 1000;
/** Below this distance two places may be the same one seen through imprecise data. */
export const MIN_TRAVEL_DISTANCE_KM = 500;
/** The shortest time the speed is computed over, so that seconds apart do not make any distance infinitely fast. */
export const MIN_ELAPSED_HOURS = 5 / 60;

const KINDS: ReadonlySet<AttemptKind> = new Set(['sign_in', 'token_refresh', 'sensitive_action', 'session_use']);
const HOUR_MS = 3_600_000;
const km = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function roundedKm(distance: number): string {
  return km.format(distance >= 1000 ? Math.round(distance / 100) * 100 : Math.round(distance / 10) * 10);
}

function elapsed(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 90) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(ms / HOUR_MS);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(ms / (24 * HOUR_MS))} days`;
}

function countries(from: string | null, to: string | null): string {
  if (!from && !to) return '';
  if (from === to) return ` (within ${to})`;
  return ` (${from ?? 'unknown'} → ${to ?? 'unknown'})`;
}

export const impossibleTravel: RiskSignal = {
  name: 'impossible_travel',
  defaultWeight: 60,
  evaluate(facts) {
    if (!KINDS.has(facts.kind) || !facts.previousSignIn) return null;
    const here = facts.location;
    const before = facts.previousSignIn.location;
    if (!hasCoordinates(here) || !hasCoordinates(before)) return null;
    const distance = distanceKm(before, here);
    if (distance < MIN_TRAVEL_DISTANCE_KM) return null;
    // Either end may be anywhere within its accuracy radius: judge the shortest journey possible.
    const journey = Math.max(0, distance - (here.accuracyKm ?? 0) - (before.accuracyKm ?? 0));
    const elapsedMs = facts.now - facts.previousSignIn.at;
    const speed = journey / Math.max(MIN_ELAPSED_HOURS, elapsedMs / HOUR_MS);
    if (speed <= MAX_TRAVEL_SPEED_KMH) return null;
    // 0.5 just above a flight's speed, full at twice that and beyond.
    const strength = Math.min(1, 0.5 + (0.5 * (speed - MAX_TRAVEL_SPEED_KMH)) / MAX_TRAVEL_SPEED_KMH);
    return {
      strength,
      reason: `about ${roundedKm(distance)} km from the previous sign-in ${elapsed(Math.max(0, elapsedMs))} earlier${countries(before.country, here.country)}`,
    };
  },
};
