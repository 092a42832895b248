// The single assessment of an attempt: each signal says how strongly it fires and why; their
// weighted sum is the score (0..100); the tenant's thresholds turn it into an action. The result
// carries every contribution, so an admin can read why an attempt was challenged.
import { breachedPassword } from './signals/breached-password.ts';
import { automationUserAgent, botChallengeFailed, clientHintsMismatch, tooFast } from './signals/bot.ts';
import { disposableEmail } from './signals/disposable-email.ts';
import { newDevice } from './signals/new-device.ts';
import { newNetwork } from './signals/new-network.ts';
import { newCountry } from './signals/new-country.ts';
import { impossibleTravel } from './signals/impossible-travel.ts';
import { tenantFailureSpike } from './signals/tenant-failure-spike.ts';
import { registrationVelocity } from './signals/registration-velocity.ts';
import { sessionDeviceChanged } from './signals/session-device-changed.ts';
import { accountDistinctIps, accountFailures, ipDistinctAccounts, ipFailures } from './signals/velocity.ts';
import { inRanges, parseRange, type ParsedRange } from './ip-lists.ts';
import type { RiskFacts, RiskSignal } from './signal.ts';

export const SIGNALS: readonly RiskSignal[] = [
  newDevice,
  newNetwork,
  newCountry,
  impossibleTravel,
  accountFailures,
  ipFailures,
  ipDistinctAccounts,
  accountDistinctIps,
  breachedPassword,
  automationUserAgent,
  clientHintsMismatch,
  tooFast,
  botChallengeFailed,
  tenantFailureSpike,
  registrationVelocity,
  disposableEmail,
  sessionDeviceChanged,
];

/** What the source shows, judged before the credential is checked: pace, failures, bot signs, the address. */
export const SOURCE_SIGNALS: readonly RiskSignal[] = [accountFailures, ipFailures, ipDistinctAccounts, accountDistinctIps, automationUserAgent, clientHintsMismatch, tooFast, botChallengeFailed, tenantFailureSpike, registrationVelocity, disposableEmail];
/** Who it is, judged once the credential proved it: a new device, network or country, travel, a breached password. */
export const IDENTITY_SIGNALS: readonly RiskSignal[] = [newDevice, newNetwork, newCountry, impossibleTravel, breachedPassword];
/** A signed-in session used again from another network: did it travel impossibly, or change browsers? */
export const SESSION_SIGNALS: readonly RiskSignal[] = [impossibleTravel, sessionDeviceChanged];

export type RiskAction = 'allow' | 'notify' | 'challenge' | 'deny';
export type RiskLevel = 'low' | 'medium' | 'high';

export interface RiskPolicy {
  /** Points per signal at full strength (0..100), by signal name; missing ones use the default. */
  weights: Record<string, number>;
  /** Scores at and above which the attempt is challenged, and denied. */
  thresholds: { challenge: number; deny: number };
  /** Tell the user of a successful sign-in from a new device. */
  notifyNewDevice: boolean;
  /** Registrations at a disposable email provider: weighed like any signal (`challenge`), or refused outright. */
  disposableEmail: 'challenge' | 'refuse';
  /** IP ranges always allowed (signals are still recorded) and always denied. */
  ipAllow: string[];
  ipDeny: string[];
  /** Countries (ISO 3166 alpha-2) always allowed, and always denied, by IP geolocation. */
  countryAllow: string[];
  countryDeny: string[];
}

/** Defaults a tenant can run with: a new device alone notifies, it takes several signals to challenge. */
export const DEFAULT_RISK_POLICY: RiskPolicy = {
  weights: {},
  thresholds: { challenge: 40, deny: 90 },
  notifyNewDevice: true,
  disposableEmail: 'challenge',
  ipAllow: [],
  ipDeny: [],
  countryAllow: [],
  countryDeny: [],
};

export interface RiskContribution {
  signal: string;
  /** Points this signal added. */
  points: number;
  reason: string;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  action: RiskAction;
  reasons: RiskContribution[];
}

/** A policy with its lists parsed once (an assessment runs on every attempt). */
export interface CompiledRiskPolicy {
  policy: RiskPolicy;
  allow: ParsedRange[];
  deny: ParsedRange[];
}

export function compileRiskPolicy(policy: RiskPolicy): CompiledRiskPolicy {
  const parse = (list: string[]) => list.map(parseRange).filter((r): r is ParsedRange => r !== null);
  return { policy, allow: parse(policy.ipAllow), deny: parse(policy.ipDeny) };
}

export function assess(facts: RiskFacts, compiled: CompiledRiskPolicy, signals: readonly RiskSignal[] = SIGNALS): RiskAssessment {
  const { policy } = compiled;
  const reasons: RiskContribution[] = [];
  for (const signal of signals) {
    const result = signal.evaluate(facts);
    if (!result) continue;
    const weight = Math.max(0, Math.min(100, policy.weights[signal.name] ?? signal.defaultWeight));
    const points = Math.round(weight * Math.max(0, Math.min(1, result.strength)));
    if (points > 0) reasons.push({ signal: signal.name, points, reason: result.reason });
  }
  reasons.sort((a, b) => b.points - a.points || a.signal.localeCompare(b.signal));
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.points, 0));
  const level: RiskLevel = score >= policy.thresholds.deny ? 'high' : score >= policy.thresholds.challenge ? 'medium' : 'low';

  const country = facts.location?.country ?? null;
  if (inRanges(facts.ip, compiled.deny)) return { score: 100, level: 'high', action: 'deny', reasons: [{ signal: 'ip_deny_list', points: 100, reason: 'the address is on the tenant’s deny list' }, ...reasons] };
  if (country && policy.countryDeny.includes(country)) return { score: 100, level: 'high', action: 'deny', reasons: [{ signal: 'country_deny_list', points: 100, reason: `${country} is on the tenant’s deny list` }, ...reasons] };
  if (inRanges(facts.ip, compiled.allow)) return { score, level, action: 'allow', reasons: [{ signal: 'ip_allow_list', points: 0, reason: 'the address is on the tenant’s allow list' }, ...reasons] };
  if (country && policy.countryAllow.includes(country)) return { score, level, action: 'allow', reasons: [{ signal: 'country_allow_list', points: 0, reason: `${country} is on the tenant’s allow list` }, ...reasons] };

  let action: RiskAction = level === 'high' ? 'deny' : level === 'medium' ? 'challenge' : 'allow';
  if (action === 'allow' && facts.kind === 'sign_in' && policy.notifyNewDevice && reasons.some((r) => r.signal === 'new_device')) action = 'notify';
  return { score, level, action, reasons };
}
