import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../sys/exec.ts';
import { Ledger } from '../../sys/ledger.ts';
import { parseCaptureOptions, type CaptureOptions } from './capture-options.ts';
import { nextCaptureFile } from './capture-in.ts';
import { Capture } from './tcpdump-capture.ts';

// Runs on the root namespace's loopback only: it reads traffic, it changes nothing.
const dir = mkdtempSync(join(tmpdir(), 'knetsim-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ledger = Ledger.create(dir, { runId: 'test', createdAt: '', ownerPid: process.pid, ownerStartTime: '?', detached: false, topology: 'none' });

function start(opts: CaptureOptions, label = 'lo') {
  const { file, logFile } = nextCaptureFile(dir, label);
  return Capture.start(ledger, { label, netns: undefined, file, logFile, options: parseCaptureOptions({ iface: 'lo', ...opts }), vxlanPorts: [8472] });
}

describe('Capture (tcpdump)', () => {
  it('is ready once tcpdump listens, and stop() returns the decoded ping, idempotently', async () => {
    const cap = await start({ filter: 'icmp and host 127.0.0.1' });
    expect(cap.log()).toMatch(/listening on lo/);
    expect(ledger.entries().some((e) => e.kind === 'process' && e.name === 'tcpdump lo')).toBe(true);
    await run(['ping', '-n', '-c', '2', '-i', '0.2', '127.0.0.1']);
    const packets = await cap.stop();
    expect(packets.where({ icmp: 'echo-request' }).count).toBe(2);
    expect(packets.where({ icmp: 'echo-reply' }).count).toBe(2);
    expect(await cap.stop()).toBe(packets);
    expect(cap.running).toBe(false);
    expect(cap.file).toMatch(/captures\/1-lo\.pcap$/);
  });

  it('stops by itself after -c packets; asyncDispose stops a running one', async () => {
    const counted = await start({ filter: 'icmp', count: 1 }, 'counted');
    await run(['ping', '-n', '-c', '2', '-i', '0.2', '127.0.0.1']);
    expect((await counted.stop()).count).toBe(1);
    {
      await using cap = await start({ filter: 'icmp' }, 'disposed');
      expect(cap.running).toBe(true);
    }
  });

  it('fails with tcpdump\'s own words for a bad filter or a missing interface', async () => {
    await expect(start({ filter: 'udp port eighty' })).rejects.toThrow(/exited before it was listening[\s\S]*tcpdump: .*eighty/);
    await expect(start({ iface: 'nosuchif0' })).rejects.toThrow(/nosuchif0/);
  });
});
