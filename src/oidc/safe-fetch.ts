// Outbound HTTP for the OIDC provider (request_uri, jwks_uri, sector_identifier_uri, back-channel
// logout). A URL that a client or a request names can point anywhere, so by default only https to
// public addresses is allowed, with a time limit; the provider itself bounds response sizes.
// Back-channel logout URIs were registered by an administrator, so those follow the redirect URI
// rule instead (http allowed on loopback, for development and tests).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BlockList } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class OutboundRefused extends Error {
  constructor(reason: string) {
    super(`outbound request refused: ${reason}`);
    this.name = 'OutboundRefused';
  }
}

export interface SafeFetchOptions {
  timeoutMs: number;
  /** URLs registered by an administrator (back-channel logout) that may use loopback http. */
  isTrustedUrl: (url: URL) => boolean | Promise<boolean>;
  resolve?: (host: string) => Promise<string[]>;
}

const defaultResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Throws OutboundRefused unless `url` may be fetched; true when it is a trusted (registered) URL. */
export async function checkOutboundUrl(url: URL, options: Pick<SafeFetchOptions, 'isTrustedUrl' | 'resolve'>): Promise<boolean> {
  if (await options.isTrustedUrl(url)) return true;
  if (url.protocol !== 'https:') throw new OutboundRefused('only https is allowed');
  if (url.username || url.password) throw new OutboundRefused('credentials in URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await (options.resolve ?? defaultResolve)(host);
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw new OutboundRefused('host resolves to a private, loopback or link-local address');
  return false;
}

/**
 * A fetch for oidc-provider's `fetch` option. The provider passes a dispatcher that drops any
 * connection to a special-use address after DNS resolution (so a name that rebinds is caught too);
 * we keep it for every URL except registered back-channel logout URIs, which may be loopback.
 */
export function createSafeFetch(options: SafeFetchOptions): (url: URL | string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response> {
  return async (input, init) => {
    const url = new URL(String(input));
    const trusted = await checkOutboundUrl(url, options);
    const { dispatcher, ...rest } = init;
    return fetch(url, { ...rest, ...(trusted || dispatcher === undefined ? {} : { dispatcher }), redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) } as RequestInit);
  };
}
