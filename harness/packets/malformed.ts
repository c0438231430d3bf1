import type { Packet } from './packet.ts';

/** Marks `p` malformed at absolute position `at` of a frame starting at `base`; returns -1. */
export function fault(p: Packet, base: number, at: number, layer: string, reason: string): -1 {
  const why = p.cut ? `${reason} (frame cut by the capture snaplen)` : reason;
  p.malformed = { offset: at - base, reason: why, layer };
  return -1;
}

/** Marks `p` malformed because `need` bytes of `what` are not there; returns -1. */
export function truncated(p: Packet, base: number, at: number, end: number, layer: string, what: string, need: number): -1 {
  const have = Math.max(0, end - at);
  return fault(p, base, at, layer, `truncated ${what}: need ${need} bytes, have ${have}`);
}
