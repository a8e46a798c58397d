import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose X-Forwarded-For is believed: loopback, link-local and private networks (the
 * ingress controller, nginx of the local system), as Express's "loopback, linklocal,
 * uniquelocal" that the other services use.
 */
const TRUSTED = new BlockList();
for (const [net, prefix] of [
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  TRUSTED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
] as const)
  TRUSTED.addSubnet(net, prefix, 'ipv6');

const MAPPED = '::ffff:';

/**
 * Verdicts already reached, by address. BlockList.check parses the address into a new native
 * SocketAddress on every call, and with a rate limit configured each request asks about its peer
 * (the same few proxies, over and over) and about its X-Forwarded-For hops. Bounded: cleared
 * when it reaches 4,096 addresses, which a flood of new client addresses can cost only a re-check.
 */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 4_096;

function trusted(address: string): boolean {
  const known = verdicts.get(address);
  if (known !== undefined) return known;
  // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d.
  const plain = address.startsWith(MAPPED) && address.includes('.') ? address.slice(MAPPED.length) : address;
  const family = isIP(plain);
  const verdict = family !== 0 && TRUSTED.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(address, verdict);
  return verdict;
}

/**
 * The client's address: the connection's peer, unless that peer is a trusted proxy; then the
 * X-Forwarded-For entries are walked from the right (the one the nearest proxy added) to the
 * first address that is not a trusted proxy. Example: peer 10.0.0.5 (the ingress), header
 * "198.51.100.7, 10.0.0.9" -> 198.51.100.7. An untrusted peer's header is ignored: anyone can
 * write one.
 */
export function clientAddress(req: IncomingMessage): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  if (header === undefined || !trusted(address)) return address;
  const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    if (hop === '') continue;
    address = hop;
    if (!trusted(hop)) break;
  }
  return address;
}
