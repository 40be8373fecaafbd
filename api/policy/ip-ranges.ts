// CIDR ranges for IPv4, IPv6 and IPv4-mapped IPv6 (ipaddr.js), used by enforcement and API-key rules.
import ipaddr from 'ipaddr.js';

export function isValidCidr(cidr: string): boolean {
  try {
    ipaddr.parseCIDR(cidr.trim());
    return true;
  } catch {
    return false;
  }
}

/** Canonical text of a range (`10.0.0.0/8`, `2001:db8::/32`); throws on a bad one. */
export function normaliseCidr(cidr: string): string {
  const [address, bits] = ipaddr.parseCIDR(cidr.trim());
  // The network address, so `10.0.0.1/8` and `10.0.0.0/8` are one range.
  const network =
    address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr.trim()) : ipaddr.IPv6.networkAddressFromCIDR(cidr.trim());
  return `${network.toString()}/${bits}`;
}

export function isInRanges(address: string, ranges: readonly string[]): boolean {
  if (ranges.length === 0 || !ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address); // ::ffff:a.b.c.d becomes a.b.c.d
  return ranges.some((cidr) => {
    try {
      const [rangeAddress, bits] = ipaddr.parseCIDR(cidr);
      const range =
        rangeAddress.kind() === 'ipv6' && (rangeAddress as ipaddr.IPv6).isIPv4MappedAddress()
          ? (rangeAddress as ipaddr.IPv6).toIPv4Address()
          : rangeAddress;
      const rangeBits = range === rangeAddress ? bits : bits - 96;
      return ip.kind() === range.kind() && ip.match(range, rangeBits);
    } catch {
      return false;
    }
  });
}

/** Does `outer` cover all of `inner`? (Used to tell whether a change of ranges widens or narrows them.) */
export function rangeCovers(outer: string, inner: string): boolean {
  const [innerAddress, innerBits] = ipaddr.parseCIDR(inner);
  const [outerAddress, outerBits] = ipaddr.parseCIDR(outer);
  return innerAddress.kind() === outerAddress.kind() && outerBits <= innerBits && innerAddress.match(outerAddress, outerBits);
}
