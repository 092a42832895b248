// A strict little scanner for the markup our pages emit, for tests. Every raw `<` must start a
// well-formed tag with double-quoted attributes; anything else means text escaped badly.

export interface Tag {
  name: string;
  closing: boolean;
  attrs: Map<string, string | true>;
  index: number;
}

const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*>/y;
const ATTR = /\s+([a-z][a-z0-9-]*)(?:="([^"]*)")?/g;

export function scanTags(markup: string): Tag[] {
  const tags: Tag[] = [];
  for (let i = markup.indexOf('<'); i !== -1; i = markup.indexOf('<', i + 1)) {
    if (markup.startsWith('<!doctype html>', i)) continue;
    TAG.lastIndex = i;
    const match = TAG.exec(markup);
    if (!match) throw new Error(`Unexpected markup at ${i}: ${markup.slice(i, i + 80)}`);
    const attrs = new Map<string, string | true>();
    for (const attr of (match[3] ?? '').matchAll(ATTR)) {
      if (attrs.has(attr[1]!)) throw new Error(`Duplicate attribute ${attr[1]} at ${i}`);
      attrs.set(attr[1]!, attr[2] ?? true);
    }
    tags.push({ name: match[2]!, closing: match[1] === '/', attrs, index: i });
  }
  return tags;
}

export function attr(tag: Tag, name: string): string | undefined {
  const value = tag.attrs.get(name);
  return value === true ? '' : value;
}

/** The markup of each <form>…</form>. */
export function forms(markup: string): string[] {
  return [...markup.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((m) => m[0]);
}

/** Decodes the entities the html tag produces, to compare attribute values with inputs. */
export function decodeEntities(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#96;', '`')
    .replaceAll('&amp;', '&');
}
