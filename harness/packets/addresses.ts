/**
 * Address text for decoded packets. Captures repeat the same few addresses, so the
 * text is cached by numeric value: the hot path does an array lookup, not string building.
 */
import { formatIpv6Groups } from '../sys/ipv6.ts';

// Direct-mapped caches: a slot holds the last address that hashed to it (no allocation on a hit).
const SLOTS = 4096;
const ipv4Keys = new Int32Array(SLOTS);
const ipv4Text: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const macHi = new Int32Array(SLOTS);
const macLo = new Int32Array(SLOTS);
const macText: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function slotOf(key: number): number {
  return (key ^ (key >>> 11) ^ (key >>> 22)) & (SLOTS - 1);
}

/** Dotted-quad text of the 4 bytes at `i`. */
export function ipv4At(b: Uint8Array, i: number): string {
  const key = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  const slot = slotOf(key);
  const cached = ipv4Text[slot];
  if (cached !== undefined && ipv4Keys[slot] === key) return cached;
  const text = `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
  ipv4Keys[slot] = key;
  ipv4Text[slot] = text;
  return text;
}

/** `aa:bb:cc:dd:ee:ff` text of the 6 bytes at `i`. */
export function macAt(b: Uint8Array, i: number): string {
  const hi = (b[i]! << 8) | b[i + 1]!;
  const lo = (b[i + 2]! << 24) | (b[i + 3]! << 16) | (b[i + 4]! << 8) | b[i + 5]!;
  const slot = slotOf(lo ^ (hi << 7));
  const cached = macText[slot];
  if (cached !== undefined && macLo[slot] === lo && macHi[slot] === hi) return cached;
  const text = `${HEX2[b[i]!]}:${HEX2[b[i + 1]!]}:${HEX2[b[i + 2]!]}:${HEX2[b[i + 3]!]}:${HEX2[b[i + 4]!]}:${HEX2[b[i + 5]!]}`;
  macHi[slot] = hi;
  macLo[slot] = lo;
  macText[slot] = text;
  return text;
}

/** Link-layer address of any length (SLL headers), as colon-separated hex. */
export function hexAddress(b: Uint8Array, i: number, length: number): string {
  const parts: string[] = [];
  for (let k = 0; k < length; k++) parts.push(HEX2[b[i + k]!]!);
  return parts.join(':');
}

/** RFC 5952 text of the 16 bytes at `i` (lower case, longest zero run as `::`). */
export function ipv6At(b: Uint8Array, i: number): string {
  const groups: number[] = [];
  for (let k = 0; k < 8; k++) groups.push((b[i + 2 * k]! << 8) | b[i + 2 * k + 1]!);
  return formatIpv6Groups(groups);
}

/** Parses dotted-quad text into 4 bytes; throws on anything else (builder input). */
export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  const bytes = parts.map(Number);
  if (parts.length !== 4 || bytes.some((n, k) => !/^\d{1,3}$/.test(parts[k]!) || n > 255)) {
    throw new TypeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return Uint8Array.from(bytes);
}

/** Parses `aa:bb:cc:dd:ee:ff` into 6 bytes; throws on anything else (builder input). */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new TypeError(`not a MAC address: ${JSON.stringify(text)}`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Parses IPv6 text (with at most one `::`, no embedded IPv4) into 16 bytes. */
export function parseIpv6(text: string): Uint8Array {
  const halves = text.split('::');
  const bad = () => new TypeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  if (halves.length > 2) throw bad();
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) throw bad();
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, k) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    const n = parseInt(g, 16);
    out[2 * k] = n >> 8;
    out[2 * k + 1] = n & 0xff;
  });
  return out;
}
