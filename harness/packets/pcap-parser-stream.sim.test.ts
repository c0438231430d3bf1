import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inNetns, run } from '../sys/exec.ts';
import { Ledger } from '../sys/ledger.ts';
import { createNetns, listNetns } from '../sys/netns.ts';
import { processStartTime } from '../sys/proc.ts';
import { reapRun } from '../sys/reaper.ts';
import { netnsName, newRunId, runDirOf } from '../sys/run-dir.ts';
import { notYet, ready, waitFor } from '../sys/wait.ts';
import type { Packet } from './packet.ts';
import { PacketList } from './packet-list.ts';
import { decodePcapBuffer, streamPacketBatches } from './pcap-reader.ts';

// A namespace of its own (a run in the ledger, so `knetsim clean` undoes it if this dies),
// tcpdump writing pcap to its stdout, pcap-parser framing it as it arrives.
const runId = newRunId();
const ns = netnsName(runId, 'live');
const ledger = Ledger.create(runDirOf(runId), {
  runId,
  createdAt: new Date().toISOString(),
  ownerPid: process.pid,
  ownerStartTime: processStartTime(process.pid) ?? '?',
  detached: false,
  topology: 'pcap-parser live stream test',
});
afterAll(() => reapRun(runId));

describe('pcap-parser on a live tcpdump -w - stream', () => {
  it('decodes each ping while tcpdump still runs, and frames the stream as our scanner does', async () => {
    await createNetns(ledger, [ns]);
    const argv = inNetns(ns, ['tcpdump', '-n', '-i', 'lo', '-U', '--immediate-mode', '-w', '-', 'icmp']);
    const tcpdump = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    ledger.record({ kind: 'process', name: 'tcpdump live', pid: tcpdump.pid!, startTime: processStartTime(tcpdump.pid!) ?? '?' });
    let stderr = '';
    tcpdump.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((r) => tcpdump.once('exit', (code) => r(code)));
    // Kept aside as they pass (as `knetsim capture -w` does), to frame them again afterwards.
    const bytes: Buffer[] = [];
    async function* tee(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        bytes.push(chunk);
        yield chunk;
      }
    }
    await waitFor('tcpdump to say "listening on lo"', async () => (/listening on lo/.test(stderr) ? ready(true) : notYet(stderr.trim() || 'nothing on stderr yet')), {
      timeoutMs: 10_000,
    });

    // One ping every 300 ms: each must come out of the stream before the next is sent.
    const ping = run(inNetns(ns, ['ping', '-n', '-c', '3', '-i', '0.3', '127.0.0.1']));
    ping.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    const packets: Packet[] = [];
    const whileRunning: boolean[] = [];
    // A reader that held packets back until the end would never see six: stop tcpdump anyway.
    const guard = setTimeout(() => tcpdump.kill('SIGINT'), 10_000);
    for await (const batch of streamPacketBatches(tee(tcpdump.stdout), { framer: 'pcap-parser' })) {
      for (const p of batch) {
        packets.push(p);
        whileRunning.push(tcpdump.exitCode === null);
      }
      if (packets.length === 6) tcpdump.kill('SIGINT');
    }
    clearTimeout(guard);
    await ping;
    expect(await exited).toBe(0);
    expect(packets.map((p) => p.icmp?.type)).toEqual(['echo-request', 'echo-reply', 'echo-request', 'echo-reply', 'echo-request', 'echo-reply']);
    expect(packets.map((p) => p.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(whileRunning).toEqual([true, true, true, true, true, true]);
    // The pings were 300 ms apart and came out of the stream as they happened, not at the end.
    expect(packets[4]!.time - packets[0]!.time).toBeGreaterThan(0.5);
    expect(packets.every((p) => p.malformed === undefined && p.ipv4?.src === '127.0.0.1')).toBe(true);
    // The same bytes framed by our scanner give the same packets.
    expect(decodePcapBuffer(Buffer.concat(bytes)).summaries()).toEqual(new PacketList(packets).summaries());
  });

  it('leaves nothing behind', async () => {
    await reapRun(runId);
    expect(listNetns().filter((n) => n.startsWith(`kn-${runId}-`))).toEqual([]);
  });
});
