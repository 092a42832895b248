// Security requirement: every value interpolated into a page is escaped unless it is already
// SafeHtml, so user data can never become markup. This tag is the only way pages build HTML.

const brand = Symbol('SafeHtml');

/** A string of markup that is safe to emit as is. Only `html` and `unsafeRaw` make one. */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string, key: symbol) {
    if (key !== brand) throw new TypeError('SafeHtml is made by the html tag or unsafeRaw only');
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes & < > " ' and ` so the text is inert in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => entities[ch] ?? ch);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`; SafeHtml and arrays of it pass through. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out, brand);
}

/** Marks trusted markup written by us. Never pass user data, tenant data or request data. */
export function unsafeRaw(markup: string): SafeHtml {
  return new SafeHtml(markup, brand);
}
