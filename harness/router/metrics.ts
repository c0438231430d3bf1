/** Prometheus text exposition of a router's gauges and counters. */
import type { Router } from './router.ts';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Exposition {
  private lines: string[] = [];
  metric(name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${v}`);
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function renderMetrics(r: Router): string {
  const e = new Exposition();
  const s = r.state();
  const roles: Record<string, number> = { 'inter-router': 0, edge: 0, normal: r.amqp.stats.clients };
  for (const l of s.links) roles[l.role] = (roles[l.role] ?? 0) + 1;
  e.metric('skrouter_connections', 'gauge', 'Open connections by role', Object.entries(roles).map(([role, n]) => [{ role }, n]));
  const peers = new Set([...r.db.all().map((x) => x.id).filter((id) => id !== r.id), ...s.links.map((l) => l.peer)]);
  e.metric('skrouter_link_up', 'gauge', 'Inter-router link state per peer (1 up, 0 down)',
    [...peers].sort().map((peer) => [{ peer }, s.links.some((l) => l.peer === peer) ? 1 : 0]));
  e.metric('skrouter_route_table_size', 'gauge', 'Routers reachable from this one (excluding itself)', [[{}, s.routers.length]]);
  e.metric('skrouter_addresses_reachable', 'gauge', 'Address entries in the route table', [[{}, s.addresses.length]]);
  const bytes = r.tcp.byteTotals();
  const tl = (b: (typeof bytes)[number]) => ({ kind: b.kind, name: b.name, address: b.address });
  e.metric('skrouter_tcp_bytes_in_total', 'counter', 'Bytes read from TCP sockets per tcpListener/tcpConnector', bytes.map((b) => [tl(b), b.bytesIn]));
  e.metric('skrouter_tcp_bytes_out_total', 'counter', 'Bytes written to TCP sockets per tcpListener/tcpConnector', bytes.map((b) => [tl(b), b.bytesOut]));
  e.metric('skrouter_tcp_connections_active', 'gauge', 'Open TCP connections per tcpListener/tcpConnector', bytes.map((b) => [tl(b), b.active]));
  const flows = [...r.tcp.flows.entries()].sort(([a], [b]) => a.localeCompare(b));
  e.metric('skrouter_flows_opened_total', 'counter', 'TCP flows opened at this ingress per address', flows.map(([address, f]) => [{ address }, f.opened]));
  e.metric('skrouter_flows_active', 'gauge', 'TCP flows active at this ingress per address', flows.map(([address, f]) => [{ address }, f.active]));
  e.metric('skrouter_flows_refused_no_route_total', 'counter', 'Client connections closed because no tcpConnector was reachable',
    flows.map(([address, f]) => [{ address }, f.refusedNoRoute]));
  e.metric('skrouter_flow_buffered_bytes', 'gauge', 'Bytes held in flow buffers on this router now', [[{}, r.tcp.bufferedBytes()]]);
  e.metric('skrouter_flow_buffered_bytes_max', 'gauge', 'Largest flow buffer total observed', [[{}, r.tcp.maxBuffered]]);
  e.metric('skrouter_lanes_ready', 'gauge', 'Lanes (router.workerThreads data-plane processes) running with their data listeners bound', [[{}, s.lanes.filter((l) => l.ready).length]]);
  e.metric('skrouter_amqp_links', 'gauge', 'AMQP links attached on inter-router connections (control, message, and the pooled links of data connections)',
    [[{ kind: 'control' }, r.inter.amqpLinks()], [{ kind: 'data' }, r.tcp.dataLinks()]]);
  e.metric('skrouter_amqp_deliveries_total', 'counter', 'Client messages delivered to local consumers', [[{}, r.amqp.stats.delivered]]);
  e.metric('skrouter_amqp_no_route_total', 'counter', 'Client messages rejected for lack of a consumer', [[{}, r.amqp.stats.noRoute]]);
  return e.text();
}
