import { existsSync } from 'node:fs';
import { HarnessError } from '../../sys/errors.ts';
import { streamPacketBatches } from '../../packets/pcap-reader.ts';
import { DEFAULT_VXLAN_PORTS } from '../../packets/vxlan.ts';
import { parse } from './args.ts';
import { packetJson, packetLine } from './packet-line.ts';

const USAGE = `knetsim decode FILE.pcap [--vxlan-port N]... [--json]

Decodes a pcap (tcpdump -w) with knetsim's own decoders: one line per packet in the style
of tshark, VXLAN on UDP 8472 and 4789 opened to the frame inside. --vxlan-port adds a port
(repeatable); --json prints one JSON object per packet instead.`;

/** Parses `--vxlan-port` values: integers 1-65535, named in the error when not. */
export function parsePorts(values: readonly string[] | undefined): number[] {
  return (values ?? []).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new HarnessError(`--vxlan-port: "${v}" is not a port number (1-65535)`);
    return n;
  });
}

export async function decode(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    'vxlan-port': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (!a) return 0;
  const [file] = a.positionals;
  if (!file || a.positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  if (!existsSync(file)) throw new HarnessError(`no such file: ${file}`);
  const vxlanPorts = [...new Set([...DEFAULT_VXLAN_PORTS, ...parsePorts(a.values['vxlan-port'])])];
  let t0: number | undefined;
  // Files can be of any size: with our scanner they decode ~3x faster than through pcap-parser (bench/decode).
  for await (const batch of streamPacketBatches(file, { vxlanPorts, framer: 'scanner' })) {
    const lines = batch.map((p) => {
      t0 ??= p.time;
      return a.values.json ? packetJson(p) : packetLine(p, t0);
    });
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}
