import { describe, expect, it } from 'vitest';
import { html } from './html.ts';
import { contrastRatio, DEFAULT_PRIMARY_COLOR, languageUrl, renderDocument, renderThemeCss } from './layout.ts';
import type { PageContext } from './layout.ts';

const ctx = (overrides: Partial<PageContext> = {}): PageContext => ({
  locale: 'en',
  tenant: { id: 'acme', name: 'Acme', branding: {} },
  csrfToken: 'csrf-token',
  currentUrl: '/t/acme/login?return=%2Fx',
  ...overrides,
});

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('renderDocument', () => {
  it('is a complete document with language, viewport, title and stylesheets', () => {
    const out = renderDocument(ctx({ locale: 'de' }), { title: 'Anmelden', body: html`<p>Hallo</p>` });
    expect(out.startsWith('<!doctype html>')).toBe(true);
    expect(out).toContain('<html lang="de"');
    expect(out).toContain('<meta charset="utf-8">');
    expect(out).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(out).toContain('<title>Anmelden · Acme</title>');
    expect(out).toContain('<link rel="stylesheet" href="/assets/frontdoor.css">');
    expect(out).toContain('<link rel="stylesheet" href="/t/acme/theme.css">');
    expect(out).toContain('<main id="main"');
    expect(out).toContain('<a class="fd-skip" href="#main">Zum Inhalt springen</a>');
    expect(out).toContain('<p>Hallo</p>');
  });

  it('has no theme link and a product name without a tenant', () => {
    const out = renderDocument(ctx({ tenant: null }), { title: 'Mailbox', body: html`` });
    expect(out).not.toContain('theme.css');
    expect(out).toContain('<title>Mailbox · Frontdoor</title>');
  });

  it('escapes the tenant id in the theme URL and the name everywhere', () => {
    const out = renderDocument(ctx({ tenant: { id: 'a"b/../c', name: '<b>Evil</b>', branding: {} } }), { title: 'T', body: html`` });
    expect(out).toContain('href="/t/a%22b%2F..%2Fc/theme.css"');
    expect(out).not.toContain('<b>Evil</b>');
    expect(out).toContain('&lt;b&gt;Evil&lt;/b&gt;');
  });

  it('shows a logo only for data:image URLs', () => {
    const logo = (logoUrl: string) =>
      renderDocument(ctx({ tenant: { id: 'acme', name: 'Acme', branding: { logoUrl } } }), { title: 'T', body: html`` });
    expect(logo(PNG)).toContain(`<img class="fd-logo" src="${PNG}" alt="Acme">`);
    for (const bad of [
      'https://cdn.example/logo.png',
      '//evil.example/logo.png',
      'javascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'data:image/png;base64,AAA" onerror="alert(1)',
      'data:image/svg+xml,<svg onload=alert(1)>',
    ]) {
      const out = logo(bad);
      expect(out, bad).not.toContain('<img');
      expect(out, bad).toContain('<span class="fd-brand-name">Acme</span>');
    }
  });

  it('has a language switcher that keeps the other query parameters', () => {
    const out = renderDocument(ctx({ currentUrl: '/t/acme/verify?token=abc&lang=en' }), { title: 'T', body: html`` });
    expect(out).toContain('<a href="/t/acme/verify?token=abc&amp;lang=en" hreflang="en" lang="en" aria-current="true">English</a>');
    expect(out).toContain('<a href="/t/acme/verify?token=abc&amp;lang=de" hreflang="de" lang="de">Deutsch</a>');
  });

  it('records the status for the route', () => {
    expect(renderDocument(ctx(), { title: 'T', body: html``, status: 404 })).toContain('<body data-status="404">');
  });
});

describe('languageUrl', () => {
  it('replaces lang and keeps everything else', () => {
    expect(languageUrl('/t/acme/login', 'de')).toBe('/t/acme/login?lang=de');
    expect(languageUrl('/t/acme/login?a=1&lang=en&b=2', 'de')).toBe('/t/acme/login?a=1&lang=de&b=2');
    expect(languageUrl('/t/acme/login?lang=en&lang=fr', 'de')).toBe('/t/acme/login?lang=de');
  });

  it('never leaves the origin', () => {
    for (const input of ['//evil.example/x', '///evil.example/x', '/\\evil.example/x', '/.//evil.example/x', '/a/..//evil.example/x', 'https://evil.example/x?y=1', 'javascript:alert(1)', '\\\\evil.example']) {
      const url = languageUrl(input, 'de');
      expect(url, input).toMatch(/^\/(?![/\\])/);
      expect(new URL(url, 'https://id.example').origin, input).toBe('https://id.example');
      expect(url, input).not.toContain('javascript');
    }
  });

  it('survives garbage', () => {
    expect(languageUrl('', 'en')).toBe('/?lang=en');
    expect(languageUrl('%%%', 'en')).toMatch(/^\//);
    expect(languageUrl('/a b"<c>', 'en')).toBe('/a%20b%22%3Cc%3E?lang=en');
  });
});

describe('renderThemeCss', () => {
  const primaryOf = (css: string) => /--fd-primary: (#[0-9a-f]{6});/.exec(css)?.[1];
  const varOf = (css: string, name: string) => new RegExp(`--${name}: (#[0-9a-f]{6});`).exec(css)?.[1];

  it('uses a valid tenant colour', () => {
    const css = renderThemeCss({ primaryColor: '#0F766E' });
    expect(primaryOf(css)).toBe('#0f766e');
    expect(varOf(css, 'fd-on-primary')).toBe('#ffffff');
  });

  it('rejects anything that is not exactly #rrggbb', () => {
    for (const bad of [
      'red;}body{display:none',
      'red',
      '#fff',
      '#12345g',
      '#1234567',
      '#123456;}body{display:none}',
      '#123456 }',
      '#123456\n}',
      ' #123456',
      'rgb(0,0,0)',
      'var(--x)',
      'url(https://evil.example/x)',
      '</style><script>alert(1)</script>',
      '',
      42,
      null,
    ]) {
      const css = renderThemeCss({ primaryColor: bad as string });
      expect(primaryOf(css), String(bad)).toBe(DEFAULT_PRIMARY_COLOR);
      if (typeof bad === 'string' && bad.length > 7) expect(css, bad).not.toContain(bad);
      expect(css).not.toMatch(/[<>{]\s*body|display|url\(|script/);
    }
    expect(primaryOf(renderThemeCss(undefined))).toBe(DEFAULT_PRIMARY_COLOR);
    expect(primaryOf(renderThemeCss({}))).toBe(DEFAULT_PRIMARY_COLOR);
  });

  it('picks a readable text colour for buttons', () => {
    for (const colour of ['#1d4ed8', '#ffff00', '#ffffff', '#000000', '#3b82f6', '#22c55e', '#f97316', '#7c3aed']) {
      const css = renderThemeCss({ primaryColor: colour });
      const on = varOf(css, 'fd-on-primary')!;
      const best = Math.max(contrastRatio(colour, '#ffffff'), contrastRatio(colour, '#111827'));
      expect(contrastRatio(colour, on), colour).toBeGreaterThanOrEqual(Math.min(4.5, best));
    }
    expect(varOf(renderThemeCss({ primaryColor: '#ffff00' }), 'fd-on-primary')).toBe('#111827');
  });

  it('darkens light colours for links so they stay readable (AA)', () => {
    for (const colour of ['#ffff00', '#ffffff', '#22c55e', '#1d4ed8']) {
      const link = varOf(renderThemeCss({ primaryColor: colour }), 'fd-primary-text')!;
      expect(contrastRatio(link, '#f3f4f6'), colour).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(link, '#ffffff'), colour).toBeGreaterThanOrEqual(4.5);
    }
  });
});
