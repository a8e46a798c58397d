import { BlockList, isIPv4 } from 'node:net';

/**
 * Whether an upload's host is one every visitor's browser may be sent to. The page shows
 * uploaded pictures to everyone, so a URL to `127.0.0.1`, `192.168.0.1` or `169.254.169.254`
 * would make each visitor's browser request something on its own machine or network (a router's
 * admin page, a cloud metadata service): the catalog only takes hosts on the public internet.
 *
 * The host is judged as WHATWG URL parsing left it, which has already turned every spelling of
 * an IPv4 address into dotted decimal (`0x7f.1`, `2130706433`, `0177.0.0.1` are `127.0.0.1`)
 * and every IPv6 address into its compressed form in brackets (`[::ffff:127.0.0.1]` is
 * `[::ffff:7f00:1]`), so one table of ranges covers them all.
 *
 * Names are judged by their form only, never resolved: the service does not fetch the picture,
 * each visitor's browser does, later, through its own resolver, so what a name resolved to here
 * at upload time would prove nothing (it can point elsewhere by then, or for someone else).
 * Names that are local by definition are refused: `localhost` and `*.localhost` (RFC 6761),
 * single-label names (resolved through a network's search domains, like a cluster's Service
 * names), and the suffixes reserved for local networks (`.local`, `.internal`, `.home.arpa`,
 * `.localdomain`, `.lan`).
 */
export type HostVerdict = { public: true } | { public: false; reason: string };

/** The non-public ranges (IANA's special-purpose address registries), by what a person calls them. */
const RANGES: [kind: string, cidrs: string[]][] = [
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']],
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  ['unique-local', ['fc00::/7', 'fec0::/10']],
  ['multicast', ['224.0.0.0/4', 'ff00::/8']],
  [
    'reserved',
    [
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      // IPv4-compatible (deprecated), NAT64, discard, documentation, 6to4 and Teredo: forms that
      // embed an IPv4 address or lead nowhere public. (IPv4-mapped ::ffff:0:0/96 needs no row:
      // BlockList checks the IPv4 address inside it against the IPv4 rows.)
      '::/96',
      '64:ff9b::/96',
      '64:ff9b:1::/48',
      '100::/64',
      '2001::/23',
      '2001:db8::/32',
      '2002::/16',
      '3fff::/20',
      '5f00::/16',
    ],
  ],
];

const BLOCKS: [kind: string, list: BlockList][] = RANGES.map(([kind, cidrs]) => {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return [kind, list];
});

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain', '.lan'];
const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Judges `hostname` as `new URL(...).hostname` gives it (lower case, IPv6 in brackets). */
export function judgeHost(hostname: string): HostVerdict {
  const ipv6 = hostname.startsWith('[') && hostname.endsWith(']');
  if (ipv6 || DOTTED_QUAD.test(hostname)) {
    const address = ipv6 ? hostname.slice(1, -1) : hostname;
    const family = ipv6 ? 'ipv6' : 'ipv4';
    for (const [kind, list] of BLOCKS)
      if (list.check(address, family)) return { public: false, reason: `${hostname} is a ${kind} address` };
    return { public: true };
  }
  // A trailing dot makes a name absolute (`localhost.` is `localhost`).
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost' || LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix)))
    return { public: false, reason: `${hostname} is a name for a local host or network` };
  if (!name.includes('.'))
    return {
      public: false,
      reason: `${hostname} is a single-label name, resolved only inside a local network`,
    };
  return { public: true };
}
