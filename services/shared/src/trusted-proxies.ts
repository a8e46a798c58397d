import { BlockList, isIP } from 'node:net';

/** Loopback only: the safe default (nginx of the local system, the gateway beside auth). */
export const LOOPBACK_PROXIES = '127.0.0.0/8,::1/128';

const MAPPED = '::ffff:';

/**
 * The proxies whose X-Forwarded-For is believed, as a list of CIDRs (`TRUST_PROXY`). Both the
 * Express services (`trust proxy`) and the gateway's own pipeline ask this one object, so they
 * agree on who the client is. In a cluster the list is the pod range of the ingress controller
 * and the gateway; anything wider lets any pod in it write the client address.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  /**
   * Verdicts already reached, by address. BlockList.check parses the address into a native
   * SocketAddress on every call, and a rate-limited request asks about its peer (the same few
   * proxies over and over) and its X-Forwarded-For hops. Cleared at 4,096 addresses: a flood of
   * new addresses costs only re-checks.
   */
  private readonly verdicts = new Map<string, boolean>();

  /** `cidrs` as parsed by parseCidrs (throws a RangeError naming a bad one). */
  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (typeof parsed === 'string') throw new RangeError(parsed);
      this.list.addSubnet(parsed.network, parsed.prefix, parsed.family);
    }
  }

  static parse(raw: string): TrustedProxies {
    return new TrustedProxies(splitList(raw));
  }

  trusts(address: string): boolean {
    const known = this.verdicts.get(address);
    if (known !== undefined) return known;
    // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d.
    const plain =
      address.startsWith(MAPPED) && address.includes('.') ? address.slice(MAPPED.length) : address;
    const family = isIP(plain);
    const verdict = family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    if (this.verdicts.size >= 4_096) this.verdicts.clear();
    this.verdicts.set(address, verdict);
    return verdict;
  }

  /**
   * The client's address: the peer, unless the peer is trusted; then the X-Forwarded-For
   * entries from the right (the one the nearest proxy added) to the first address that is not
   * trusted. Example with 198.18.0.0/15 trusted: peer 198.18.1.5 (the ingress), header
   * "203.0.113.7, 198.18.2.9" -> 203.0.113.7. An untrusted peer's header is ignored: anyone can
   * write one. This is the walk Express makes for `req.ip` with the same list.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let address = peer ?? 'unknown';
    if (forwardedFor === undefined || !this.trusts(address)) return address;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (hop === '') continue;
      address = hop;
      if (!this.trusts(hop)) break;
    }
    return address;
  }

  toString(): string {
    return this.cidrs.join(',');
  }
}

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** One CIDR, or a sentence saying what is wrong with it. A bare address is a /32 or /128. */
function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | string {
  const [network = '', prefixText, extra] = cidr.split('/');
  const family = isIP(network);
  if (family === 0 || extra !== undefined)
    return `"${cidr}" is not a CIDR (like 198.18.0.0/15, 10.0.0.1 or fd00::/8)`;
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { network, prefix: max, family: family === 4 ? 'ipv4' : 'ipv6' };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `"${cidr}": the prefix length must be 0..${max}`;
  return { network, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Parses a comma-separated CIDR list for a config setting: every bad entry is named. An empty
 * list trusts nobody (every peer is the client).
 */
export function parseCidrs(raw: string): { value: TrustedProxies } | { problem: string } {
  const problems = splitList(raw)
    .map(parseCidr)
    .filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) return { problem: problems.join('; ') };
  return { value: TrustedProxies.parse(raw) };
}
