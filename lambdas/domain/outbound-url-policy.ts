/**
 * Where the platform may send a request to a URL a tenant supplied (today: completion webhooks).
 * A tenant's URL is a request the platform makes on the tenant's behalf from inside AWS, so it must
 * never reach what only the platform can reach: the Lambda Runtime API on 127.0.0.1:9001, the
 * instance metadata service on 169.254.169.254 / fd00:ec2::254, anything private to a VPC.
 *
 * Two checks, one rule. `outboundUrlProblem` checks the URL as written (the workflow schema, smsctl,
 * the notifier before it claims a job); `addressProblem` checks every address a host name resolves
 * to, at connect time, so a name cannot point somewhere the literal could not. Every refusal that is
 * about the destination reads the same, `endpoint not allowed`: the answer must not tell a private
 * address from a public one, nor an open port from a closed one.
 *
 * Hand-written rather than a library's range names (ipaddr.js): the rule is an allowlist (IPv6 only
 * inside global unicast 2000::/3), IPv4 embedded in mapped, NAT64 and 6to4 addresses is judged by the
 * IPv4 rule, and anything that does not parse is refused; no library's classification says exactly
 * that, and this stays pure TypeScript, free of Node imports and dependencies.
 */

export interface OutboundUrlPolicy {
  /**
   * Loopback destinations (127.0.0.0/8, ::1, `localhost`), over http:// as well as https://: only
   * the local stack, whose receivers run on the developer's machine. Deployed stages send https://
   * to public addresses only.
   */
  readonly allowLoopback: boolean;
}

export const DEPLOYED_URL_POLICY: OutboundUrlPolicy = { allowLoopback: false };
export const LOCAL_URL_POLICY: OutboundUrlPolicy = { allowLoopback: true };

/** The one answer for every destination refused. */
export const ENDPOINT_NOT_ALLOWED = 'endpoint not allowed';
export type EndpointNotAllowed = typeof ENDPOINT_NOT_ALLOWED;

export const MAX_OUTBOUND_URL_LENGTH = 2048;

export type OutboundProtocol = 'http:' | 'https:';

/** Why the platform may not send to `raw`, phrased as the fix where the fix is syntactic; undefined when it may. */
export function outboundUrlProblem(raw: string, policy: OutboundUrlPolicy): string | undefined {
  if (raw.length > MAX_OUTBOUND_URL_LENGTH) return `must be at most ${MAX_OUTBOUND_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/sms/completed';
  }
  if (url.username || url.password) {
    return 'must not carry credentials (user:password@); the request is signed instead';
  }
  // `href`, not `hash`: an empty fragment (`/hook#`) leaves `hash` empty.
  if (url.href.includes('#')) return 'must not have a #fragment';
  const protocol = url.protocol;
  if (protocol !== 'https:' && protocol !== 'http:') return HTTPS_ONLY;
  const host = hostClass(url.hostname);
  if (host === 'refused' || (host === 'loopback' && !policy.allowLoopback)) return ENDPOINT_NOT_ALLOWED;
  // Plain HTTP only where it never leaves the machine; a name is resolved later, so it never qualifies.
  if (protocol === 'http:' && host !== 'loopback') return HTTPS_ONLY;
  return undefined;
}

/**
 * Whether a connection to `address` (an IP as `dns.lookup` answers it) is allowed for a URL of
 * `protocol`. Anything that is not a well-formed IPv4 or IPv6 address is refused.
 */
export function addressProblem(
  address: string,
  policy: OutboundUrlPolicy,
  protocol: OutboundProtocol,
): EndpointNotAllowed | undefined {
  const kind = addressClass(address);
  if (kind === 'loopback') return policy.allowLoopback ? undefined : ENDPOINT_NOT_ALLOWED;
  return kind === 'public' && protocol === 'https:' ? undefined : ENDPOINT_NOT_ALLOWED;
}

/**
 * Whether a host whose name resolved to `addresses` may be connected to: refused when any one answer
 * is, so which answer a connect happens to pick never matters.
 */
export function resolvedHostProblem(
  addresses: readonly string[],
  policy: OutboundUrlPolicy,
  protocol: OutboundProtocol,
): EndpointNotAllowed | undefined {
  return addresses.some((address) => addressProblem(address, policy, protocol))
    ? ENDPOINT_NOT_ALLOWED
    : undefined;
}

/** The protocol of a URL `outboundUrlProblem` accepted. */
export function outboundProtocol(url: URL): OutboundProtocol {
  return url.protocol === 'http:' ? 'http:' : 'https:';
}

/** A literal address in a URL's host (brackets stripped), or undefined for a name to resolve. */
export function literalAddress(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return parseIpv4(hostname) !== undefined ? hostname : undefined;
}

const HTTPS_ONLY = 'must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)';

type AddressClass = 'public' | 'loopback' | 'refused';

/**
 * A URL's host as the WHATWG parser leaves it: IPv4 in any spelling (2130706433, 0x7f.1, 0177.0.0.1,
 * 127.1) is already dotted decimal, IPv6 is bracketed and compressed. A name is `public` here and
 * judged by what it resolves to.
 */
function hostClass(hostname: string): AddressClass {
  const literal = literalAddress(hostname);
  if (literal !== undefined) return addressClass(literal);
  // `localhost.` and `example.com.` name the same hosts as without the dot; one spelling per host
  // keeps every check on names exact.
  if (hostname.endsWith('.')) return 'refused';
  // RFC 6761: localhost and every name under it are loopback, whatever a resolver says.
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return 'loopback';
  return 'public';
}

function addressClass(address: string): AddressClass {
  const v4 = parseIpv4(address);
  if (v4 !== undefined) return ipv4Class(v4);
  const v6 = parseIpv6(address);
  return v6 === undefined ? 'refused' : ipv6Class(v6);
}

// ---- IPv4 -------------------------------------------------------------------------------------

/** Special-purpose IPv4 blocks (IANA registry, RFC 6890 and later) that are not the public Internet. */
const IPV4_REFUSED: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, carrier-grade NAT (RFC 6598)
  ['169.254.0.0', 16], // link-local, incl. the instance metadata service 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // documentation TEST-NET-1 (RFC 5737)
  ['192.88.99.0', 24], // 6to4 relay anycast, deprecated (RFC 7526)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation TEST-NET-2
  ['203.0.113.0', 24], // documentation TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved (RFC 1112), incl. the limited broadcast 255.255.255.255
];
const IPV4_LOOPBACK = cidr4('127.0.0.0', 8);
const IPV4_REFUSED_BLOCKS = IPV4_REFUSED.map(([network, bits]) => cidr4(network, bits));

function ipv4Class(address: number): AddressClass {
  if (inCidr4(address, IPV4_LOOPBACK)) return 'loopback';
  return IPV4_REFUSED_BLOCKS.some((block) => inCidr4(address, block)) ? 'refused' : 'public';
}

interface Cidr4 {
  readonly network: number;
  readonly mask: number;
}

function cidr4(network: string, bits: number): Cidr4 {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (parseIpv4(network) ?? 0) & mask, mask };
}

function inCidr4(address: number, { network, mask }: Cidr4): boolean {
  return (address & mask) >>> 0 === network >>> 0;
}

/** Dotted decimal only (what URL parsing and resolvers produce); any other spelling is not IPv4 here. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

// ---- IPv6 -------------------------------------------------------------------------------------

const V6_BITS = 128n;

interface Cidr6 {
  readonly network: bigint;
  readonly bits: number;
}

function cidr6(network: string, bits: number): Cidr6 {
  return { network: parseIpv6(network) ?? 0n, bits };
}

function inCidr6(address: bigint, { network, bits }: Cidr6): boolean {
  const shift = V6_BITS - BigInt(bits);
  return address >> shift === network >> shift;
}

const IPV6_LOOPBACK = 1n;
/** Every public unicast address is allocated from here (RFC 4291, IANA); the rest is special. */
const IPV6_GLOBAL_UNICAST = cidr6('2000::', 3);
/** IPv4-mapped (RFC 4291): on a dual-stack socket this is the IPv4 address itself. */
const IPV6_V4_MAPPED = cidr6('::ffff:0:0', 96);
/** NAT64 well-known prefix (RFC 6052): reaches the embedded IPv4 address through a translator. */
const IPV6_NAT64 = cidr6('64:ff9b::', 96);
/** 6to4 (RFC 3056): the IPv4 address of the tunnel end in bits 16..47. */
const IPV6_6TO4 = cidr6('2002::', 16);
/** Inside 2000::/3 yet not the public Internet. */
const IPV6_REFUSED_UNICAST: readonly Cidr6[] = [
  cidr6('2001::', 23), // IETF protocol assignments: Teredo, benchmarking 2001:2::/48, ORCHID (RFC 6890)
  cidr6('2001:db8::', 32), // documentation (RFC 3849)
  cidr6('3fff::', 20), // documentation (RFC 9637)
];

function ipv6Class(address: bigint): AddressClass {
  if (address === IPV6_LOOPBACK) return 'loopback';
  const low32 = Number(address & 0xffffffffn);
  // A mapped loopback is this host's loopback; any other embedding only relays to a public address.
  if (inCidr6(address, IPV6_V4_MAPPED)) return ipv4Class(low32);
  if (inCidr6(address, IPV6_NAT64)) return ipv4Class(low32) === 'public' ? 'public' : 'refused';
  if (inCidr6(address, IPV6_6TO4)) {
    const embedded = Number((address >> 80n) & 0xffffffffn);
    return ipv4Class(embedded) === 'public' ? 'public' : 'refused';
  }
  // Outside 2000::/3: unspecified ::, IPv4-compatible ::/96, ULA fc00::/7 (incl. fd00:ec2::254),
  // link-local fe80::/10, site-local fec0::/10, multicast ff00::/8, discard 100::/64, ...
  if (!inCidr6(address, IPV6_GLOBAL_UNICAST)) return 'refused';
  return IPV6_REFUSED_UNICAST.some((block) => inCidr6(address, block)) ? 'refused' : 'public';
}

/**
 * RFC 4291 section 2.2 text forms: eight groups, one `::`, an optional dotted IPv4 tail. A zone
 * (`fe80::1%eth0`) or anything else is not parsed, so it is refused.
 */
function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let body = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = lastColon < 0 ? undefined : parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    // `::1.2.3.4` keeps its `::`; `::ffff:1.2.3.4` loses only the colon before the tail.
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const left = hexGroups(halves[0] ?? '');
  const right = halves.length === 2 ? hexGroups(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return undefined;
  const zeros = new Array<number>(8 - explicit).fill(0);
  return [...left, ...zeros, ...right, ...tail].reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function hexGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  for (const group of part.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }
  return groups;
}
