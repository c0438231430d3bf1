/**
 * Messages between the router's primary process and its lanes (data-plane processes, or
 * the lane inside the primary). JSON over the child-process IPC channel; a tcpListener's
 * listening socket travels with its `listen` message.
 */
import type { RouterConfig } from './config.ts';
import type { ConnectorEntity, ListenerEntity, SslProfileEntity, TcpConnectorEntity, TcpListenerEntity } from './config-schema.ts';
import type { RouteEntry } from './link-state.ts';

export interface LaneInit {
  index: number;
  routerId: string;
  incarnation: number;
  config: RouterConfig;
  idleTimeoutMs: number;
  logFile?: string;
  logEnable?: string;
}

export type ToLane =
  | { t: 'init'; init: LaneInit }
  | { t: 'listen'; entity: TcpListenerEntity }
  /** Stop listening on a tcpListener's socket (answered by `applied` with `seq` when not 0); `forget`: it was deleted, drop its counters. */
  | { t: 'unlisten'; name: string; forget: boolean; seq: number }
  /** Open (close) a data listener beside an inter-router or edge listener added (deleted) at run time. */
  | { t: 'dataListen'; listener: ListenerEntity; sslProfile: SslProfileEntity | undefined }
  | { t: 'dataUnlisten'; name: string }
  | { t: 'connectors'; list: TcpConnectorEntity[] }
  /** The DEFAULT log entity was updated: log at `enable` to `logFile` (stderr when unset); answered by `applied`. */
  | { t: 'log'; enable: string; logFile: string | undefined; seq: number }
  | { t: 'routes'; tcp: [string, RouteEntry[]][]; hops: [string, string][] }
  /** Data connections from `peer` must present `token`. */
  | { t: 'peer'; peer: string; token: string }
  | { t: 'unpeer'; peer: string }
  /** Open data connection `slot` to `peer`'s lane listening on host:port (the connector's TLS). */
  | { t: 'dial'; peer: string; slot: number; host: string; port: number; connector: ConnectorEntity; sslProfile: SslProfileEntity | undefined; token: string }
  /** Stop and exit (read by lane-main.ts; a lane in the primary is stopped directly). */
  | { t: 'stop' };

export interface Counters {
  bytesIn: number;
  bytesOut: number;
  opened: number;
  active: number;
}

export interface AddressFlows {
  opened: number;
  active: number;
  refusedNoRoute: number;
}

export interface LaneStats {
  listeners: Record<string, Counters>;
  connectors: Record<string, Counters>;
  flows: Record<string, AddressFlows>;
  bufferedBytes: number;
  maxBuffered: number;
  /** Links attached on this lane's data connections. */
  links: number;
}

export type FromLane =
  /** A lane process is running and listening for messages. */
  | { t: 'boot' }
  | { t: 'ready'; ports: Record<string, number>; pid: number }
  /** A data connection with `peer` came up or went down (`slot` when this lane dialed it). */
  | { t: 'data'; peer: string; slot: number | null; up: boolean; error?: string }
  | { t: 'stats'; stats: LaneStats }
  /** Listening on a tcpListener's socket, or why not (an errno code). */
  | { t: 'listening'; name: string; error?: string }
  /** Done: the answer to the `unlisten` or `log` numbered `seq`. */
  | { t: 'applied'; seq: number };
