import { describe, expect, it } from 'vitest';
import { hasUdp, parseConntrack, staleUdpDeletes } from './conntrack.ts';
import type { ServiceState } from './render.ts';

// conntrack v1.4.7 output, as `conntrack -L -p udp` prints it in a worker.
const LISTING = `udp      17 112 src=11.10.16.2 dst=100.64.0.5 sport=40000 dport=53 src=11.10.32.2 dst=11.10.16.2 sport=5353 dport=40000 [ASSURED] mark=0 use=1
udp      17 25 src=11.10.16.2 dst=100.64.0.5 sport=40001 dport=53 [UNREPLIED] src=11.10.48.2 dst=11.10.16.2 sport=5353 dport=40001 mark=0 use=1
udp      17 25 src=10.0.0.3 dst=10.0.0.1 sport=40002 dport=30053 src=11.10.48.2 dst=11.10.16.1 sport=5353 dport=40002 mark=0 use=1
udp      17 25 src=11.10.16.2 dst=8.8.8.8 sport=40003 dport=53 [UNREPLIED] src=8.8.8.8 dst=11.10.16.2 sport=53 dport=40003 mark=0 use=1
udp      17 25 src=fd00:11:0:10::2 dst=fd00:10:96::5 sport=40004 dport=53 src=fd00:11:0:30::2 dst=fd00:11:0:10::2 sport=5353 dport=40004 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 5 flow entries have been shown.`;

const dns: ServiceState = {
  service: { name: 'dns', vip: '100.64.0.5', vip6: 'fd00:10:96::5', ports: [{ protocol: 'udp', port: 53, targetPort: 5353, nodePort: 30053 }], pick: 'random' },
  endpoints: [
    { pod: 'c2', ip: '11.10.32.2', ip6: 'fd00:11:0:20::2', ready: true },
    { pod: 'c3', ip: '11.10.48.2', ip6: 'fd00:11:0:30::2', ready: false },
  ],
};

describe('stale UDP conntrack entries', () => {
  it('parses original and reply tuples, IPv4 and IPv6, and skips the summary line', () => {
    const flows = parseConntrack(LISTING);
    expect(flows).toHaveLength(5);
    expect(flows[1]).toEqual({ proto: 'udp', origSrc: '11.10.16.2', origDst: '100.64.0.5', origSport: 40001, origDport: 53, replySrc: '11.10.48.2', replySport: 5353 });
    expect(flows[4]!.replySrc).toBe('fd00:11:0:30::2');
  });

  it('deletes flows to VIP:port or to the nodePort whose reply comes from an endpoint that is not ready', () => {
    const flows = parseConntrack(LISTING);
    expect(staleUdpDeletes(flows, [dns], 'ip')).toEqual([
      ['-f', 'ipv4', '-p', 'udp', '--orig-dst', '100.64.0.5', '--orig-port-dst', '53', '--reply-src', '11.10.48.2'],
      ['-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '30053', '--reply-src', '11.10.48.2'],
    ]);
    expect(staleUdpDeletes(flows, [dns], 'ip6')).toEqual([
      ['-f', 'ipv6', '-p', 'udp', '--orig-dst', 'fd00:10:96::5', '--orig-port-dst', '53', '--reply-src', 'fd00:11:0:30::2'],
    ]);
  });

  it('leaves services without ready endpoints, TCP services and unrelated flows alone', () => {
    const flows = parseConntrack(LISTING);
    expect(staleUdpDeletes(flows, [{ ...dns, endpoints: dns.endpoints.map((e) => ({ ...e, ready: false })) }], 'ip')).toEqual([]);
    const tcp: ServiceState = { ...dns, service: { ...dns.service, ports: [{ protocol: 'tcp', port: 53, targetPort: 5353 }] } };
    expect(staleUdpDeletes(flows, [tcp], 'ip')).toEqual([]);
    expect(hasUdp([tcp])).toBe(false);
    expect(hasUdp([dns])).toBe(true);
  });
});
