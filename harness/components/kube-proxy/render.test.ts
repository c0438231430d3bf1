import { describe, expect, it } from 'vitest';
import { planRuleset, renderDelta, renderRuleset, type ServiceState } from './render.ts';

const web: ServiceState = {
  service: { name: 'web', vip: '100.64.10.2', ports: [{ protocol: 'tcp', port: 80, targetPort: 8080 }], pick: 'random' },
  endpoints: [
    { pod: 'c1', ip: '11.0.16.2', ready: true },
    { pod: 'c2', ip: '11.0.32.2', ready: true },
    { pod: 'c3', ip: '11.0.48.2', ready: false },
  ],
};

const chainBody = (s: string, name: string) => {
  const rest = s.slice(s.indexOf(`chain ${name} {`));
  return rest.slice(0, rest.indexOf('}'));
};

describe('renderRuleset', () => {
  it('is one transaction that replaces the whole table', () => {
    const lines = renderRuleset([web]).split('\n');
    expect(lines.slice(0, 3)).toEqual(['table ip knetsim', 'delete table ip knetsim', 'table ip knetsim {']);
  });

  it("maps the VIP to a service chain that picks among ready endpoints with numgen", () => {
    const s = renderRuleset([web]);
    expect(s).toContain('100.64.10.2 . tcp . 80 : goto service-web/tcp/80');
    expect(s).toContain('numgen random mod 2 vmap { 0 : goto endpoint-web/tcp/80__11.0.16.2/8080, 1 : goto endpoint-web/tcp/80__11.0.32.2/8080 }');
    expect(s).toContain('meta l4proto tcp dnat to 11.0.32.2:8080');
    expect(s).not.toContain('11.0.48.2');
  });

  it('masquerades only hairpin traffic: an endpoint reaching itself (kube-proxy: ip saddr <endpoint> jump mark-for-masquerade)', () => {
    const s = renderRuleset([web]);
    for (const ip of ['11.0.16.2', '11.0.32.2']) {
      const body = chainBody(s, `endpoint-web/tcp/80__${ip}/8080`);
      expect(body).toContain(`ip saddr ${ip} jump mark-for-masquerade`);
      expect(body.match(/mark-for-masquerade/g)).toHaveLength(1);
    }
    // No rule masquerades by subnet: same-worker clients keep their source address.
    expect(s).not.toMatch(/saddr \d+\.\d+\.\d+\.\d+\/\d+ jump mark-for-masquerade/);
  });

  it('renders a deck-style VIP: every protocol, jhash ip checksum, dnat to the address', () => {
    const s = renderRuleset([{ service: { name: 'vip', vip: '100.64.10.1', ports: [], pick: 'knetsim' }, endpoints: web.endpoints }]);
    expect(s).toContain('100.64.10.1 : goto service-vip');
    expect(s).toContain('jhash ip checksum mod 2 vmap');
    expect(s).toMatch(/dnat to 11\.0\.32\.2\n/);
  });

  it('rejects traffic to a service without ready endpoints instead of mapping it', () => {
    const s = renderRuleset([{ ...web, endpoints: [] }]);
    expect(s).toContain('100.64.10.2 . tcp . 80 : goto reject-chain');
    expect(s).not.toContain('service-web/tcp/80 {');
  });

  it('adds affinity sets and a NodePort entry when asked', () => {
    const s = renderRuleset([
      { ...web, service: { ...web.service, ports: [{ protocol: 'tcp', port: 80, targetPort: 8080, nodePort: 30080 }], affinityTimeoutSeconds: 60 } },
    ]);
    expect(s).toContain('tcp . 30080 : goto external-web/tcp/80');
    expect(s).toContain('set affinity-web/tcp/80__11.0.32.2/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }');
    expect(s).toContain('update @affinity-web/tcp/80__11.0.32.2/8080 { ip saddr }');
  });

  it('renders UDP ports like TCP ones', () => {
    const dns: ServiceState = { service: { ...web.service, name: 'dns', ports: [{ protocol: 'udp', port: 53, targetPort: 5353 }] }, endpoints: web.endpoints };
    const s = renderRuleset([dns]);
    expect(s).toContain('100.64.10.2 . udp . 53 : goto service-dns/udp/53');
    expect(s).toContain('meta l4proto udp dnat to 11.0.16.2:5353');
  });

  it('the ip6 table holds only dual-stack services, with IPv6 endpoints, in the same layout', () => {
    const dual: ServiceState = {
      service: { ...web.service, name: 'dual', vip: '100.64.10.3', vip6: 'fd00:10:96::a' },
      endpoints: [
        { pod: 'c1', ip: '11.0.16.2', ip6: 'fd00:11:0:10::2', ready: true },
        { pod: 'c2', ip: '11.0.32.2', ip6: 'fd00:11:0:20::2', ready: true },
        { pod: 'c3', ip: '11.0.48.2', ready: true }, // no IPv6 address: IPv4 table only
      ],
    };
    const v6 = renderRuleset([web, dual], 'ip6');
    expect(v6.split('\n').slice(0, 3)).toEqual(['table ip6 knetsim', 'delete table ip6 knetsim', 'table ip6 knetsim {']);
    expect(v6).not.toContain('service-web/');
    expect(v6).toContain('map service-ips { type ipv6_addr . inet_proto . inet_service : verdict ; elements = { fd00:10:96::a . tcp . 80 : goto service-dual/tcp/80 } ; }');
    expect(v6).toContain('numgen random mod 2 vmap { 0 : goto endpoint-dual/tcp/80__fd00.11.0.10..2/8080, 1 : goto endpoint-dual/tcp/80__fd00.11.0.20..2/8080 }');
    expect(chainBody(v6, 'endpoint-dual/tcp/80__fd00.11.0.20..2/8080')).toContain('ip6 saddr fd00:11:0:20::2 jump mark-for-masquerade');
    expect(v6).toContain('meta l4proto tcp dnat to [fd00:11:0:20::2]:8080');
    expect(v6).toContain('ip6 daddr != ::1 fib daddr type local jump nodeports');
    const v4 = renderRuleset([web, dual], 'ip');
    expect(v4).toContain('100.64.10.3 . tcp . 80 : goto service-dual/tcp/80');
    expect(chainBody(v4, 'service-dual/tcp/80')).toContain('numgen random mod 3 vmap');
  });

  it('a delta touches only the services that changed, in one script (partial sync)', () => {
    const other: ServiceState = { service: { name: 'other', vip: '100.64.10.9', ports: [], pick: 'random' }, endpoints: [web.endpoints[1]!] };
    const before = planRuleset([web, other]);
    expect(renderDelta(before, planRuleset([web, other]))).toBe('');
    const after = planRuleset([{ ...web, endpoints: [web.endpoints[1]!] }, other]);
    const delta = renderDelta(before, after);
    expect(delta).not.toContain('other');
    expect(delta).toContain('delete element ip knetsim service-ips { 100.64.10.2 . tcp . 80 }');
    expect(delta).toContain('delete chain ip knetsim endpoint-web/tcp/80__11.0.16.2/8080');
    expect(delta).toContain('add rule ip knetsim service-web/tcp/80 numgen random mod 1 vmap { 0 : goto endpoint-web/tcp/80__11.0.32.2/8080 }');
    expect(delta.trimEnd().split('\n').pop()).toBe('add element ip knetsim service-ips { 100.64.10.2 . tcp . 80 : goto service-web/tcp/80 }');
    // Removing a service deletes its chains after emptying them.
    const gone = renderDelta(after, planRuleset([other])).split('\n');
    expect(gone.indexOf('flush chain ip knetsim service-web/tcp/80')).toBeLessThan(gone.indexOf('delete chain ip knetsim service-web/tcp/80'));
    expect(() => renderDelta(before, planRuleset([web], 'ip6'))).toThrow(/ip plan against ip6/);
  });
});
