/**
 * One measurement of bench/decode, in a process of its own so that its peak RSS is its own
 * (the driver runs it under GNU time). Prints one JSON line: { packets, seconds, check }.
 *
 *   npx tsx bench/decode/measure.ts --what frame|decode --framer scanner|pcap-parser FILE
 */
import { parseArgs } from 'node:util';
import { framePcapStream } from '../../harness/packets/pcap-parser-stream.ts';
import { feedScanner, streamPacketBatches, type PcapFramer } from '../../harness/packets/pcap-reader.ts';
import { PcapScanner } from '../../harness/packets/pcap-scanner.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { what: { type: 'string', default: 'decode' }, framer: { type: 'string', default: 'scanner' } },
});
const file = positionals[0];
const framer = values.framer as PcapFramer;
if (!file || !['frame', 'decode'].includes(values.what!) || !['scanner', 'pcap-parser'].includes(framer)) {
  throw new Error('usage: measure.ts --what frame|decode --framer scanner|pcap-parser FILE');
}

/** Framing only: find each record and read its length; `check` sums captured bytes so nothing is skipped. */
async function frame(): Promise<{ packets: number; check: number }> {
  let packets = 0;
  let check = 0;
  if (framer === 'scanner') {
    const scanner = new PcapScanner(file!);
    const visit = (_b: Buffer, _offset: number, captured: number) => {
      packets++;
      check += captured;
    };
    for await (const _ of feedScanner(file!, scanner)) scanner.scan(visit);
    scanner.end();
  } else {
    for await (const { records } of framePcapStream(file!)) {
      packets += records.length;
      for (const r of records) check += r.data.length;
    }
  }
  return { packets, check };
}

/** Framing and full decoding; `check` sums the VNIs of VXLAN packets with an inner IPv4 layer. */
async function decode(): Promise<{ packets: number; check: number }> {
  let packets = 0;
  let check = 0;
  for await (const batch of streamPacketBatches(file!, { framer })) {
    for (const p of batch) {
      packets++;
      if (p.vxlan && p.inner?.ipv4) check += p.vxlan.vni;
    }
  }
  return { packets, check };
}

const start = process.hrtime.bigint();
const r = values.what === 'frame' ? await frame() : await decode();
console.log(JSON.stringify({ ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 }));
