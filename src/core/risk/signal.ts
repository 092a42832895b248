// What every risk signal is: a name, a default weight, and an evaluation of one attempt that says
// how strongly (0..1) it fires and why, in words an admin and support can read. Signals are pure:
// the facts they look at (device known, counts in windows, lists) are gathered before assessment.
export type AttemptKind = 'sign_in' | 'registration' | 'recovery' | 'verification_resend' | 'sensitive_action' | 'token_refresh' | 'session_use';

/** The facts an assessment looks at, gathered by the caller (storage, counters, request headers). */
export interface RiskFacts {
  kind: AttemptKind;
  tenantId: string;
  ip: string | null;
  userAgent: string | null;
  /** Client hints as sent (`sec-ch-ua`, `sec-ch-ua-mobile`, `sec-ch-ua-platform`), lower-case names. */
  clientHints: Record<string, string>;
  /** Whether this browser's device cookie is one the account has signed in from; null when no account is named. */
  deviceKnown: boolean | null;
  /** Whether the IP's network (/24, /48) has been seen for the account; null when unknown. */
  networkKnown: boolean | null;
  /** The submitted password is on the breached/common list (even when it is right). */
  passwordBreached: boolean;
  /** Milliseconds between the page being served and the form coming back; null when not known. */
  formMillis: number | null;
  /** The email address of a registration. */
  email: string | null;
  /** Counts in the policy's sliding window. */
  velocity: { accountFailures: number; ipFailures: number; ipDistinctAccounts: number; accountDistinctIps: number };
  /** A session used again: the browser it started on, and the one using it now ("Chrome on Windows"); null otherwise. */
  sessionDevice: { startedOn: string; now: string } | null;
  /** Accounts registered in the last hour from this address and from its network (/24, /48); registrations only. */
  registrations: { fromIp: number; fromNetwork: number } | null;
  /** When the attempt is assessed (ms since the epoch). */
  now: number;
  /** Where the address is, by offline geolocation; null when unknown (private address, no data). */
  location: GeoPoint | null;
  /** Whether the account has signed in from this country before; null when unknown or no account is named. */
  countryKnown: boolean | null;
  /** The account's last successful sign-in with a known place, for impossible travel; null when none. */
  previousSignIn: { at: number; location: GeoPoint } | null;
  /** The bot challenge: `passed`, `failed` (a wrong or replayed answer), or null when none was asked for. */
  botChallenge: 'passed' | 'failed' | null;
  /** The tenant's sign-ins are failing far more than usual (a spray or stuffing across many sources); null when not. */
  tenantFailureSpike: { attempts: number; failureRatio: number } | null;
}

/** A place from IP geolocation: ISO 3166 alpha-2 country, and coordinates when the data has them. */
export interface GeoPoint {
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  /** The data's accuracy radius in kilometres, when it gives one. */
  accuracyKm: number | null;
}

export interface SignalResult {
  /** 0..1: how strongly the signal fires. */
  strength: number;
  /** Why, for the admin and support (no secret, no full IP of another user). */
  reason: string;
}

export interface RiskSignal {
  name: string;
  /** Points (0..100) this signal adds at full strength, unless the tenant's policy says otherwise. */
  defaultWeight: number;
  evaluate(facts: RiskFacts): SignalResult | null;
}
