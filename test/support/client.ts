// A browser-shaped HTTP client for integration tests: keeps cookies, reads the CSRF token from the
// last page, posts forms, and never follows redirects (tests assert on them). Like a browser running
// /assets/bot-challenge.js, it solves the bot challenge a page carries and posts the answer with the
// next form (altcha-lib's own solver).
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

const unescapeHtml = (text: string) => text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The answer to a page's bot challenge, as the page's script would post it. */
export async function solveBotChallenge(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('bot challenge not solved');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

export class FormClient {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();
  lastCsrf = '';
  /** The bot challenge of the last page, when it had one. */
  lastBotChallenge: Challenge | null = null;
  /** False: behave like a client that does not run the page's script. */
  solvesBotChallenges = true;
  headers: Record<string, string> = {};

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.baseUrl = baseUrl;
    this.headers = headers;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: { ...this.headers, ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text);
    if (csrf) this.lastCsrf = csrf[1]!;
    if (method === 'GET' || /<form/.test(text)) {
      const challenge = /data-bot-challenge="([^"]+)"/.exec(text);
      this.lastBotChallenge = challenge ? (JSON.parse(unescapeHtml(challenge[1]!)) as Challenge) : null;
    }
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location'), setCookies };
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.send('GET', path, undefined, headers);
  }

  /** Posts a form with the CSRF token of the last page (unless `_csrf` is given). */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const extra: Record<string, string> = {};
    if (this.solvesBotChallenges && this.lastBotChallenge && fields.bot_solution === undefined) extra.bot_solution = await solveBotChallenge(this.lastBotChallenge);
    const form = new URLSearchParams({ _csrf: this.lastCsrf, ...extra, ...fields });
    return this.send('POST', path, form.toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  raw(method: string, path: string, body: string | Uint8Array<ArrayBuffer> | undefined, headers: Record<string, string>): Promise<Response> {
    return this.send(method, path, body, headers);
  }
}

/** The first link in a mail's text that points at `path`. */
export function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s]*`).exec(text);
  if (!match) throw new Error(`no ${path} link in mail:\n${text}`);
  return match[0];
}
