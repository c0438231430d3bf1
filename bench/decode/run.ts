/**
 * Decoding benchmark: the two pcap framers (our scanner, the pcap-parser package), framing
 * only and framing + our decoders, against tshark, on the same synthetic VXLAN capture.
 * Each measurement runs in a process of its own under GNU time (peak RSS), the methods
 * interleaved round after round; the table gives the median rate and the highest RSS.
 *
 *   npx tsx bench/decode/run.ts [--packets N] [--rounds R] [--big]
 *
 * --big: a 1 GiB capture, streamed (tshark is left out: it would take minutes).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { $ } from 'zx';
import { tsxLoader } from '../../harness/sys/node-script.ts';
import { makeTempDir } from '../../harness/sys/temp-dir.ts';
import { generateCapture } from './generate.ts';

const { values } = parseArgs({
  options: { packets: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' }, big: { type: 'boolean', default: false } },
});
const ROUNDS = Number(values.rounds);
/** tshark is timed on a prefix of this many packets (it runs at tens of thousands per second). */
const TSHARK_PREFIX = 200_000;
const MEASURE = fileURLToPath(new URL('./measure.ts', import.meta.url));
/** `node --import <tsx>`: the measuring processes run TypeScript without an npx in between. */
const TSX = tsxLoader();

interface Method {
  label: string;
  /** argv, run under `/usr/bin/time -f %M`. */
  argv: (file: string, prefix: string) => string[];
  /** Packets the run handles and how its output gives the elapsed seconds. */
  read: (stdout: string, packets: number, prefixPackets: number) => { packets: number; seconds?: number; check?: number };
}

const node = (what: string, framer: string): Method => ({
  label: `${framer === 'scanner' ? 'our scanner' : 'pcap-parser'}, ${what === 'frame' ? 'framing only' : 'framing + decode'}`,
  argv: (file) => [process.execPath, '--import', TSX, MEASURE, '--what', what, '--framer', framer, file],
  read: (stdout) => JSON.parse(stdout) as { packets: number; seconds: number; check: number },
});

const tshark: Method = {
  label: 'tshark -T fields -e vxlan.vni',
  argv: (_file, prefix) => ['tshark', '-r', prefix, '-T', 'fields', '-e', 'vxlan.vni', '-d', 'udp.port==8472,vxlan'],
  read: (stdout, _packets, prefixPackets) => {
    const lines = stdout.split('\n').filter((l) => l.trim() !== '').length;
    if (lines !== prefixPackets) throw new Error(`tshark printed ${lines} VNIs for ${prefixPackets} packets`);
    return { packets: lines };
  },
};

const METHODS: Method[] = [
  node('frame', 'scanner'),
  node('frame', 'pcap-parser'),
  node('decode', 'scanner'),
  node('decode', 'pcap-parser'),
  ...(values.big ? [] : [tshark]),
];

interface Sample {
  rate: number;
  rssMb: number;
  check: number | undefined;
}

/** Runs one method under GNU time; the rate uses the process's own timing when it reports one, else wall time. */
async function sample(m: Method, file: string, packets: number, prefix: string, prefixPackets: number): Promise<Sample> {
  const t0 = performance.now();
  const out = await $({ quiet: true })`/usr/bin/time -f ${'rss-kb=%M'} ${m.argv(file, prefix)}`;
  const wall = (performance.now() - t0) / 1000;
  const rssKb = Number(/rss-kb=(\d+)/.exec(out.stderr)?.[1]);
  const r = m.read(out.stdout, packets, prefixPackets);
  return { rate: r.packets / (r.seconds ?? wall), rssMb: rssKb / 1024, check: r.check };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  using tmp = makeTempDir('bench-decode');
  const file = join(tmp.path, 'vxlan.pcap');
  const gen = values.big ? generateCapture(file, { bytes: 1024 ** 3 }) : generateCapture(file, { packets: Number(values.packets) });
  const prefix = join(tmp.path, 'prefix.pcap');
  const prefixPackets = Math.min(TSHARK_PREFIX, gen.packets);
  if (!values.big) generateCapture(prefix, { packets: prefixPackets });
  console.log(`capture: ${fmt(gen.packets)} VXLAN packets, ${(gen.bytes / 1024 ** 2).toFixed(1)} MiB; ${ROUNDS} rounds, methods interleaved`);

  const samples = new Map<Method, Sample[]>(METHODS.map((m) => [m, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts one method later, so no method always runs first (cold caches).
    for (let k = 0; k < METHODS.length; k++) {
      const m = METHODS[(round + k) % METHODS.length]!;
      const s = await sample(m, file, gen.packets, prefix, prefixPackets);
      samples.get(m)!.push(s);
    }
  }

  const base = median(samples.get(METHODS[2]!)!.map((s) => s.rate)); // our scanner, framing + decode
  console.log(`\n${'method'.padEnd(34)}${'packets/s (median)'.padStart(20)}${'peak RSS'.padStart(11)}${'vs scanner+decode'.padStart(19)}`);
  for (const m of METHODS) {
    const ss = samples.get(m)!;
    const checks = new Set(ss.map((s) => s.check));
    if (checks.size > 1) throw new Error(`${m.label}: results differ between rounds (${[...checks].join(', ')})`);
    const rate = median(ss.map((s) => s.rate));
    const rss = Math.max(...ss.map((s) => s.rssMb));
    console.log(`${m.label.padEnd(34)}${fmt(rate).padStart(20)}${`${rss.toFixed(0)} MB`.padStart(11)}${`${(rate / base).toFixed(2)}x`.padStart(19)}`);
  }
  // Both framers must have found the same records and decoded the same VNIs.
  const check = (k: number) => samples.get(METHODS[k]!)![0]!.check;
  if (check(0) !== check(1) || check(2) !== check(3)) throw new Error('the two framers disagree on the records or the decoded VNIs');
  if (!values.big) console.log(`\ntshark timed on a ${fmt(prefixPackets)}-packet prefix file, wall time including its start-up; the others time their own read loop.`);
  console.log('peak RSS: GNU time %M of each measuring process (node with the tsx loader, or tshark).');
}

await main();
