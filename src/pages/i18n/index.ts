// Message lookup and locale negotiation for the hosted pages and mails.
// Negotiation never throws: Accept-Language and ?lang= are attacker-controlled input.

import type { ErrorCode } from '../../core/errors.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import type { Catalogue, MessageKey } from './en.ts';

export type { Catalogue, MessageKey } from './en.ts';

export type Locale = 'en' | 'de';

export const LOCALES: readonly Locale[] = ['en', 'de'];

export const DEFAULT_LOCALE: Locale = 'en';

/** Each language's name in that language, for the language switcher. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', de: 'Deutsch' };

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de };

export type MessageParams = Readonly<Record<string, string | number>>;

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'de';
}

/** The message for `key`, with `{name}` placeholders filled from `params` (unknown ones are kept). */
export function t(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = CATALOGUES[locale]?.[key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Human text for an error code: what happened and what to do. */
export function errorMessage(locale: Locale, code: ErrorCode): string {
  return t(locale, `error.${code}`);
}

const MAX_HEADER_CHARS = 1024;
const MAX_ENTRIES = 32;
const TAG = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
const QUALITY = /^q=(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Maps a language tag ("de", "DE-at", "de_CH") to a supported locale, or null. */
function matchTag(tag: string): Locale | null {
  const primary = tag.trim().toLowerCase().split(/[-_]/, 1)[0];
  return isLocale(primary) ? primary : null;
}

/**
 * The best supported locale in an Accept-Language header (RFC 9110 §12.5.4), or null.
 * Hand-written and bounded: malformed entries are skipped, nothing throws.
 */
function fromAcceptLanguage(header: string): Locale | null {
  const candidates: Array<{ tag: string; q: number; order: number }> = [];
  const refused = new Set<Locale>();
  const entries = header.slice(0, MAX_HEADER_CHARS).split(',', MAX_ENTRIES);
  entries.forEach((entry, order) => {
    const [rawTag = '', ...rawParams] = entry.split(';');
    const tag = rawTag.trim().toLowerCase();
    if (!TAG.test(tag)) return;
    let q = 1;
    for (const rawParam of rawParams) {
      const param = rawParam.replace(/\s+/g, '').toLowerCase();
      if (param.startsWith('q=')) {
        if (!QUALITY.test(param)) return; // a broken weight: ignore the whole entry
        q = Number(param.slice(2));
      }
    }
    if (q === 0) {
      const locale = matchTag(tag);
      if (locale && tag === locale) refused.add(locale);
      return;
    }
    candidates.push({ tag, q, order });
  });
  candidates.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of candidates) {
    if (tag === '*') return LOCALES.find((locale) => !refused.has(locale)) ?? null;
    const locale = matchTag(tag);
    if (locale && !refused.has(locale)) return locale;
  }
  return null;
}

/**
 * The page locale: a valid `override` (from ?lang= or the language cookie) wins, then the
 * browser's Accept-Language preferences, then English.
 */
export function negotiateLocale(acceptLanguage: string | undefined, override: string | undefined): Locale {
  if (typeof override === 'string' && override.length <= 35) {
    const tag = override.trim().toLowerCase().replaceAll('_', '-');
    const chosen = tag !== '*' && TAG.test(tag) ? matchTag(tag) : null;
    if (chosen) return chosen;
  }
  if (typeof acceptLanguage === 'string') {
    const preferred = fromAcceptLanguage(acceptLanguage);
    if (preferred) return preferred;
  }
  return DEFAULT_LOCALE;
}

const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** "12 Mar 2025, 14:05 UTC": times on pages are shown in UTC, labelled as such. */
export function formatDateTime(locale: Locale, epochMs: number): string {
  if (!Number.isFinite(epochMs)) return '—';
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    dateTimeFormats.set(locale, format);
  }
  try {
    return `${format.format(epochMs)} UTC`;
  } catch {
    return '—'; // out of the representable range
  }
}
