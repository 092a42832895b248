// The document around every hosted page, and the per-tenant theme stylesheet.
// Security requirement: CSP is `default-src 'self'` without 'unsafe-inline', so no page has inline
// <style>, style= attributes, inline <script> or on*= handlers; tenant data only ever reaches the
// page escaped, and the tenant colour reaches CSS only after a strict #rrggbb check.

import type { TenantBranding } from '../core/ports.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { LOCALE_NAMES, LOCALES, t } from './i18n/index.ts';
import type { Locale } from './i18n/index.ts';

export interface PageContext {
  locale: Locale;
  tenant: { id: string; name: string; branding: TenantBranding } | null;
  csrfToken: string;
  /** Path and query of the current request, e.g. `/t/acme/login?lang=de`. */
  currentUrl: string;
}

export interface DocumentOptions {
  /** The page's own title; the document title adds the tenant name. */
  title: string;
  body: SafeHtml;
  /** HTTP status the route answers with; the route sets it, the page only records it. */
  status?: number;
  /** A wider card, for pages with lists (account, mailbox). */
  wide?: boolean;
  /** Go on to `url` after `seconds`, without script (a meta refresh). */
  refresh?: { seconds: number; url: string };
  /** Load the passkey script (pages with a WebAuthn ceremony or signal); everything works without it otherwise. */
  passkeys?: boolean;
  /** Load the bot-challenge solver (a form carries data-bot-challenge). */
  botChallenge?: boolean;
}

/** Our own scripts, never inline (the CSP allows only same-origin files). */
const PASSKEY_SCRIPTS = html`
<script src="/assets/webauthn.js" defer></script>
<script src="/assets/passkeys.js" defer></script>`;
const BOT_CHALLENGE_SCRIPT = html`
<script type="module" src="/assets/bot-challenge.js"></script>`;

/** `/t/{tenantId}{path}`, with the id percent-encoded. `path` starts with a slash. */
export function tenantPath(tenantId: string, path: string): string {
  return `/t/${encodeURIComponent(tenantId)}${path}`;
}

const BASE = new URL('http://frontdoor.invalid/');

/**
 * The current URL (path + query) with `lang` set to `locale`, other query parameters kept.
 * Always a same-origin absolute path: a scheme, a host or a leading `//` in the input is dropped.
 */
export function languageUrl(currentUrl: string, locale: Locale): string {
  let url: URL;
  try {
    url = new URL(currentUrl, BASE);
  } catch {
    url = new URL('/', BASE);
  }
  if (url.origin !== BASE.origin) url = new URL('/', BASE);
  const params = new URLSearchParams(url.search);
  params.set('lang', locale);
  const path = url.pathname.replace(/^\/+/, '/');
  return `${path}?${params.toString()}`;
}

const LOGO_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp|avif|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

/** Only inline images are shown: CSP forbids other origins, and `data:` keeps the page self-contained. */
export function isAllowedLogoUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 * 1024 && LOGO_DATA_URL.test(value);
}

function renderBrand(ctx: PageContext): SafeHtml {
  const name = ctx.tenant?.name ?? t(ctx.locale, 'layout.product');
  const logoUrl = ctx.tenant?.branding.logoUrl;
  if (isAllowedLogoUrl(logoUrl)) {
    return html`<img class="fd-logo" src="${logoUrl}" alt="${name}">`;
  }
  return html`<span class="fd-brand-name">${name}</span>`;
}

function renderLanguageSwitcher(ctx: PageContext): SafeHtml {
  const items = LOCALES.map(
    (locale) =>
      html`<li><a href="${languageUrl(ctx.currentUrl, locale)}" hreflang="${locale}" lang="${locale}"${
        locale === ctx.locale && html` aria-current="true"`
      }>${LOCALE_NAMES[locale]}</a></li>`,
  );
  return html`<nav class="fd-langs" aria-label="${t(ctx.locale, 'layout.language')}"><ul>${items}</ul></nav>`;
}

/** The whole HTML document for a page. */
export function renderDocument(ctx: PageContext, options: DocumentOptions): string {
  const siteName = ctx.tenant?.name ?? t(ctx.locale, 'layout.product');
  const themeLink = ctx.tenant && html`
<link rel="stylesheet" href="${tenantPath(ctx.tenant.id, '/theme.css')}">`;
  const status = options.status !== undefined && Number.isInteger(options.status) ? String(options.status) : undefined;
  const document = html`<!doctype html>
<html lang="${ctx.locale}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">${options.refresh && html`
<meta http-equiv="refresh" content="${`${options.refresh.seconds};url=${options.refresh.url}`}">`}
<title>${options.title} · ${siteName}</title>
<link rel="stylesheet" href="/assets/frontdoor.css">${themeLink}${options.passkeys && PASSKEY_SCRIPTS}${options.botChallenge && BOT_CHALLENGE_SCRIPT}
</head>
<body${status && html` data-status="${status}"`}>
<a class="fd-skip" href="#main">${t(ctx.locale, 'layout.skip')}</a>
<header class="fd-header">${renderBrand(ctx)}</header>
<main id="main" class="${options.wide ? 'fd-card fd-card--wide' : 'fd-card'}" tabindex="-1">
${options.body}
</main>
<footer class="fd-footer">${renderLanguageSwitcher(ctx)}</footer>
</body>
</html>
`;
  return document.toString();
}

// ---------------------------------------------------------------------------------------------
// Theme: the tenant colour as CSS custom properties, served at /t/{tenantId}/theme.css.

export const DEFAULT_PRIMARY_COLOR = '#1d4ed8';
const WHITE = '#ffffff';
const INK = '#111827';
/** Page background in frontdoor.css; link colours must stay readable on it and on white. */
const PAGE_BACKGROUND = '#f3f4f6';

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

export function isValidColor(value: unknown): value is string {
  return typeof value === 'string' && HEX_COLOR.test(value);
}

type Rgb = [number, number, number];

function toRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = toRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(hex: string, toward: string, amount: number): string {
  const a = toRgb(hex);
  const b = toRgb(toward);
  return toHex([0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * amount) as Rgb);
}

/** Text colour on the primary colour: white when it reads well (AA), else whichever reads better. */
export function onPrimaryColor(primary: string): string {
  if (contrastRatio(primary, WHITE) >= 4.5) return WHITE;
  return contrastRatio(primary, INK) > contrastRatio(primary, WHITE) ? INK : WHITE;
}

/** The primary colour darkened just enough for AA text (links, focus rings) on the page background. */
function primaryTextColor(primary: string): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(primary, '#000000', step / 20);
    if (contrastRatio(candidate, PAGE_BACKGROUND) >= 4.5) return candidate;
  }
  return INK;
}

export function renderThemeCss(branding: TenantBranding | null | undefined): string {
  const requested = branding?.primaryColor;
  const primary = (isValidColor(requested) ? requested : DEFAULT_PRIMARY_COLOR).toLowerCase();
  const onPrimary = onPrimaryColor(primary);
  const hover = mix(primary, onPrimary === WHITE ? '#000000' : WHITE, 0.15);
  return `/* Frontdoor tenant theme */
:root {
  --fd-primary: ${primary};
  --fd-primary-hover: ${hover};
  --fd-on-primary: ${onPrimary};
  --fd-primary-text: ${primaryTextColor(primary)};
}
`;
}
