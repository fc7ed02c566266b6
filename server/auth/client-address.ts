import { BlockList, isIP } from 'node:net';

/**
 * Who the client is, the same answer everywhere (routes, audit rows, the login limiter and lockout, socket
 * logs). The socket's peer is the client unless that peer is a configured reverse proxy (TRUSTED_PROXIES);
 * then `X-Forwarded-For` is read from the right, each hop a proxy appended, and the first address that is
 * not itself a trusted proxy is the client. Anything left of it was written by the client and proves nothing.
 * Node's BlockList does the CIDR matching (IPv4 and IPv6), so no address parsing is hand-written here.
 */
export type ClientAddressOf = (
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
) => string;

/** A proxy chain longer than this is not a deployment, it is a header stuffed to waste our time. */
const MAX_FORWARDED_HOPS = 32;

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`, so one rule and one audit form fit both. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  return a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Parses `TRUSTED_PROXIES` (comma-separated addresses or CIDR ranges); throws on an entry that is neither. */
export function parseTrustedProxies(spec: string | undefined): BlockList | null {
  const entries = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', prefixText] = entry.split('/');
    const address = normalizeAddress(addr);
    const family = isIP(address);
    const prefix = prefixText === undefined ? null : Number(prefixText);
    const maxPrefix = family === 4 ? 32 : 128;
    if (family === 0 || (prefix !== null && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix)))
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === null) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

export function isLoopbackAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

export function createClientAddressOf(trustedProxies: string | undefined): ClientAddressOf {
  const trusted = parseTrustedProxies(trustedProxies);
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted!.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
  return (peer, forwardedFor) => {
    let client = normalizeAddress(peer ?? '');
    if (!trusted || !isTrusted(client) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .slice(-MAX_FORWARDED_HOPS);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(hops[i]!);
      // Not an address: the last hop we could check is as far as the chain can be believed.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return client;
    }
    return client;
  };
}
