import { isIPv6 } from 'node:net';

/** IPv6 addresses and prefixes as 128-bit integers (bigint), for validation and planning. */
export interface Cidr6 {
  base: bigint;
  prefix: number;
}

const ALL = (1n << 128n) - 1n;

export function isIpv6(s: string): boolean {
  return isIPv6(s) && !s.includes('%');
}

export function parseIpv6(s: string): bigint {
  if (!isIpv6(s)) throw new RangeError(`not an IPv6 address: ${s}`);
  let text = s;
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The canonical text form (RFC 5952: lowercase, longest run of zero groups as ::). */
export function formatIpv6(n: bigint): string {
  return formatIpv6Groups(Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn)));
}

/** RFC 5952 text of eight 16-bit groups: lower case, the longest run of two or more zero groups as `::`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

export function isCidr6(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  return !!m && isIpv6(m[1]!) && Number(m[2]) <= 128;
}

/** Parses fd00:10:96::/112 (host bits are cleared). */
export function parseCidr6(s: string): Cidr6 {
  if (!isCidr6(s)) throw new RangeError(`not an IPv6 CIDR: ${s}`);
  const [addr, len] = s.split('/') as [string, string];
  const prefix = Number(len);
  return { base: parseIpv6(addr) & mask6(prefix), prefix };
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIpv6(c.base)}/${c.prefix}`;
}

export function cidr6Contains(c: Cidr6, ip: bigint): boolean {
  return (ip & mask6(c.prefix)) === c.base;
}

export function cidr6sOverlap(a: Cidr6, b: Cidr6): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask6(p)) === (b.base & mask6(p));
}

/** Addresses in the prefix (2^(128 − prefix)). */
export function cidr6Size(c: Cidr6): bigint {
  return 1n << BigInt(128 - c.prefix);
}
