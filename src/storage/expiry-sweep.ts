// Rows that only matter until they expire — ended sessions, abandoned second-factor sign-ins, used
// WebAuthn challenges, sign-in-by-email requests, used SAML assertions — are deleted by a periodic sweep, so the tables stay the size of what is live.
// The risk engine's history is kept per each tenant's retention rules (core/retention/retention.ts).
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
  householdSessionLinks: number;
  samlAssertions: number;
}

export async function sweepExpired(store: Store, now: number): Promise<SweepResult> {
  return {
    sessions: await store.sessions.deleteExpired(now),
    signInFlows: await store.signInFlows.deleteExpired(now),
    webauthnChallenges: await store.webauthnChallenges.deleteExpired(now),
    emailSignIns: await store.emailSignIns.deleteExpired(now),
    smsCodes: await store.smsCodes.deleteExpired(now),
    trustedDevices: await store.trustedDevices.deleteExpired(now),
    apiFlows: await store.apiFlows.deleteExpired(now),
    householdSessionLinks: await store.households.deleteExpiredLinks(now),
    samlAssertions: await store.samlAssertions.deleteExpired(now),
  };
}

/** Runs `sweepExpired` every `intervalMs` (unref'd: it never keeps the process alive); returns stop. */
export function startExpirySweep(store: Store, clock: Clock, intervalMs: number, onError: (error: unknown) => void): () => void {
  return runPeriodically(() => sweepExpired(store, clock.now()), intervalMs, onError);
}
