// Tenant allow and deny lists of IP ranges (CIDR), parsed once by the maintained ipaddr.js.
import ipaddr from 'ipaddr.js';

export type ParsedRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A range in CIDR notation (a bare address is a /32 or /128); null when it is not one. */
export function parseRange(text: string): ParsedRange | null {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/** Whether `ip` lies in any of `ranges` (IPv4-mapped IPv6 addresses count as IPv4). */
export function inRanges(ip: string | null, ranges: readonly ParsedRange[]): boolean {
  if (!ip || ranges.length === 0 || !ipaddr.isValid(ip)) return false;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match([range, bits] as never));
}

/** The network an address belongs to for familiarity: its /24 (IPv4) or /48 (IPv6); null when not an address. */
export function networkOf(ip: string | null): string | null {
  if (!ip || !ipaddr.isValid(ip)) return null;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') {
    const [a, b, c] = (address as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (address as ipaddr.IPv6).parts;
  return `${parts.slice(0, 3).map((p) => p.toString(16)).join(':')}::/48`;
}
