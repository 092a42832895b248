// The risk engine and each signal on their own: what fires, how strongly, why, and how the tenant's
// policy (weights, thresholds, lists) turns the sum into an action.
import { describe, expect, it } from 'vitest';
import { assess, compileRiskPolicy, DEFAULT_RISK_POLICY, SIGNALS, type RiskPolicy } from './engine.ts';
import { inRanges, parseRange } from './ip-lists.ts';
import type { RiskFacts } from './signal.ts';
import { breachedPassword } from './signals/breached-password.ts';
import { automationUserAgent, botChallengeFailed, clientHintsMismatch, tooFast } from './signals/bot.ts';
import { disposableEmail, isDisposableDomain } from './signals/disposable-email.ts';
import { newDevice } from './signals/new-device.ts';
import { newNetwork } from './signals/new-network.ts';
import { tenantFailureSpike } from './signals/tenant-failure-spike.ts';
import { sessionDeviceChanged } from './signals/session-device-changed.ts';
import { accountDistinctIps, accountFailures, ipDistinctAccounts, ipFailures } from './signals/velocity.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:140.0) Gecko/20100101 Firefox/140.0';

/** A normal sign-in: known device and network, a person's pace, a real browser, no failures. */
function facts(overrides: Partial<RiskFacts> = {}): RiskFacts {
  return {
    kind: 'sign_in',
    tenantId: 'demo',
    ip: '203.0.113.7',
    userAgent: CHROME,
    clientHints: { 'sec-ch-ua': '"Chromium";v="142", "Google Chrome";v="142", "Not_A Brand";v="99"', 'sec-ch-ua-mobile': '?0' },
    deviceKnown: true,
    networkKnown: true,
    passwordBreached: false,
    formMillis: 4200,
    email: null,
    velocity: { accountFailures: 0, ipFailures: 0, ipDistinctAccounts: 0, accountDistinctIps: 0 },
    now: 1_800_000_000_000,
    location: null,
    countryKnown: null,
    previousSignIn: null,
    botChallenge: null,
    tenantFailureSpike: null,
    registrations: null,
    sessionDevice: null,
    ...overrides,
  };
}

const policy = (overrides: Partial<RiskPolicy> = {}) => compileRiskPolicy({ ...DEFAULT_RISK_POLICY, ...overrides });

describe('risk signals', () => {
  it('new device and new network fire only for a sign-in or sensitive action whose browser or network the account has not used', () => {
    expect(newDevice.evaluate(facts())).toBeNull();
    expect(newDevice.evaluate(facts({ deviceKnown: false }))?.strength).toBe(1);
    expect(newDevice.evaluate(facts({ kind: 'sensitive_action', deviceKnown: false }))?.strength).toBe(1);
    expect(newDevice.evaluate(facts({ deviceKnown: null }))).toBeNull();
    expect(newDevice.evaluate(facts({ kind: 'registration', deviceKnown: false }))).toBeNull();
    expect(newNetwork.evaluate(facts({ networkKnown: false }))?.reason).toContain('network');
    expect(newNetwork.evaluate(facts({ kind: 'sensitive_action', networkKnown: false }))?.reason).toContain('network');
    expect(newNetwork.evaluate(facts({ kind: 'token_refresh', networkKnown: false }))).toBeNull();
  });

  it('velocity grows with the count and is full at its ceiling', () => {
    const v = (patch: Partial<RiskFacts['velocity']>) => facts({ velocity: { accountFailures: 0, ipFailures: 0, ipDistinctAccounts: 0, accountDistinctIps: 0, ...patch } });
    expect(accountFailures.evaluate(v({ accountFailures: 2 }))).toBeNull();
    expect(accountFailures.evaluate(v({ accountFailures: 3 }))!.strength).toBeCloseTo(1 / 8);
    expect(accountFailures.evaluate(v({ accountFailures: 50 }))!.strength).toBe(1);
    expect(ipDistinctAccounts.evaluate(v({ ipDistinctAccounts: 10 }))!.reason).toBe('10 different accounts tried from this address recently');
    expect(ipDistinctAccounts.evaluate(v({ ipDistinctAccounts: 6 }))!.strength).toBe(1);
    expect(ipFailures.evaluate(v({ ipFailures: 4 }))).toBeNull();
    expect(accountDistinctIps.evaluate(v({ accountDistinctIps: 6 }))!.strength).toBeGreaterThan(0.4);
  });

  it('a tenant-wide failure spike challenges devices the account does not know, never its own', () => {
    const spike = { attempts: 80, failureRatio: 0.85 };
    expect(tenantFailureSpike.evaluate(facts({ tenantFailureSpike: spike, deviceKnown: null }))?.reason).toBe("85% of the tenant's last 80 sign-ins failed, and this device is not one the account knows");
    expect(tenantFailureSpike.evaluate(facts({ tenantFailureSpike: spike, deviceKnown: true }))).toBeNull();
    expect(tenantFailureSpike.evaluate(facts({ tenantFailureSpike: null, deviceKnown: null }))).toBeNull();
    expect(assess(facts({ tenantFailureSpike: spike, deviceKnown: null }), policy()).action).toBe('challenge');
  });

  it('a session back from another kind of browser fires only for session use', () => {
    const moved = { startedOn: 'Chrome on Windows', now: 'Firefox on Linux' };
    expect(sessionDeviceChanged.evaluate(facts({ kind: 'session_use', sessionDevice: moved }))?.reason).toBe('the session started on Chrome on Windows and came back from Firefox on Linux on another network');
    expect(sessionDeviceChanged.evaluate(facts({ kind: 'session_use', sessionDevice: { startedOn: 'Chrome on Windows', now: 'Chrome on Windows' } }))).toBeNull();
    expect(sessionDeviceChanged.evaluate(facts({ kind: 'sign_in', sessionDevice: moved }))).toBeNull();
  });

  it('a breached password fires whether or not it was right', () => {
    expect(breachedPassword.evaluate(facts({ passwordBreached: true }))?.strength).toBe(1);
    expect(breachedPassword.evaluate(facts())).toBeNull();
  });

  it('bot indicators: automation user agents, contradicting client hints, inhuman speed', () => {
    for (const ua of ['curl/8.5.0', 'python-requests/2.32', 'Mozilla/5.0 HeadlessChrome/142.0']) expect(automationUserAgent.evaluate(facts({ userAgent: ua })), ua).not.toBeNull();
    // The HTTP libraries native apps are built on are not bots: a customer's own app must pass.
    for (const ua of ['okhttp/4.12.0', 'Go-http-client/1.1', 'MyApp/3.1 CFNetwork/1498 Darwin/23.6.0']) expect(automationUserAgent.evaluate(facts({ userAgent: ua })), ua).toBeNull();
    expect(botChallengeFailed.evaluate(facts({ botChallenge: 'failed' }))?.strength).toBe(1);
    expect(botChallengeFailed.evaluate(facts({ botChallenge: 'passed' }))).toBeNull();
    expect(automationUserAgent.evaluate(facts({ userAgent: null }))?.reason).toBe('no user agent');
    expect(automationUserAgent.evaluate(facts())).toBeNull();
    expect(automationUserAgent.evaluate(facts({ userAgent: FIREFOX }))).toBeNull();
    expect(clientHintsMismatch.evaluate(facts())).toBeNull();
    expect(clientHintsMismatch.evaluate(facts({ userAgent: FIREFOX }))?.strength).toBe(1);
    expect(clientHintsMismatch.evaluate(facts({ clientHints: { 'sec-ch-ua': '"Not_A Brand";v="99"' } }))?.strength).toBe(1);
    expect(clientHintsMismatch.evaluate(facts({ clientHints: { 'sec-ch-ua': '"Chromium";v="142"', 'sec-ch-ua-mobile': '?1' } }))?.strength).toBe(0.5);
    expect(clientHintsMismatch.evaluate(facts({ userAgent: FIREFOX, clientHints: {} }))).toBeNull();
    expect(tooFast.evaluate(facts({ formMillis: 200 }))?.strength).toBe(1);
    expect(tooFast.evaluate(facts({ formMillis: 900 }))?.strength).toBe(0.5);
    expect(tooFast.evaluate(facts({ formMillis: null }))).toBeNull();
  });

  it('disposable email domains, from the bundled list, including subdomains, on registration only', () => {
    expect(isDisposableDomain('someone@mailinator.com')).toBe(true);
    expect(isDisposableDomain('someone@inbox.mailinator.com')).toBe(true);
    expect(isDisposableDomain('someone@gmail.com')).toBe(false);
    expect(disposableEmail.evaluate(facts({ kind: 'registration', email: 'x@mailinator.com' }))?.strength).toBe(1);
    expect(disposableEmail.evaluate(facts({ kind: 'sign_in', email: 'x@mailinator.com' }))).toBeNull();
  });

  it('every signal has a unique name and a weight within 0..100', () => {
    const names = SIGNALS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SIGNALS) expect(s.defaultWeight).toBeGreaterThan(0), expect(s.defaultWeight).toBeLessThanOrEqual(100);
  });
});

describe('risk assessment', () => {
  it('lets a known user on a known device through with a score of 0 and nothing to explain', () => {
    expect(assess(facts(), policy())).toEqual({ score: 0, level: 'low', action: 'allow', reasons: [] });
  });

  it('notifies on a new device alone, challenges when signals add up, denies at the top', () => {
    expect(assess(facts({ deviceKnown: false }), policy())).toMatchObject({ score: 25, level: 'low', action: 'notify' });
    const stuffing = assess(facts({ deviceKnown: false, userAgent: 'python-requests/2.32', velocity: { accountFailures: 0, ipFailures: 12, ipDistinctAccounts: 8, accountDistinctIps: 0 } }), policy());
    expect(stuffing.action).toBe('deny');
    expect(stuffing.reasons.map((r) => r.signal)).toEqual(['automation_user_agent', 'ip_distinct_accounts', 'new_device', 'ip_failures']);
    const spray = assess(facts({ velocity: { accountFailures: 0, ipFailures: 6, ipDistinctAccounts: 6, accountDistinctIps: 0 } }), policy());
    expect(spray).toMatchObject({ level: 'medium', action: 'challenge' });
    expect(spray.reasons.reduce((s, r) => s + r.points, 0)).toBe(spray.score);
  });

  it("follows the tenant's weights, thresholds and notification choice", () => {
    const quiet = policy({ weights: { new_device: 0 }, notifyNewDevice: false });
    expect(assess(facts({ deviceKnown: false }), quiet)).toMatchObject({ score: 0, action: 'allow' });
    const strict = policy({ thresholds: { challenge: 20, deny: 95 } });
    expect(assess(facts({ deviceKnown: false }), strict).action).toBe('challenge');
    expect(assess(facts({ deviceKnown: false }), policy({ notifyNewDevice: false })).action).toBe('allow');
  });

  it("denies addresses on the tenant's deny list and always allows its allow list, saying so", () => {
    const lists = policy({ ipDeny: ['198.51.100.0/24', '2001:db8::/32'], ipAllow: ['203.0.113.0/24'] });
    expect(assess(facts({ ip: '198.51.100.9' }), lists)).toMatchObject({ action: 'deny', score: 100 });
    expect(assess(facts({ ip: '::ffff:198.51.100.9' }), lists).action).toBe('deny');
    expect(assess(facts({ ip: '2001:db8::1' }), lists).action).toBe('deny');
    const allowed = assess(facts({ ip: '203.0.113.50', userAgent: 'curl/8.5.0' }), lists);
    expect(allowed.action).toBe('allow');
    expect(allowed.reasons[0]?.signal).toBe('ip_allow_list');
    expect(allowed.reasons.some((r) => r.signal === 'automation_user_agent')).toBe(true);
  });

  it('parses ranges strictly: anything that is not an address or a CIDR range matches nothing', () => {
    expect(parseRange('not-an-ip')).toBeNull();
    expect(parseRange('10.0.0.0/33')).toBeNull();
    expect(inRanges('10.1.2.3', [parseRange('10.0.0.0/8')!])).toBe(true);
    expect(inRanges('11.1.2.3', [parseRange('10.0.0.0/8')!])).toBe(false);
    expect(inRanges('garbage', [parseRange('10.0.0.0/8')!])).toBe(false);
    expect(inRanges(null, [parseRange('10.0.0.0/8')!])).toBe(false);
  });
});
