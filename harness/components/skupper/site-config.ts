/**
 * The skupper-router configuration of one cluster ("site"), in skrouterd's JSON format
 * (a list of [entityType, attributes]), generated as knetsim does: one interior router on
 * the cluster's first worker, an inter-router listener, connectors to the sites it links
 * to, a tcpListener per service it consumes and a tcpConnector per service it serves.
 */
export const INTER_ROUTER_PORT = 55671;
export const AMQP_PORT = 5672;
export const HTTP_PORT = 9090;
/**
 * router.workerThreads of every site: one. A TCP flow runs in one lane (one thread in
 * skrouterd) from end to end, so more lanes add throughput only for many connections at
 * once, which neither the deck nor the scenarios make; the 100 MB transfer, one flow each
 * way, moves as fast with one lane (bench/router: 549-594 MiB/s up, 621-699 down with one;
 * 623-649 and 537-633 with two). One lane is what starts fastest: our router runs it in its
 * own process, where two would be two more processes to start per router, ~0.35 s on the
 * deck's `knetsim up` (bench/startup, 2 shared cores; README, Multi-cluster).
 */
export const SITE_WORKER_THREADS = 1;

export interface SiteLink {
  /** The peer site's router id (its cluster name) and the address of its first worker. */
  peer: string;
  host: string;
  cost: number;
}

export interface SiteService {
  /** Routing address, e.g. backend:8080. */
  address: string;
  /** Served here: where the real server is. */
  connector?: { host: string; port: number };
  /** Consumed here: the port the router listens on for clients. */
  listener?: { port: number };
}

export interface SiteSpec {
  id: string;
  links: readonly SiteLink[];
  services: readonly SiteService[];
  /** Mutual TLS on inter-router links: this site's certificate and the run's CA. */
  tls?: { cert: string; key: string; ca: string };
  /** The router's log file (its log entity's outputFile); default: stderr. */
  logFile?: string;
}

const TLS_PROFILE = 'inter-router-tls';

/**
 * The entities of a site's router. With TLS, the inter-router listener authenticates peers
 * by their certificate (SASL EXTERNAL: skrouterd refuses a TLS peer that offers no SASL
 * mechanism otherwise) and connectors verify the listener's certificate against the host
 * they dial (the worker's address; see pki.ts for the DNS name Proton checks).
 */
/** The name of a site's inter-router connector to `peer`. */
export const linkConnectorName = (peer: string) => `link-${peer}`;
/** The peer a connector named by linkConnectorName dials. */
export const peerOfLinkConnector = (name: string) => name.replace(/^link-/, '');

export function siteConfig(site: SiteSpec): [string, Record<string, unknown>][] {
  const tls = site.tls ? { sslProfile: TLS_PROFILE } : {};
  const entities: [string, Record<string, unknown>][] = [
    ['router', { id: site.id, mode: 'interior', workerThreads: SITE_WORKER_THREADS }],
    ['log', { module: 'DEFAULT', enable: 'info+', ...(site.logFile ? { outputFile: site.logFile } : {}) }],
    ...(site.tls ? [['sslProfile', { name: TLS_PROFILE, certFile: site.tls.cert, privateKeyFile: site.tls.key, caCertFile: site.tls.ca }] as [string, Record<string, unknown>]] : []),
    ['listener', {
      name: 'interior-listener', role: 'inter-router', host: '0.0.0.0', port: INTER_ROUTER_PORT, maxFrameSize: 16384, maxSessionFrames: 640, ...tls,
      ...(site.tls ? { authenticatePeer: true, saslMechanisms: 'EXTERNAL' } : {}),
    }],
    ['listener', { name: 'amqp', role: 'normal', host: '127.0.0.1', port: AMQP_PORT }],
    ['listener', { name: 'health-and-stats', host: '0.0.0.0', port: HTTP_PORT, http: true, healthz: true, metrics: true }],
  ];
  for (const l of site.links) {
    entities.push(['connector', {
      name: linkConnectorName(l.peer), role: 'inter-router', host: l.host, port: String(INTER_ROUTER_PORT), cost: l.cost, maxFrameSize: 16384, maxSessionFrames: 640, ...tls,
      ...(site.tls ? { verifyHostname: true } : {}),
    }]);
  }
  for (const s of site.services) {
    if (s.listener) entities.push(['tcpListener', { name: s.address, host: '0.0.0.0', port: String(s.listener.port), address: s.address, siteId: site.id }]);
    if (s.connector) entities.push(['tcpConnector', { name: `${s.address}@${site.id}`, host: s.connector.host, port: String(s.connector.port), address: s.address, siteId: site.id }]);
  }
  return entities;
}
