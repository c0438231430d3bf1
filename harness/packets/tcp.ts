import { u16, u32 } from './bytes.ts';
import { fault, truncated } from './malformed.ts';
import type { Packet, TcpOptions } from './packet.ts';

/** Decodes a TCP header and its options into `p.tcp`; returns the payload offset or -1. */
export function decodeTcp(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 20) return truncated(p, base, off, end, 'tcp', 'TCP header', 20);
  const headerLength = (b[off + 12]! >> 4) * 4;
  const flagBits = ((b[off + 12]! & 1) << 8) | b[off + 13]!;
  p.tcp = {
    srcPort: u16(b, off),
    dstPort: u16(b, off + 2),
    seq: u32(b, off + 4),
    ack: u32(b, off + 8),
    headerLength,
    flagBits,
    flags: {
      fin: (flagBits & 0x01) !== 0,
      syn: (flagBits & 0x02) !== 0,
      rst: (flagBits & 0x04) !== 0,
      psh: (flagBits & 0x08) !== 0,
      ack: (flagBits & 0x10) !== 0,
      urg: (flagBits & 0x20) !== 0,
      ece: (flagBits & 0x40) !== 0,
      cwr: (flagBits & 0x80) !== 0,
    },
    window: u16(b, off + 14),
    checksum: u16(b, off + 16),
    urgentPointer: u16(b, off + 18),
    options: undefined,
    payloadLength: 0,
  };
  if (headerLength < 20) return fault(p, base, off + 12, 'tcp', `TCP header length ${headerLength} < 20`);
  if (end - off < headerLength) return truncated(p, base, off, end, 'tcp', 'TCP header with options', headerLength);
  p.tcp.payloadLength = end - off - headerLength;
  if (headerLength > 20) {
    const options: TcpOptions = {};
    p.tcp.options = options;
    const bad = decodeOptions(b, off + 20, off + headerLength, options);
    if (bad >= 0) return fault(p, base, bad, 'tcp', `bad length of TCP option ${b[bad]}`);
  }
  return off + headerLength;
}

/** Fills `o` from the options in `[at, end)`; returns -1, or the offset of a bad option. */
function decodeOptions(b: Uint8Array, at: number, end: number, o: TcpOptions): number {
  while (at < end) {
    const kind = b[at]!;
    if (kind === 0) return -1;
    if (kind === 1) {
      at++;
      continue;
    }
    if (at + 1 >= end) return at;
    const len = b[at + 1]!;
    if (len < 2 || at + len > end) return at;
    if (kind === 2 && len === 4) o.mss = u16(b, at + 2);
    else if (kind === 3 && len === 3) o.windowScale = b[at + 2]!;
    else if (kind === 4 && len === 2) o.sackPermitted = true;
    else if (kind === 8 && len === 10) o.timestamp = { value: u32(b, at + 2), echo: u32(b, at + 6) };
    else if (kind === 5 && (len - 2) % 8 === 0) {
      o.sack = [];
      for (let k = at + 2; k < at + len; k += 8) o.sack.push([u32(b, k), u32(b, k + 4)]);
    } else if (kind <= 8) return at;
    at += len;
  }
  return -1;
}
