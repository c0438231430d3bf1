import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { backendSupport } from './backend-support.ts';
import { diffLines, diffSnapshots } from './diff.ts';
import { normalise } from './normalise.ts';
import { formatLinks } from './snapshot.ts';
import { loadMatrix } from './variants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT = join(ROOT, 'conf/topology.default.json');
const tmp = mkdtempSync(join(tmpdir(), 'knetsim-matrix-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, v: unknown) => {
  const f = join(tmp, name);
  writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
};

describe('variants file', () => {
  test('conf/matrix.example.json: every variant composed onto the default topology', () => {
    const plan = loadMatrix(join(ROOT, 'conf/matrix.example.json'), DEFAULT);
    expect(plan.variants.map((v) => [v.name, v.backend, v.flannel !== undefined])).toContainEqual(['vxlan-vni42-4789', 'vxlan', true]);
    const vni = plan.variants.find((v) => v.name === 'vxlan-vni42-4789')!;
    expect(vni.flannel).toMatchObject({ Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan', VNI: 42, Port: 4789 } });
    expect((vni.topology as { flannel: unknown }).flannel).toEqual(vni.flannel);
    expect(plan.variants.find((v) => v.name === 'ipip')!.flannel).toBeUndefined();
    expect(plan.variants.find((v) => v.name === 'ipmasq-on')!.cni).toEqual({ ipMasq: true });
  });

  test('errors name the field: bad values, unknown fields, unknown backends, duplicates', () => {
    const f = write('bad.json', {
      variants: [
        { name: 'a', flannel: { Backend: { Type: 'vxlan', VNI: 'x' } } },
        { name: 'a', cni: { hairpin: true } },
        { name: 'B!' },
      ],
    });
    expect(() => loadMatrix(f, DEFAULT)).toThrow(/variants\.1\.cni: unknown field\(s\) "hairpin"[\s\S]*variants\.2\.name: must be[\s\S]*variants\.1\.name: duplicate variant name "a"/);
    const g = write('bad2.json', { variants: [{ name: 'a', flannel: { Backend: { Type: 'vxlan', VNI: 0 } } }, { name: 'b', flannel: { Backend: { Type: 'carrier-pigeon' } } }] });
    expect(() => loadMatrix(g, DEFAULT)).toThrow(/variants\.0\.flannel\.Backend\.VNI: [\s\S]*variants\.1\.flannel\.Backend\.Type: unknown flannel backend "carrier-pigeon"/);
    expect(() => loadMatrix(write('bad3.json', '{"variants": ['), DEFAULT)).toThrow(/bad3\.json/);
  });

  test('backends the kernel or knetsim cannot run are skipped with the reason', async () => {
    expect(await backendSupport('host-gw')).toEqual({ ok: true });
    expect(await backendSupport('ipsec')).toMatchObject({ ok: false, reason: expect.stringMatching(/strongSwan/) });
    expect(await backendSupport('aws-vpc')).toMatchObject({ ok: false, reason: expect.stringMatching(/cloud/) });
  });
});

describe('normalised dataplane', () => {
  const ctx = {
    runId: 'ab12',
    macs: new Map([['aa:bb:cc:00:00:01', 'C0w2 flannel.100']]),
    subnets: new Map([['C0w1', '11.10.16.1/20'], ['C0w2', '11.12.0.1/20']]),
  };
  test('MACs, subnets, ifindexes, veths and run ids become stable names; lines are sorted', () => {
    const text = [
      '11.12.0.0/20 via 11.12.0.0 dev flannel.100 onlink',
      'aa:bb:cc:00:00:01 dev flannel.100 dst 10.0.0.2 self permanent',
      '33:33:ff:00:00:01 dev cni0 self permanent',
      'veth0a1b2c3d@if3 master cni0 in kn-ab12-C0w1-c1',
      'de:ad:be:ef:00:00 dev cni0',
    ].join('\n');
    expect(normalise(text, ctx)).toEqual([
      '<mac ?> dev cni0',
      '<mac C0w2 flannel.100> dev flannel.100 dst 10.0.0.2 self permanent',
      '<solicited-node C0w2 flannel.100> dev cni0 self permanent',
      'veth*@if* master cni0 in kn-RUN-C0w1-c1',
      '{C0w2}+0/20 via {C0w2}+0 dev flannel.100 onlink',
    ]);
  });

  test('links as name, kind, MTU, state, master and VXLAN parameters', () => {
    const links = formatLinks([
      { ifname: 'flannel.42', mtu: 1450, operstate: 'UNKNOWN', linkinfo: { info_kind: 'vxlan', info_data: { id: 42, port: 4789, local: '10.0.0.1', learning: false } } },
      { ifname: 'eth0', mtu: 1500, operstate: 'UP', master: 'cni0' },
    ]);
    expect(links).toBe('flannel.42 vxlan mtu 1450 UNKNOWN id 42 port 4789 local 10.0.0.1 nolearning\neth0 device mtu 1500 UP master cni0');
  });

  test('diffs: lines only in the base are removed, only in the variant added, per node and section', () => {
    expect(diffLines(['a', 'b', 'b'], ['b', 'c'])).toEqual({ removed: ['a', 'b'], added: ['c'] });
    const d = diffSnapshots({ nodes: { C0w1: { routes: ['x'], links: ['l'] } } }, { nodes: { C0w1: { routes: ['y'], links: ['l'] }, C0w2: { routes: ['z'] } } });
    expect(d).toEqual([
      { node: 'C0w1', section: 'routes', removed: ['x'], added: ['y'] },
      { node: 'C0w2', section: 'routes', removed: [], added: ['z'] },
    ]);
  });
});
