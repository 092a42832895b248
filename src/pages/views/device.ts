// A short human name for a User-Agent ("Chrome on Linux"), for the sessions list.
// Simple bounded regexes on a truncated string: never throws, never backtracks badly.

import { t } from '../i18n/index.ts';
import type { Locale } from '../i18n/index.ts';

const MAX_UA_CHARS = 512;

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\/|\bAppleWebKit\/.*\bMobile\//, 'Safari'],
  [/^curl\//i, 'curl'],
];

// iOS user agents say "like Mac OS X", Android ones say "Linux": test the specific ones first.
const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

function find(table: ReadonlyArray<readonly [RegExp, string]>, ua: string): string | undefined {
  return table.find(([pattern]) => pattern.test(ua))?.[1];
}

export function describeUserAgent(ua: string | null, locale: Locale = 'en'): string {
  try {
    if (typeof ua !== 'string' || ua.trim() === '') return t(locale, 'device.unknown');
    const text = ua.slice(0, MAX_UA_CHARS);
    const browser = find(BROWSERS, text);
    const os = find(SYSTEMS, text);
    if (browser && os) return t(locale, 'device.browser_on_os', { browser, os });
    if (browser) return browser;
    if (os) return t(locale, 'device.browser_on_os', { browser: t(locale, 'device.a_browser'), os });
    return t(locale, 'device.unknown');
  } catch {
    return 'Unknown device';
  }
}
