// Chapter 2, optional exercise: change flannel's VNI and port, and see the new ones on the wire.
import { describe, expect, simTest } from '../harness/testing/index.ts';

const VNI = 42;
const PORT = 4789;

const test = simTest({
  name: 'ch2-vxlan-42-4789',
  flannel: { Network: '12.40.0.0/16', SubnetLen: 24, Backend: { Type: 'vxlan', VNI, Port: PORT } },
  clusters: [
    {
      name: 'C0',
      workers: ['w1', 'w2'],
      pods: [
        { name: 'c1', worker: 'w1' },
        { name: 'c2', worker: 'w2' },
      ],
    },
  ],
});

describe('chapter 2: another VXLAN VNI and port', () => {
  test(`the capture shows VNI ${VNI} on UDP port ${PORT}, and nothing on 8472`, async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [w1, w2] = [c0.worker('w1'), c0.worker('w2')];
    const [c1, c2] = [c0.pod('c1'), c0.pod('c2')];
    // flanneld named its device after the VNI.
    expect((await w1.exec(['ip', '-d', 'link', 'show', `flannel.${VNI}`])).stdout).toMatch(new RegExp(`vxlan id ${VNI} .*dstport ${PORT}`));
    const cap = await w1.capture({ filter: 'udp' });
    try {
      await expect(c1).toReach(c2, { count: 2, interval: 0.2 });
    } finally {
      await cap.stop();
    }
    const packets = await cap.stop();
    expect(packets).toContainVxlan({
      vni: VNI,
      outer: { src: w1.ip, dst: w2.ip, dport: PORT },
      inner: { icmp: 'echo-request', src: c1.ip, dst: c2.ip },
    });
    expect(packets).toContainVxlan({
      vni: VNI,
      outer: { src: w2.ip, dst: w1.ip, dport: PORT },
      inner: { icmp: 'echo-reply', src: c2.ip, dst: c1.ip },
    });
    expect(packets).not.toContainVxlan({ vni: 100 });
    expect(packets).not.toContainVxlan({ outer: { dport: 8472 } });
    await expect(cap).toAgreeWithTshark({ vxlanPorts: [PORT] });
  });
});
