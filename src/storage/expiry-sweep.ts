// Rows that only matter until they expire — ended sessions, abandoned second-factor sign-ins, used
// WebAuthn challenges, sign-in-by-email requests — are deleted by a periodic sweep, so the tables stay the size of what is live.
// The risk engine's history is kept for a bounded time: long enough to know a returning device or
// place, no longer (privacy: where someone signed in from is personal data).
// Every query is a single indexed DELETE; nothing here reads a secret.
import type { Clock, Store } from '../core/ports.ts';
import { runPeriodically } from '../core/periodic.ts';

export interface SweepResult {
  sessions: number;
  signInFlows: number;
  webauthnChallenges: number;
  emailSignIns: number;
  smsCodes: number;
  trustedDevices: number;
  apiFlows: number;
  signInEvents: number;
  riskEvents: number;
}

/** How long an account's sign-in history is kept (familiar devices and places, the account page). */
export const SIGN_IN_HISTORY_DAYS = 180;
/** How long assessments are kept for the admin and support. */
export const RISK_EVENT_DAYS = 90;
const DAY = 24 * 3600 * 1000;

export async function sweepExpired(store: Store, now: number): Promise<SweepResult> {
  return {
    sessions: await store.sessions.deleteExpired(now),
    signInFlows: await store.signInFlows.deleteExpired(now),
    webauthnChallenges: await store.webauthnChallenges.deleteExpired(now),
    emailSignIns: await store.emailSignIns.deleteExpired(now),
    smsCodes: await store.smsCodes.deleteExpired(now),
    trustedDevices: await store.trustedDevices.deleteExpired(now),
    apiFlows: await store.apiFlows.deleteExpired(now),
    signInEvents: await store.signInEvents.deleteOlderThan(now - SIGN_IN_HISTORY_DAYS * DAY),
    riskEvents: await store.riskEvents.deleteOlderThan(now - RISK_EVENT_DAYS * DAY),
  };
}

/** Runs `sweepExpired` every `intervalMs` (unref'd: it never keeps the process alive); returns stop. */
export function startExpirySweep(store: Store, clock: Clock, intervalMs: number, onError: (error: unknown) => void): () => void {
  return runPeriodically(() => sweepExpired(store, clock.now()), intervalMs, onError);
}
