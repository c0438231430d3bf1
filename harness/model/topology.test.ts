import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadTopology, planTopology } from './topology.ts';
import { ValidationError } from '../sys/errors.ts';

const flannel = { Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan', VNI: 100, Port: 8472 } };
const base = () => ({
  flannel: structuredClone(flannel) as Record<string, any>,
  clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }] }] as any[],
});

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    planTopology(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return [...(e as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('planTopology', () => {
  it('plans the default topology file as knetsim has it', () => {
    const t = loadTopology(fileURLToPath(new URL('../../conf/topology.default.json', import.meta.url)));
    expect(t.clusters.map((c) => c.name)).toEqual(['C0', 'C1']);
    expect(t.clusters[0]!.workers.map((w) => [w.fullName, w.ip])).toEqual([
      ['C0w1', '10.0.0.1'],
      ['C0w2', '10.0.0.2'],
      ['C0w3', '10.0.0.3'],
    ]);
    expect(t.clusters[1]!.workers[0]!.ip).toBe('10.0.1.1');
    expect(t.clusters[0]!.etcd).toEqual([{ name: 'C0-e1', ip: '10.0.0.200' }]);
    expect(t.clusters[0]!.flannel).toMatchObject({ Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan', VNI: 100, Port: 8472 } });
    expect(t.clusters[1]!.pods).toContainEqual({ name: 'c3', worker: 'w3' });
  });

  it('accepts three etcd members and plans their addresses', () => {
    const raw = base();
    raw.clusters[0].etcd = { members: 3 };
    expect(planTopology(raw).clusters[0]!.etcd.map((m) => m.ip)).toEqual(['10.0.0.200', '10.0.0.201', '10.0.0.202']);
  });

  const bad: [string, (t: ReturnType<typeof base>) => void, RegExp, RegExp][] = [
    ['duplicate worker', (t) => t.clusters[0].workers.push('w1'), /clusters\.0\.workers\.2/, /duplicate worker name "w1"/],
    ['duplicate cluster', (t) => t.clusters.push({ name: 'C0', workers: ['w1'] }), /clusters\.1\.name/, /duplicate cluster name/],
    ['duplicate pod', (t) => t.clusters[0].pods.push({ name: 'c1', worker: 'w2' }), /clusters\.0\.pods\.1\.name/, /duplicate pod name "c1"/],
    ['hostile worker name', (t) => (t.clusters[0].workers[0] = 'w1;rm -rf /'), /clusters\.0\.workers\.0/, /letters and digits/],
    ['worker name with a slash', (t) => (t.clusters[0].workers[0] = '../etc'), /clusters\.0\.workers\.0/, /letters and digits/],
    ['hostile pod name', (t) => (t.clusters[0].pods[0].name = 'c1 $(id)'), /clusters\.0\.pods\.0\.name/, /DNS label/],
    ['name too long for an interface', (t) => (t.clusters[0].workers[0] = 'workerworker1'), /clusters\.0\.workers\.0/, /at most 12|interface names allow 15/],
    ['cluster + worker over 15', (t) => { t.clusters[0].name = 'Cluster01'; t.clusters[0].workers = ['worker01']; t.clusters[0].pods = []; }, /clusters\.0\.workers\.0/, /"Cluster01worker01" .* 17 characters; interface names allow 15/],
    ['pod on a missing worker', (t) => (t.clusters[0].pods[0].worker = 'w9'), /clusters\.0\.pods\.0\.worker/, /no worker "w9" in cluster C0/],
    ['SubnetLen not larger than the prefix', (t) => (t.flannel.SubnetLen = 8), /flannel\.SubnetLen/, /larger than the Network's prefix length \/8/],
    ['VNI out of range', (t) => (t.flannel.Backend.VNI = 16_777_216), /flannel\.Backend\.VNI/, /less than or equal to 16777215/],
    ['port out of range', (t) => (t.flannel.Backend.Port = 70_000), /flannel\.Backend\.Port/, /less than or equal to 65535/],
    ['unknown backend', (t) => (t.flannel.Backend = { Type: 'carrier-pigeon' }), /flannel\.Backend\.Type/, /Invalid discriminator value/],
    ['Network not a CIDR', (t) => (t.flannel.Network = '11.0.0.0/33'), /flannel\.Network/, /IPv4 CIDR/],
    ['Network overlapping the underlay', (t) => (t.flannel.Network = '10.0.0.0/8'), /flannel\.Network/, /overlaps the underlay 10\.0\.0\.0\/16/],
    ['SubnetMin outside Network', (t) => (t.flannel.SubnetMin = '12.0.0.0'), /flannel\.SubnetMin/, /outside Network/],
    ['too few subnets for the workers', (t) => { t.flannel.Network = '11.0.0.0/24'; t.flannel.SubnetLen = 25; t.clusters[0].workers.push('w3', 'w4'); }, /flannel\.SubnetLen/, /room for 1 worker subnets.*4 workers/],
    ['unknown field', (t) => ((t as any).clustres = []), /^$/, /unknown field\(s\) "clustres"/],
    ['unknown flannel field', (t) => (t.flannel.Netwrok = '1.0.0.0/8'), /flannel/, /unknown field\(s\) "Netwrok"/],
    ['underlay too small', (t) => ((t as any).underlay = '10.0.0.0/25'), /underlay/, /too small/],
    ['three etcd members spelled as two', (t) => (t.clusters[0].etcd = { members: 2 }), /clusters\.0\.etcd\.members/, /Invalid input/],
    ['per-cluster flannel override checked too', (t) => (t.clusters[0].flannel = { ...flannel, SubnetLen: 4 }), /clusters\.0\.flannel\.SubnetLen/, /larger than/],
    ['EnableIPv6 without IPv6Network', (t) => (t.flannel.EnableIPv6 = true), /flannel\.IPv6Network/, /required when EnableIPv6 is true/],
    ['IPv6Network without EnableIPv6', (t) => (t.flannel.IPv6Network = 'fd00:11::/48'), /flannel\.EnableIPv6/, /must be true when IPv6Network is set/],
    ['IPv6Network not an IPv6 CIDR', (t) => Object.assign(t.flannel, { EnableIPv6: true, IPv6Network: '11.0.0.0/8' }), /flannel\.IPv6Network/, /IPv6 CIDR/],
    ['IPv6SubnetLen too short for IPv6Network', (t) => Object.assign(t.flannel, { EnableIPv6: true, IPv6Network: 'fd00:11::/48', IPv6SubnetLen: 49 }), /flannel\.IPv6SubnetLen/, /at least .*\/50/],
    ['IPv6SubnetMin off the subnet boundary', (t) => Object.assign(t.flannel, { EnableIPv6: true, IPv6Network: 'fd00:11::/48', IPv6SubnetMin: 'fd00:11:0:1::5' }), /flannel\.IPv6SubnetMin/, /not on a \/64 boundary/],
    ['IPv6 with the udp backend', (t) => Object.assign(t.flannel, { EnableIPv6: true, IPv6Network: 'fd00:11::/48', Backend: { Type: 'udp' } }), /flannel\.Backend\.Type/, /udp backend has no IPv6/],
    ['IPv6Network overlapping the IPv6 underlay', (t) => Object.assign(t.flannel, { EnableIPv6: true, IPv6Network: 'fd00::/16' }), /flannel\.IPv6Network/, /overlaps the IPv6 underlay fd00:10::\/64/],
    ['IPv6-only (EnableIPv4 false)', (t) => Object.assign(t.flannel, { EnableIPv4: false, EnableIPv6: true, IPv6Network: 'fd00:11::/48' }), /flannel\.EnableIPv4/, /IPv6-only clusters are not supported/],
    ['underlayIPv6 not a CIDR', (t) => ((t as any).underlayIPv6 = 'fd00::1'), /underlayIPv6/, /IPv6 CIDR/],
  ];

  it('loads conf/topology.dual-stack.json', () => {
    const t = loadTopology(fileURLToPath(new URL('../../conf/topology.dual-stack.json', import.meta.url)));
    expect(t.clusters[0]).toMatchObject({ dualStack: true, flannel: { EnableIPv6: true, IPv6Network: 'fd00:11::/48', IPv6SubnetLen: 64 } });
    expect(t.clusters[0]!.workers.map((w) => w.ip6)).toEqual(['fd00:10::1', 'fd00:10::2', 'fd00:10::3']);
  });

  it('plans a dual-stack cluster: workers get underlay IPv6 addresses, IPv4-only clusters none', () => {
    const raw = base();
    raw.clusters.push({ name: 'C1', workers: ['w1'], flannel: { ...flannel, EnableIPv6: true, IPv6Network: 'fd00:11::/48' } });
    const t = planTopology(raw);
    expect(t.underlayIPv6).toEqual({ cidr: 'fd00:10::/64', prefix: 64 });
    expect(t.clusters[0]!.dualStack).toBe(false);
    expect(t.clusters[0]!.workers[0]!.ip6).toBeUndefined();
    expect(t.clusters[1]!.dualStack).toBe(true);
    expect(t.clusters[1]!.workers[0]).toMatchObject({ ip: '10.0.1.1', ip6: 'fd00:10::1:1' });
  });

  it.each(bad)('rejects %s, naming the field', (_what, mutate, path, message) => {
    const raw = base();
    mutate(raw);
    const issues = issuesOf(raw);
    expect(issues.some((i) => path.test(i.path) && message.test(i.message)), JSON.stringify(issues)).toBe(true);
  });

  it('reports a missing flannel file by its path', () => {
    const raw = base();
    (raw as any).flannel = 'no-such-file.json';
    expect(issuesOf(raw)[0]!.message).toMatch(/cannot read flannel config .*no-such-file\.json/);
  });

  it('reports broken JSON in a topology file with the file name', () => {
    expect(() => loadTopology('/dev/null')).toThrow(/invalid \/dev\/null/);
  });
});
