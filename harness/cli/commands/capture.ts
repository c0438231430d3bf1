import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { DEFAULT_CAPTURE_IFACE, parseCaptureOptions, tcpdumpArgv } from '../../components/capture/capture-options.ts';
import { HarnessError } from '../../sys/errors.ts';
import { inNetns } from '../../sys/exec.ts';
import { streamPacketBatches } from '../../packets/pcap-reader.ts';
import { parse } from './args.ts';
import { parsePorts } from './decode.ts';
import { packetLine } from './packet-line.ts';
import { findRunNode, requireRunState, runVxlanPorts, UNDERLAY_NODE } from './run-node.ts';

const USAGE = `knetsim capture RUN NODE [-i IFACE] [-f FILTER] [-c N] [-w FILE.pcap] [--vxlan-port N]...

Runs tcpdump in a worker (C0w1), a pod (C0w1:c1) or the underlay (${UNDERLAY_NODE}: bridges
br-C0, br-top, worker ports C0w1...) of a running simulation, and prints each packet as it
arrives, decoded (VXLAN opened to the frame inside). Ctrl-C stops it.

  -i IFACE     interface (default ${DEFAULT_CAPTURE_IFACE}; ${UNDERLAY_NODE}: any); "any" for all
  -f FILTER    a BPF filter, one argument: -f "udp port 8472"
  -c N         stop after N packets
  -w FILE      also write the pcap to FILE (read it again with knetsim decode FILE)`;

/** Passes each chunk on, and copies it to `file` when there is one. */
async function* tee(source: Readable, file: WriteStream | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (file && !file.write(chunk)) await new Promise<void>((r) => file.once('drain', () => r()));
    yield chunk;
  }
}

export async function capture(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    iface: { type: 'string', short: 'i' },
    filter: { type: 'string', short: 'f' },
    count: { type: 'string', short: 'c' },
    write: { type: 'string', short: 'w' },
    'vxlan-port': { type: 'string', multiple: true },
  });
  if (!a) return 0;
  const [runId, name] = a.positionals;
  if (!runId || !name || a.positionals.length > 2) {
    console.error(USAGE);
    return 2;
  }
  const count = a.values.count === undefined ? undefined : Number(a.values.count);
  const options = parseCaptureOptions(
    {
      iface: a.values.iface ?? (name === UNDERLAY_NODE ? 'any' : DEFAULT_CAPTURE_IFACE),
      filter: a.values.filter,
      count,
    },
    'knetsim capture options (-i, -f, -c)',
  );
  const state = requireRunState(runId);
  const node = findRunNode(state, name);
  if (!node) throw new HarnessError(`run ${runId} has no worker, pod or underlay named "${name}"`);
  const vxlanPorts = [...new Set([...runVxlanPorts(runId), ...parsePorts(a.values['vxlan-port'])])];

  const argv = inNetns(node.netns, tcpdumpArgv(options, '-'));
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`knetsim capture: ${argv[0]}: ${e.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
  });
  // Ctrl-C (or SIGTERM) ends tcpdump, which flushes; we then print the rest and exit cleanly.
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const file = a.values.write ? createWriteStream(a.values.write) : undefined;
  let t0: number | undefined;
  let decodeError: unknown;
  try {
    for await (const batch of streamPacketBatches(tee(child.stdout!, file), { vxlanPorts })) {
      const lines = batch.map((p) => packetLine(p, (t0 ??= p.time)));
      if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    }
  } catch (e) {
    decodeError = e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (file) await new Promise<void>((r) => file.end(() => r()));
  }
  const code = await exited;
  if (code !== 0) {
    process.stderr.write(`knetsim capture: tcpdump in ${node.label} (${node.netns}) exited with code ${code}\n`);
    return code;
  }
  if (decodeError) throw decodeError;
  return 0;
}
