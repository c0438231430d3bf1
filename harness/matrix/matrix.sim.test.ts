// `knetsim matrix` end to end on a two-worker topology: a base, a VNI/port change, a backend
// the kernel lacks (skipped), and a CNI option that breaks reaching other workers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { diffSnapshots } from './diff.ts';
import { matrixPage } from './html.ts';
import { runMatrix } from './run-matrix.ts';
import { loadMatrix } from './variants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'knetsim-matrix-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('knetsim matrix', () => {
  test('variants × scenario, skipped backends, and what a breaking variant changed', { timeout: 600_000 }, async () => {
    const file = join(out, 'variants.json');
    writeFileSync(
      file,
      JSON.stringify({
        topology: join(ROOT, 'harness/matrix/fixtures/two-workers.topology.json'),
        variants: [
          { name: 'vxlan' },
          { name: 'vni42', flannel: { Backend: { Type: 'vxlan', VNI: 42, Port: 4789 } } },
          { name: 'ipip', flannel: { Backend: { Type: 'ipip' } } },
          { name: 'no-default-gw', cni: { isDefaultGateway: false } },
        ],
      }),
    );
    const plan = loadMatrix(file, join(ROOT, 'conf/topology.default.json'));
    const scenario = 'harness/matrix/fixtures/pods-reach.scenario.ts';
    const results = await runMatrix({ plan, scenarios: [scenario], outDir: out, parallel: 2, timeoutMs: 150_000 });
    const by = Object.fromEntries(results.map((r) => [r.variant.name, r]));
    expect(results.map((r) => [r.variant.name, r.cells[0]!.status])).toEqual([
      ['vxlan', 'passed'],
      ['vni42', 'passed'],
      ['ipip', expect.stringMatching(/^(skipped)$/)],
      ['no-default-gw', 'failed'],
    ]);
    expect(by.ipip!.skipped).toMatch(/ipip/);
    expect(by['no-default-gw']!.cells[0]!.failed.map((f) => f.name)).toEqual(['matrix fixture > c2 reaches the other worker']);

    // The VNI variant differs exactly where a VNI shows: the device, its routes, FDB and neighbours.
    const base = by.vxlan!.snapshot!;
    const vni = diffSnapshots(base, by.vni42!.snapshot!);
    expect(vni.find((d) => d.node === 'C0w1' && d.section === 'links')).toMatchObject({
      removed: [expect.stringMatching(/^flannel\.100 vxlan mtu 1450 .*id 100 port 8472/)],
      added: [expect.stringMatching(/^flannel\.42 vxlan mtu 1450 .*id 42 port 4789/)],
    });
    expect(vni.every((d) => [...d.removed, ...d.added].every((l) => /flannel\.(100|42)/.test(l)))).toBe(true);
    // Without isDefaultGateway a pod has no default route (only the flannel network's): that is all that differs.
    const gw = diffSnapshots(base, by['no-default-gw']!.snapshot!);
    expect(gw.map((d) => `${d.node} ${d.section}`).sort()).toEqual(['C0w1:c1 routes', 'C0w2:c2 routes']);
    expect(gw.find((d) => d.node === 'C0w2:c2')!.removed).toContainEqual(expect.stringMatching(/^default via \{C0w2\}\+1 dev eth0/));

    const html = matrixPage(results, file);
    writeFileSync(join(out, 'index.html'), html);
    expect(html).toContain('c2 reaches the other worker');
    expect(html).toMatch(/skipped: the kernel cannot make a ipip link|skipped: the kernel has ipip/);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('flannel.42 vxlan');
  });
});
