import { describe, expect, it } from 'vitest';
import { planRuleset, renderDelta, renderRuleset, type ServiceState } from './render.ts';

const node = { podSubnet: '11.0.16.1/20' };
const web: ServiceState = {
  service: { name: 'web', vip: '100.64.10.2', ports: [{ protocol: 'tcp', port: 80, targetPort: 8080 }], pick: 'random' },
  endpoints: [
    { pod: 'c1', ip: '11.0.16.2', ready: true },
    { pod: 'c2', ip: '11.0.32.2', ready: true },
    { pod: 'c3', ip: '11.0.48.2', ready: false },
  ],
};

describe('renderRuleset', () => {
  it('is one transaction that replaces the whole table', () => {
    const lines = renderRuleset([web], node).split('\n');
    expect(lines.slice(0, 3)).toEqual(['table ip knetsim', 'delete table ip knetsim', 'table ip knetsim {']);
  });

  it("maps the VIP to a service chain that picks among ready endpoints with numgen", () => {
    const s = renderRuleset([web], node);
    expect(s).toContain('100.64.10.2 . tcp . 80 : goto service-web/tcp/80');
    expect(s).toContain('numgen random mod 2 vmap { 0 : goto endpoint-web/tcp/80__11.0.16.2/8080, 1 : goto endpoint-web/tcp/80__11.0.32.2/8080 }');
    expect(s).toContain('meta l4proto tcp dnat to 11.0.32.2:8080');
    expect(s).not.toContain('11.0.48.2');
  });

  it('masquerades clients of this worker only towards local endpoints', () => {
    const s = renderRuleset([web], node);
    const local = s.slice(s.indexOf('chain endpoint-web/tcp/80__11.0.16.2/8080'));
    expect(local.slice(0, local.indexOf('}'))).toContain('ip saddr 11.0.16.1/20 jump mark-for-masquerade');
    const remote = s.slice(s.indexOf('chain endpoint-web/tcp/80__11.0.32.2/8080'));
    expect(remote.slice(0, remote.indexOf('}'))).not.toContain('mark-for-masquerade');
  });

  it('renders a deck-style VIP: every protocol, jhash ip checksum, dnat to the address', () => {
    const s = renderRuleset([{ service: { name: 'vip', vip: '100.64.10.1', ports: [], pick: 'knetsim' }, endpoints: web.endpoints }], node);
    expect(s).toContain('100.64.10.1 : goto service-vip');
    expect(s).toContain('jhash ip checksum mod 2 vmap');
    expect(s).toMatch(/dnat to 11\.0\.32\.2\n/);
  });

  it('rejects traffic to a service without ready endpoints instead of mapping it', () => {
    const s = renderRuleset([{ ...web, endpoints: [] }], node);
    expect(s).toContain('100.64.10.2 . tcp . 80 : goto reject-chain');
    expect(s).not.toContain('service-web/tcp/80 {');
  });

  it('adds affinity sets and a NodePort entry when asked', () => {
    const s = renderRuleset(
      [{ ...web, service: { ...web.service, ports: [{ protocol: 'tcp', port: 80, targetPort: 8080, nodePort: 30080 }], affinityTimeoutSeconds: 60 } }],
      node,
    );
    expect(s).toContain('tcp . 30080 : goto external-web/tcp/80');
    expect(s).toContain('set affinity-web/tcp/80__11.0.32.2/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }');
    expect(s).toContain('update @affinity-web/tcp/80__11.0.32.2/8080 { ip saddr }');
  });

  it('a delta touches only the services that changed, in one script (partial sync)', () => {
    const other: ServiceState = { service: { name: 'other', vip: '100.64.10.9', ports: [], pick: 'random' }, endpoints: [web.endpoints[1]!] };
    const before = planRuleset([web, other], node);
    expect(renderDelta(before, planRuleset([web, other], node))).toBe('');
    const after = planRuleset([{ ...web, endpoints: [web.endpoints[1]!] }, other], node);
    const delta = renderDelta(before, after);
    expect(delta).not.toContain('other');
    expect(delta).toContain('delete element ip knetsim service-ips { 100.64.10.2 . tcp . 80 }');
    expect(delta).toContain('delete chain ip knetsim endpoint-web/tcp/80__11.0.16.2/8080');
    expect(delta).toContain('add rule ip knetsim service-web/tcp/80 numgen random mod 1 vmap { 0 : goto endpoint-web/tcp/80__11.0.32.2/8080 }');
    expect(delta.trimEnd().split('\n').pop()).toBe('add element ip knetsim service-ips { 100.64.10.2 . tcp . 80 : goto service-web/tcp/80 }');
    // Removing a service deletes its chains after emptying them.
    const gone = renderDelta(after, planRuleset([other], node)).split('\n');
    expect(gone.indexOf('flush chain ip knetsim service-web/tcp/80')).toBeLessThan(gone.indexOf('delete chain ip knetsim service-web/tcp/80'));
  });
});
