// IP addresses and CIDR blocks (IPv4 and IPv6), for NetworkPolicy ipBlock peers.
// Addresses become BigInts, so one comparison serves both families: 198.18.0.1 is
// 0xC6120001; 198.18.0.0/15 holds every address whose top 15 of 32 bits equal those of
// 198.18.0.0, i.e. 198.18.0.0 to 198.19.255.255.

interface Parsed {
  family: 4 | 6;
  value: bigint;
}

export class CidrError extends Error {
  constructor(text: string, why: string) {
    super(`${JSON.stringify(text)} is not ${why}`);
    this.name = 'CidrError';
  }
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseIP(text: string): Parsed {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  throw new CidrError(text, 'an IPv4 or IPv6 address');
}

/** Is `ip` inside `cidr`? Addresses of the other family are never inside. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText, extra] = cidr.split('/');
  if (base === undefined || bitsText === undefined || extra !== undefined || !/^[0-9]+$/.test(bitsText))
    throw new CidrError(cidr, 'a CIDR (address/prefix length)');
  const block = parseIP(base);
  const width = block.family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (bits > width) throw new CidrError(cidr, `a CIDR: the prefix length exceeds ${width}`);
  const addr = parseIP(ip);
  if (addr.family !== block.family) return false;
  const shift = BigInt(width - bits);
  return addr.value >> shift === block.value >> shift;
}
