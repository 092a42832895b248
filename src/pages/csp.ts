// The Content-Security-Policy of every page: our own origin only, no inline code, no framing.
// Pages that end in a redirect to an app widen `form-action` to that app (browsers apply it to
// the redirects after a form post).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** `form-action 'self'` plus the origins a form on this page may end up redirecting to. */
export function cspWithFormTargets(targets: (string | undefined)[]): string {
  const origins = new Set<string>();
  for (const target of targets) {
    if (!target) continue;
    try {
      const url = new URL(target);
      if (url.protocol === 'https:' || url.protocol === 'http:') origins.add(url.origin);
      else origins.add(`${url.protocol}`); // custom-scheme redirects of native apps
    } catch {
      // not a URL: nothing to allow
    }
  }
  if (origins.size === 0) return CONTENT_SECURITY_POLICY;
  return CONTENT_SECURITY_POLICY.replace("form-action 'self'", `form-action 'self' ${[...origins].join(' ')}`);
}
