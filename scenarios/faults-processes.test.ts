// Killing the daemons a dataplane depends on (kube-proxy agents, skupper routers), and a worker
// whose VXLAN carries the wrong VNI.
import { describe, expect, simTest } from '../harness/testing/index.ts';
import { notYet, ready, waitFor } from '../harness/sys/wait.ts';

const test = simTest({
  name: 'faults-processes',
  clusters: ['C0', 'C1'].map((name) => ({ name, workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] })),
});

describe('faults: killed daemons', () => {
  test('a killed kube-proxy agent leaves its rules working; restarted, it applies what changed meanwhile', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const web = await c0.expose('web', { port: 80, pods: ['c2'] });
    await web.startBackends('tcp');
    const c1 = c0.pod('c1');
    expect(await web.spread(20, { from: c1 })).toOnlyHit(['c2']);

    const agent = c0.services.agentProcess('w1');
    const fault = await sim.faults.killProcess(agent);
    expect(c0.services.agentList().find((a) => a.options.worker === 'C0w1')!.daemon.running).toBe(false);
    // The rules are in the kernel: the VIP keeps working on C0w1 without its agent.
    expect(await web.spread(20, { from: c1 })).toOnlyHit(['c2']);

    await fault.undo();
    expect(fault.detail.readyMs).toBeGreaterThan(0);
    await sim.reporter.attach(`kube-proxy C0w1 back in ${String(fault.detail.readyMs)} ms`, JSON.stringify(fault.detail), 'application/json');
    const c3 = await c0.worker('w2').createPod('c3');
    const web2 = await c0.expose('web2', { port: 80, pods: [c3] });
    await web2.startBackends('tcp');
    expect(await web2.spread(20, { from: c1 })).toOnlyHit(['c3']);
  });

  test('a killed router cuts the cross-cluster service; restarted, it relinks and carries it again', async ({ sim }) => {
    const server = sim.cluster('C0').pod('c2');
    server.start('echo', ['socat', 'TCP-LISTEN:7000,fork,reuseaddr', 'EXEC:echo from-C0']);
    await server.waitListening(7000);
    await sim.link('C0', 'C1');
    const svc = await sim.cluster('C0').exposeAcross({ name: 'echo', host: server, port: 7000 }, { to: ['C1'], port: 1028 });
    const { host, port } = sim.multicluster.endpoint(svc, 'C1');
    const ask = () => sim.cluster('C1').pod('c2').exec(['socat', '-T', '3', '-', `TCP:${host}:${port}`], { input: '', reject: false });
    expect((await ask()).stdout.trim()).toBe('from-C0');

    const fault = await sim.faults.killProcess(sim.multicluster.routerProcess('C0'));
    // C1's router no longer reaches the address: its tcpListener goes down (stops listening,
    // as skrouterd's does) and a client gets nothing.
    await waitFor(
      "C1's tcpListener for echo:7000 to go down",
      async () => {
        const l = await sim.multicluster.router('C1').read('tcpListener', 'echo:7000');
        return l['operStatus'] === 'down' ? ready(true) : notYet(`operStatus ${String(l['operStatus'])}`);
      },
      { timeoutMs: 15_000 },
    );
    expect((await ask()).stdout.trim()).toBe('');

    await fault.undo();
    await sim.reporter.attach(`router C0 back in ${String(fault.detail.readyMs)} ms`, JSON.stringify(fault.detail), 'application/json');
    expect((await ask()).stdout.trim()).toBe('from-C0');
  });

  test('a worker whose VXLAN carries another VNI is cut off from the other workers, and back after undo', async ({ sim }) => {
    const c1 = sim.cluster('C1');
    await expect(c1.pod('c1')).toReach(c1.pod('c2'));
    // On C1w2's port of the switch: what reaches C1w2, after the switch forwarded it.
    const cap = await sim.underlay.capture({ iface: 'C1w2', filter: 'udp port 8472' });
    const fault = await sim.faults.wrongVni(c1.worker('w1'), 101);
    await expect(c1.pod('c1')).not.toReach(c1.pod('c2'), { count: 3, wait: 0.5 });
    const packets = await cap.stop();
    // On the wire: C1w1's packets now say VNI 101; C1w2 (still 100) drops them.
    expect(packets).toContainVxlan({ vni: 101, outer: { src: c1.worker('w1').ip, dst: c1.worker('w2').ip } });
    expect(packets).not.toContainVxlan({ vni: 100, outer: { src: c1.worker('w1').ip } });
    await fault.undo();
    await expect(c1.pod('c1')).toReach(c1.pod('c2'));
  });
});
