/**
 * The router's entities as skrouterd's management agent shows them: one row (attribute name
 * → value, skrouterd's names and meanings) per entity, for the types this router implements.
 */
import type { TLSSocket } from 'node:tls';
import { distributionFor } from '../address-config.ts';
import { logName } from '../config.ts';
import { attachedLinks } from '../connections.ts';
import { DEFAULT_HELLO_MAX_AGE_S } from '../inter-router.ts';
import type { Router } from '../router.ts';
import { longType } from './protocol.ts';

export type Row = Record<string, unknown>;

/** The protocol version of our link-state records, reported like skrouterd's. */
const PROTOCOL_VERSION = 1;

const topological = (id: string) => `amqp:/_topo/0/${id}`;

/** Rows of every entity of `schemaType` (short name), or undefined when the type is not implemented. */
export function entityRows(r: Router, schemaType: string): Row[] | undefined {
  const view = VIEWS[schemaType];
  if (!view) return undefined;
  const type = longType(schemaType);
  return view(r).map((row) => ({ type, ...row }));
}

/** The schema types this router shows. */
export const IMPLEMENTED_TYPES = (): string[] => Object.keys(VIEWS);

const portString = (p: number | undefined) => (p === undefined ? null : String(p));

const VIEWS: Record<string, (r: Router) => Row[]> = {
  router: (r) => {
    const c = r.config.router;
    return [{
      name: c.name ?? `router/${r.id}`, identity: `router/${r.id}`, id: r.id, mode: r.mode, area: '0',
      version: 'knetsim-router', metadata: c.metadata ?? null, helloMaxAgeSeconds: c.helloMaxAgeSeconds ?? DEFAULT_HELLO_MAX_AGE_S,
      // The lanes it runs (the config's value, else the program's default).
      workerThreads: r.tcp.lanes.count,
    }];
  },

  network: () => [{ name: 'network', identity: 'network/0', networkId: '', tenantId: '' }],

  routerMetrics: (r) => {
    const st = r.state();
    return [{
      name: `routerMetrics/${r.id}`, identity: `routerMetrics/${r.id}`, id: r.id, version: 'knetsim-router',
      addrCount: st.addresses.length, nodeCount: st.routers.length, connectionCount: r.connections.all().length,
      // Links on every AMQP connection (clients, management, inter-router control) and the data connections' pooled links.
      linkCount: r.connections.all().reduce((n, c) => n + attachedLinks(c.conn), 0) + r.tcp.dataLinks(), autoLinkCount: 0, deliveriesIngress: r.amqp.stats.delivered + r.amqp.stats.routed, deliveriesEgress: r.amqp.stats.delivered,
      residentMemoryUsage: process.memoryUsage().rss, uptimeSeconds: Math.floor((Date.now() - r.incarnation) / 1000),
    }];
  },

  // Mobile addresses (tcpConnector addresses and AMQP consumers), keyed as skrouterd keys them ("M" + address).
  'router.address': (r) => {
    const rows = new Map<string, Row & { remoteHostRouters: string[] }>();
    for (const rec of r.db.all()) {
      const reachable = rec.id === r.id || r.routes.has(rec.id);
      if (!reachable) continue;
      for (const address of [...rec.tcp, ...rec.amqp]) {
        const key = `M${address}`;
        const row = rows.get(key) ?? {
          name: key, identity: key, key, distribution: distributionFor(address, r.config.addresses), priority: -1, inProcess: 0, subscriberCount: 0,
          remoteCount: 0, containerCount: 0, deliveriesIngress: 0, deliveriesEgress: 0, deliveriesTransit: 0, deliveriesToContainer: 0,
          deliveriesFromContainer: 0, watch: false, remoteHostRouters: [] as string[],
        };
        if (rec.id === r.id) row['subscriberCount'] = Number(row['subscriberCount']) + 1;
        else {
          row['remoteCount'] = Number(row['remoteCount']) + 1;
          row.remoteHostRouters.push(rec.id);
        }
        rows.set(key, row);
      }
    }
    return [...rows.values()].sort((a, b) => String(a['key']).localeCompare(String(b['key'])));
  },

  'router.node': (r) => {
    const self = r.db.get(r.id);
    const rows: Row[] = [{
      name: `router.node/${r.id}`, identity: `router.node/${r.id}`, id: r.id, protocolVersion: PROTOCOL_VERSION,
      instance: r.incarnation, linkState: Object.keys(self?.links ?? {}), nextHop: '(self)', validOrigins: [],
      address: topological(r.id), routerLink: null, cost: null, lastTopoChange: null, index: 0,
    }];
    const others = r.db.all().filter((rec) => rec.id !== r.id && rec.mode !== 'edge').sort((a, b) => a.id.localeCompare(b.id));
    // A neighbour counts once it can carry flows (a data connection in every lane), as in routing.
    const linked = r.linkedNeighbors();
    others.forEach((rec, i) => {
      const route = r.routes.get(rec.id);
      const n = linked.find((x) => x.id === rec.id);
      rows.push({
        name: `router.node/${rec.id}`, identity: `router.node/${rec.id}`, id: rec.id, protocolVersion: PROTOCOL_VERSION,
        instance: rec.incarnation, linkState: Object.keys(rec.links), validOrigins: [], address: topological(rec.id),
        // As skrouterd: a neighbour has a routerLink and no nextHop; a farther router the neighbour on the way.
        nextHop: route && route.nextHop !== rec.id ? route.nextHop : null,
        routerLink: n && route?.nextHop === rec.id ? (r.connections.get(n.conn)?.identity ?? null) : null,
        cost: route?.cost ?? null, lastTopoChange: null, index: i + 1,
      });
    });
    return rows;
  },

  listener: (r) =>
    r.config.listeners.map((l) => ({
      name: l.name, identity: `listener/${l.name}`, host: l.host, port: portString(l.port), role: l.role, http: l.http,
      healthz: l.healthz, metrics: l.metrics, sslProfile: l.sslProfile ?? null, authenticatePeer: l.authenticatePeer,
      saslMechanisms: l.saslMechanisms ?? null, maxFrameSize: l.maxFrameSize ?? 16384, maxSessionFrames: l.maxSessionFrames ?? null,
    })),

  connector: (r) =>
    r.config.connectors.map((c) => {
      const st = r.inter.connectors.find((x) => x.name === c.name);
      const status = !st ? 'INITIALIZING' : st.state === 'up' ? 'SUCCESS' : st.state === 'stopped' ? 'CLOSING' : st.lastError ? 'FAILED' : 'CONNECTING';
      return {
        name: c.name, identity: `connector/${c.name}`, host: c.host, port: portString(c.port), role: c.role, cost: c.cost,
        sslProfile: c.sslProfile ?? null, verifyHostname: c.verifyHostname, maxFrameSize: c.maxFrameSize ?? 16384,
        maxSessionFrames: c.maxSessionFrames ?? null, connectionStatus: status, connectionMsg: st?.lastError ?? '',
      };
    }),

  sslProfile: (r) =>
    r.config.sslProfiles.map((p) => ({
      name: p.name, identity: `sslProfile/${p.name}`, certFile: p.certFile ?? null, privateKeyFile: p.privateKeyFile ?? null, caCertFile: p.caCertFile ?? null,
    })),

  tcpListener: (r) => {
    const bytes = new Map(r.tcp.byteTotals().filter((b) => b.kind === 'tcpListener').map((b) => [b.name, b]));
    return r.tcp.servers.map((s) => {
      const l = s.listener;
      const b = bytes.get(l.name);
      return {
        name: l.name, identity: `tcpListener/${l.name}`, address: l.address, host: l.host, port: String(l.port), siteId: l.siteId ?? null,
        operStatus: s.operStatus, connectionMsg: s.connectionMsg, connectionsOpened: b?.opened ?? 0,
        connectionsClosed: (b?.opened ?? 0) - (b?.active ?? 0), bytesIn: b?.bytesIn ?? 0, bytesOut: b?.bytesOut ?? 0,
      };
    });
  },

  tcpConnector: (r) => {
    const bytes = new Map(r.tcp.byteTotals().filter((b) => b.kind === 'tcpConnector').map((b) => [b.name, b]));
    return r.config.tcpConnectors.map((c) => {
      const b = bytes.get(c.name);
      return {
        name: c.name, identity: `tcpConnector/${c.name}`, address: c.address, host: c.host, port: String(c.port), siteId: c.siteId ?? null,
        connectionsOpened: b?.opened ?? 0, connectionsClosed: (b?.opened ?? 0) - (b?.active ?? 0), bytesIn: b?.bytesIn ?? 0, bytesOut: b?.bytesOut ?? 0,
      };
    });
  },

  'router.config.address': (r) =>
    r.config.addresses.map((a) => ({
      name: a.name, identity: `router.config.address/${a.name}`, prefix: a.prefix ?? null, pattern: a.pattern ?? null, distribution: a.distribution,
    })),

  log: (r) =>
    r.config.logs.map((l) => ({
      name: logName(l), identity: `log/${l.module}`, module: l.module, enable: l.enable ?? null, outputFile: l.outputFile ?? null,
      includeTimestamp: l.includeTimestamp ?? null, includeSource: l.includeSource ?? null,
    })),

  connection: (r) => {
    const now = Date.now();
    return r.connections.all().map((c) => {
      const socket = (c.conn as unknown as { socket?: TLSSocket }).socket;
      const tls = !!socket && 'encrypted' in socket && socket.encrypted;
      const open = c.conn.is_open();
      const props = (c.conn.properties ?? null) as Row | null;
      return {
        name: `connection/${c.host}`, identity: c.identity, host: c.host, role: c.role, dir: c.dir, protocol: 'amqp',
        container: c.conn.container_id ?? null, opened: open, operStatus: 'up', adminStatus: 'enabled',
        isEncrypted: tls, ssl: tls, sslProto: tls ? (socket.getProtocol() ?? null) : null, sslCipher: tls ? (socket.getCipher()?.name ?? null) : null,
        isAuthenticated: tls && socket.authorized, sasl: tls && socket.authorized ? 'EXTERNAL' : 'ANONYMOUS',
        user: tls && socket.authorized ? String(socket.getPeerCertificate()?.subject?.CN ?? '') || null : null,
        properties: props, uptimeSeconds: Math.floor((now - c.openedAt) / 1000),
      };
    });
  },
};
