/** Big-endian reads from a byte array; callers check bounds first. */

export function u16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}

export function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

export function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
