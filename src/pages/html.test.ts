import { describe, expect, it } from 'vitest';
import { SafeHtml, escapeHtml, html, unsafeRaw } from './html.ts';

describe('html tag: escaping by default', () => {
  it('escapes & < > " \' and backtick in interpolated values', () => {
    const out = html`<p title="${`a"b'c\`d`}">${'<b>&</b>'}</p>`.toString();
    expect(out).toBe('<p title="a&quot;b&#39;c&#96;d">&lt;b&gt;&amp;&lt;/b&gt;</p>');
  });

  it('keeps the template text itself as markup', () => {
    expect(html`<em>${'x'}</em>`.toString()).toBe('<em>x</em>');
  });

  it('does not re-escape SafeHtml or arrays of SafeHtml', () => {
    const inner = html`<b>${'<i>'}</b>`;
    const list = ['1', '<2>'].map((item) => html`<li>${item}</li>`);
    expect(html`<div>${inner}</div>`.toString()).toBe('<div><b>&lt;i&gt;</b></div>');
    expect(html`<ul>${list}</ul>`.toString()).toBe('<ul><li>1</li><li>&lt;2&gt;</li></ul>');
  });

  it('escapes plain strings inside arrays and nested arrays', () => {
    expect(html`${['<a>', [html`<b>`, '<c>']]}`.toString()).toBe('&lt;a&gt;<b>&lt;c&gt;');
  });

  it('renders null, undefined and false as nothing; numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${12n}]`.toString()).toBe('[012]');
  });

  it('escapes objects that only look like SafeHtml', () => {
    const fake = { toString: () => '<script>alert(1)</script>' };
    expect(html`${fake as unknown as string}`.toString()).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('cannot be forged with the constructor', () => {
    const Ctor = SafeHtml as unknown as new (value: string, key: symbol) => SafeHtml;
    expect(() => new Ctor('<script>', Symbol('SafeHtml'))).toThrow(TypeError);
  });

  it('unsafeRaw passes trusted markup through', () => {
    expect(html`${unsafeRaw('<hr>')}`.toString()).toBe('<hr>');
  });

  it('escapeHtml leaves ordinary text alone', () => {
    expect(escapeHtml('Grüße, Zoë — 100 %')).toBe('Grüße, Zoë — 100 %');
  });
});
