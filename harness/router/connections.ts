/** The AMQP connections a router has open (inter-router, edge and clients), for management. */
import type { Connection } from 'rhea';

export interface ConnectionRecord {
  /** skrouterd's connection identity: a number, as a string. */
  identity: string;
  conn: Connection;
  role: 'normal' | 'inter-router' | 'edge';
  dir: 'in' | 'out';
  /** The peer's host:port. */
  host: string;
  openedAt: number;
}

export class ConnectionRegistry {
  private readonly records = new Map<Connection, ConnectionRecord>();
  private next = 0;

  /** Records a connection; the returned function forgets it (idempotent). */
  track(conn: Connection, role: ConnectionRecord['role'], dir: ConnectionRecord['dir'], host: string): () => void {
    this.records.set(conn, { identity: String(++this.next), conn, role, dir, host, openedAt: Date.now() });
    return () => void this.records.delete(conn);
  }

  get(conn: Connection): ConnectionRecord | undefined {
    return this.records.get(conn);
  }

  all(): ConnectionRecord[] {
    return [...this.records.values()];
  }
}

/** The links attached on a rhea connection now (every session's; rhea keeps no count of them). */
export function attachedLinks(conn: Connection): number {
  const sessions = (conn as unknown as { local_channel_map: Record<string, { links: Record<string, unknown> }> }).local_channel_map;
  let n = 0;
  for (const s of Object.values(sessions)) n += Object.keys(s.links).length;
  return n;
}
