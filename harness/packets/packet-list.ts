import { matchShape, type PacketShape } from './match-shape.ts';
import type { Packet } from './packet.ts';
import { summary } from './summary.ts';

export type PacketFilter = ((p: Packet) => boolean) | PacketShape;

function predicateOf(filter: PacketFilter): (p: Packet) => boolean {
  return typeof filter === 'function' ? (filter as (p: Packet) => boolean) : (p) => matchShape(p, filter).ok;
}

/** Decoded packets with filtering and counting for tests. Immutable: `where` returns a new list. */
export class PacketList implements Iterable<Packet> {
  readonly packets: readonly Packet[];

  constructor(packets: Iterable<Packet>) {
    this.packets = [...packets];
  }

  get count(): number {
    return this.packets.length;
  }

  /** Packets matching a predicate or a nested partial shape. */
  where(filter: PacketFilter): PacketList {
    return new PacketList(this.packets.filter(predicateOf(filter)));
  }

  first(filter?: PacketFilter): Packet | undefined {
    return filter ? this.packets.find(predicateOf(filter)) : this.packets[0];
  }

  at(index: number): Packet | undefined {
    return this.packets.at(index);
  }

  /** One tshark-style line per packet, `N  summary`. */
  summaries(): string[] {
    return this.packets.map((p) => summary(p));
  }

  [Symbol.iterator](): Iterator<Packet> {
    return this.packets[Symbol.iterator]();
  }
}
