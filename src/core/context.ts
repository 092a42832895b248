/** Who is asking, from where: carried from the edge into every domain call for audit and limits. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  locale: string;
  /** `user:<id>`, `admin:<token id>`, `cli`, or `anonymous`. */
  actor: string;
}

export const cliContext: RequestContext = { ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'cli' };

/** What background jobs act as. */
export const systemContext: RequestContext = { ip: null, userAgent: null, requestId: null, locale: 'en', actor: 'system' };
