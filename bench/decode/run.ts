/**
 * Decoding benchmark: our streaming pcap reader + decoders against tshark on the same file.
 *   npx tsx bench/decode/run.ts [--packets N] [--big]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { streamPacketBatches } from '../../harness/packets/pcap-reader.ts';
import { generateCapture } from './generate.ts';

const TSHARK_PREFIX = 200_000;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

async function decodeFile(path: string): Promise<{ packets: number; seconds: number; vniSum: number }> {
  const start = process.hrtime.bigint();
  let packets = 0;
  let vniSum = 0; // consume the decoded result so nothing is optimised away
  for await (const batch of streamPacketBatches(path)) {
    for (const p of batch) {
      packets++;
      if (p.vxlan && p.inner?.ipv4) vniSum += p.vxlan.vni;
    }
  }
  return { packets, seconds: Number(process.hrtime.bigint() - start) / 1e9, vniSum };
}

async function tsharkRate(path: string, packets: number): Promise<{ rate: number; seconds: number; lines: number }> {
  const start = process.hrtime.bigint();
  const r = await execa('tshark', ['-r', path, '-T', 'fields', '-e', 'vxlan.vni', '-d', 'udp.port==8472,vxlan'], { maxBuffer: 1e9 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (lines !== packets) throw new Error(`tshark printed ${lines} VNIs for ${packets} packets`);
  return { rate: packets / seconds, seconds, lines };
}

async function main(): Promise<void> {
  const count = Number(argValue('--packets') ?? 1_000_000);
  const big = process.argv.includes('--big');
  const dir = mkdtempSync(join(tmpdir(), 'knetsim-bench-decode-'));
  try {
    const file = join(dir, 'vxlan.pcap');
    const gen = big ? generateCapture(file, { bytes: 1024 ** 3 }) : generateCapture(file, { packets: count });
    console.log(`generated ${gen.packets.toLocaleString('en')} VXLAN packets, ${(gen.bytes / 1024 ** 2).toFixed(1)} MiB, in ${file}`);
    const ours = await decodeFile(file);
    if (ours.packets !== gen.packets) throw new Error(`decoded ${ours.packets} of ${gen.packets} packets`);
    const rate = ours.packets / ours.seconds;
    console.log(`ours:   ${ours.packets.toLocaleString('en')} packets in ${ours.seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} packets/s (full decode, streaming)`);
    console.log(`peak RSS (whole process, generation included): ${peakRssMb().toFixed(0)} MB`);
    if (big) return;
    const prefixCount = Math.min(TSHARK_PREFIX, gen.packets);
    const prefix = join(dir, 'prefix.pcap');
    generateCapture(prefix, { packets: prefixCount });
    const ts = await tsharkRate(prefix, prefixCount);
    const scaled = prefixCount < gen.packets ? ` (timed on a ${prefixCount.toLocaleString('en')}-packet prefix file, scaled by count)` : '';
    console.log(`tshark: ${Math.round(ts.rate).toLocaleString('en')} packets/s, ${ts.seconds.toFixed(2)} s for ${prefixCount.toLocaleString('en')} packets${scaled}`);
    console.log(`ratio:  ours / tshark = ${(rate / ts.rate).toFixed(1)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
