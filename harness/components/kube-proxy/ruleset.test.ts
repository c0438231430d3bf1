import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ruleset } from './ruleset.ts';

// Captured from `nft -j list table ip knetsim` after applying a rendered ruleset (handles removed).
const fixture = readFileSync(new URL('./ruleset.fixture.json', import.meta.url), 'utf8');

describe('Ruleset', () => {
  const rs = Ruleset.parse(fixture);

  it('finds the base chains and maps', () => {
    for (const c of ['prerouting', 'output', 'postrouting', 'services', 'nodeports', 'masquerading']) expect(rs.hasChain(c)).toBe(true);
    expect(rs.maps.has('service-ips')).toBe(true);
  });

  it('follows a ported service to its endpoint chains and their DNAT', () => {
    const web = rs.services().find((s) => s.vip === '100.64.10.2')!;
    expect(web).toMatchObject({ protocol: 'tcp', port: 80, pick: 'random', chain: 'service-web/tcp/80' });
    expect(web.endpoints.map((e) => [e.addr, e.port])).toEqual([
      ['11.0.32.2', 8080],
      ['11.0.48.2', 8080],
    ]);
    expect(web.affinitySets).toHaveLength(2);
  });

  it('reads a port-less VIP picked by jhash', () => {
    const vip = rs.services().find((s) => s.vip === '100.64.10.1')!;
    expect(vip.pick).toBe('knetsim');
    expect(vip.port).toBeUndefined();
    expect(vip.endpoints.map((e) => e.addr)).toEqual(['11.0.32.2', '11.0.16.2']);
    expect(vip.endpoints[0]!.port).toBeUndefined();
  });

  it('does not list services without endpoints in the services maps', () => {
    expect(rs.services().map((s) => s.vip).sort()).toEqual(['100.64.10.1', '100.64.10.2']);
  });
});
