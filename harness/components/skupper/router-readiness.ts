/**
 * When a skupper router is ready, judged from what its management agent says (the same
 * for skrouterd and the built-in router): every expected peer router is reachable
 * (`router.node` with a cost), and every tcpListener of an address it consumes is up
 * (skrouterd opens a tcpListener only once a tcpConnector for its address is reachable).
 */

export interface ReadinessExpectation {
  /** Router ids this router must reach. */
  peers: readonly string[];
  /** Addresses whose tcpListeners on this router must be up. */
  addresses: readonly string[];
}

/** The attributes the probe asks for. */
export const NODE_ATTRIBUTES = ['id', 'cost', 'nextHop', 'routerLink'] as const;
export const TCP_LISTENER_ATTRIBUTES = ['name', 'address', 'operStatus', 'connectionMsg'] as const;

type Row = Record<string, unknown>;

/** Ready, or what is missing and what was seen instead (for the timeout error). */
export function readiness(nodes: readonly Row[], tcpListeners: readonly Row[], want: ReadinessExpectation): { ready: boolean; seen: string } {
  const reach = new Map(nodes.filter((n) => n['nextHop'] !== '(self)').map((n) => [String(n['id']), n['cost']]));
  const missingPeers = want.peers.filter((p) => typeof reach.get(p) !== 'number');
  const listenerOf = new Map(tcpListeners.map((l) => [String(l['address']), l]));
  const missingAddrs = want.addresses.filter((a) => listenerOf.get(a)?.['operStatus'] !== 'up');
  if (missingPeers.length === 0 && missingAddrs.length === 0) return { ready: true, seen: '' };
  const routers = [...reach].map(([id, cost]) => (typeof cost === 'number' ? `${id} (cost ${cost})` : `${id} (unreachable)`));
  const listeners = want.addresses.map((a) => {
    const l = listenerOf.get(a);
    if (!l) return `${a}: no tcpListener`;
    const msg = l['connectionMsg'] ? `, ${String(l['connectionMsg'])}` : '';
    return `${a}: ${String(l['operStatus'])}${msg}`;
  });
  const parts = [`routers reached: [${routers.join(', ')}]`];
  if (missingPeers.length) parts.push(`not reached: [${missingPeers.join(', ')}]`);
  if (want.addresses.length) parts.push(`tcpListeners: [${listeners.join('; ')}]`);
  return { ready: false, seen: parts.join('; ') };
}
