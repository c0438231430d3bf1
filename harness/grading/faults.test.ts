import { describe, expect, test } from 'vitest';
import { planTopology } from '../model/topology.ts';
import { applyFaults, dropEndpointScript, faultIssues, wireVniRuleset, type NetnsExec } from './faults.ts';

const LISTING = `table ip knetsim {
	chain service-web/tcp/80 {
		ip saddr @affinity-web/tcp/80__11.14.0.2/8080 goto endpoint-web/tcp/80__11.14.0.2/8080 # handle 31
		ip saddr @affinity-web/tcp/80__11.15.0.2/8080 goto endpoint-web/tcp/80__11.15.0.2/8080 # handle 32
		numgen random mod 2 vmap { 0 : goto endpoint-web/tcp/80__11.14.0.2/8080, 1 : goto endpoint-web/tcp/80__11.15.0.2/8080 } # handle 33
	}
	chain service-solo/tcp/81 {
		numgen random mod 1 vmap { 0 : goto endpoint-solo/tcp/81__11.15.0.2/9000 } # handle 40
	}
	chain endpoint-web/tcp/80__11.15.0.2/8080 {
		meta l4proto tcp dnat to 11.15.0.2:8080 # handle 34
	}
}`;
const topology = planTopology(
  { clusters: [{ name: 'C0', workers: ['w1', 'w2', 'w3'], pods: [{ name: 'c2', worker: 'w2' }, { name: 'c3', worker: 'w3' }] }] },
  { source: 't' },
);

describe('faults the grader applies from outside', () => {
  test('dropping an endpoint rebuilds each pick without it, removes its affinity jump, and makes a lone endpoint reject', () => {
    expect(dropEndpointScript(LISTING, '11.15.0.2')).toBe(
      [
        'delete rule ip knetsim service-web/tcp/80 handle 32',
        'replace rule ip knetsim service-web/tcp/80 handle 33 numgen random mod 1 vmap { 0 : goto endpoint-web/tcp/80__11.14.0.2/8080 }',
        'replace rule ip knetsim service-solo/tcp/81 handle 40 reject',
        '',
      ].join('\n'),
    );
    expect(dropEndpointScript(LISTING, '11.15.0.20')).toBe('');
  });
  test('the wire VNI rewrite: out on the uplink as the fake VNI, back in as the real one', () => {
    expect(wireVniRuleset(8472, 100, 200)).toMatch(/oifname "eth0" udp dport 8472 @th,96,24 100 @th,96,24 set 200[\s\S]*iifname "eth0" udp dport 8472 @th,96,24 200 @th,96,24 set 100/);
  });
  test('each fault runs where it should, and a fault that finds nothing to break says so', async () => {
    const calls: [string, string[]][] = [];
    const exec: NetnsExec = async (ns, argv) => {
      calls.push([ns, [...argv]]);
      if (argv[0] === 'ip' && argv.includes('addr')) return JSON.stringify([{ addr_info: [{ local: '11.15.0.2' }] }]);
      return argv.includes('list') ? LISTING : '';
    };
    await applyFaults([{ kind: 'link-down', worker: 'C0w2' }, { kind: 'wire-vni', vni: 200 }, { kind: 'drop-endpoint', cluster: 'C0', pod: 'c3' }], 'ab12', topology, exec);
    expect(calls[0]).toEqual(['kn-ab12-ul', ['ip', 'link', 'set', 'C0w2', 'down']]);
    expect(calls.filter(([, a]) => a.join(' ') === 'nft -f -').map(([ns]) => ns)).toEqual(['kn-ab12-C0w1', 'kn-ab12-C0w2', 'kn-ab12-C0w3', 'kn-ab12-C0w1', 'kn-ab12-C0w2', 'kn-ab12-C0w3']);
    expect(calls.some(([ns]) => ns === 'kn-ab12-C0w3-c3')).toBe(true);
    await expect(applyFaults([{ kind: 'drop-endpoint', cluster: 'C0', pod: 'c3' }], 'ab12', topology, async (_ns, argv) => (argv.includes('addr') ? '[{"addr_info":[{"local":"11.1.1.1"}]}]' : LISTING))).rejects.toThrow(
      /could not apply fault .*drop-endpoint.*no service of C0 has c3 \(11\.1\.1\.1\)/,
    );
    expect(faultIssues([{ kind: 'drop-endpoint', cluster: 'C0', pod: 'c9' }], topology)).toEqual(['faults.0.pod: no pod "c9" in cluster C0']);
  });
});
