// Bot indicators: an automation user agent, client hints that contradict the user agent (or are
// missing where a Chromium browser always sends them), and a form sent back faster than a person can.
import type { RiskSignal } from '../signal.ts';

// Tools that drive or imitate a browser. HTTP libraries that native apps are built on (OkHttp,
// URLSession, Go's and Java's clients) are left out: a customer's own app must not look like a bot.
const AUTOMATION = /headlesschrome|phantomjs|selenium|webdriver|puppeteer|playwright|python-requests|python-urllib|aiohttp|curl\/|wget\/|libwww-perl|scrapy/i;

export const automationUserAgent: RiskSignal = {
  name: 'automation_user_agent',
  defaultWeight: 45,
  evaluate(facts) {
    if (!facts.userAgent) return { strength: 1, reason: 'no user agent' };
    return AUTOMATION.test(facts.userAgent) ? { strength: 1, reason: 'the user agent is an automation tool' } : null;
  },
};

/** Chromium browsers send `sec-ch-ua` over https; its brand must fit the user agent. */
export const clientHintsMismatch: RiskSignal = {
  name: 'client_hints_mismatch',
  defaultWeight: 20,
  evaluate(facts) {
    const ua = facts.userAgent ?? '';
    const hints = facts.clientHints['sec-ch-ua'];
    const chromium = /Chrome\/\d+/.test(ua) && !/Edg\/|OPR\//.test(ua);
    if (hints === undefined) return null;
    if (/Firefox\/|Safari\//.test(ua) && !/Chrome\//.test(ua)) return { strength: 1, reason: 'client hints sent by a browser that does not send them' };
    if (chromium && !/Chrom/i.test(hints)) return { strength: 1, reason: 'client hints do not match the user agent' };
    const mobileHint = facts.clientHints['sec-ch-ua-mobile'];
    if (mobileHint !== undefined && (mobileHint === '?1') !== /Mobile/.test(ua)) return { strength: 0.5, reason: 'client hints and user agent disagree about a mobile device' };
    return null;
  },
};

/** A person needs a moment to type an address and a password. */
export const tooFast: RiskSignal = {
  name: 'too_fast',
  defaultWeight: 30,
  evaluate(facts) {
    if (facts.formMillis === null || facts.formMillis >= 1500) return null;
    return { strength: facts.formMillis < 500 ? 1 : 0.5, reason: `the form came back ${facts.formMillis} ms after it was served` };
  },
};

/** The proof-of-work challenge was asked for and the answer was wrong, stale or used before. */
export const botChallengeFailed: RiskSignal = {
  name: 'bot_challenge_failed',
  defaultWeight: 50,
  evaluate(facts) {
    return facts.botChallenge === 'failed' ? { strength: 1, reason: 'the bot challenge was not solved' } : null;
  },
};
