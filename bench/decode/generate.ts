/** Writes a synthetic capture of VXLAN-in-UDP packets (inner ICMP echo and TCP) for the benchmark. */
import { ethernet, ipv4, vxlan } from '../../harness/packets/builder.ts';
import { icmp, tcp, udp } from '../../harness/packets/builder-transport.ts';
import { PcapFileWriter } from '../../harness/packets/pcap-writer.ts';

/** A few hundred distinct frames, cycled: workers, pods, VNIs, ICMP and TCP. */
function templates(): Buffer[] {
  const frames: Buffer[] = [];
  for (let k = 0; k < 256; k++) {
    const w = 1 + (k % 3);
    const innerIp = { src: `11.10.${16 * w}.${2 + (k % 5)}`, dst: `11.10.${16 * (1 + ((k + 1) % 3))}.2`, id: k, df: true };
    const l4 = k % 2 === 0
      ? icmp({ type: k % 4 === 0 ? 'echo-request' : 'echo-reply', id: k, seq: k * 3 }, Buffer.alloc(56, k))
      : tcp({ srcPort: 40000 + k, dstPort: 80, seq: k * 1000, ack: k, flags: k % 3 === 0 ? 'S' : 'PA', mss: 1410, timestamp: { value: k, echo: 0 } }, Buffer.alloc(k % 64, 0x61));
    const inner = ethernet({ src: `0a:58:0b:0a:${(16 * w).toString(16)}:02` }, ipv4(innerIp, l4));
    const outer = ipv4({ src: `10.0.0.${w}`, dst: `10.0.0.${1 + ((k + 1) % 3)}`, id: k }, udp({ srcPort: 30000 + k, dstPort: 8472 }, vxlan({ vni: 100 + (k % 2) }, inner)));
    frames.push(ethernet({}, outer).bytes);
  }
  return frames;
}

/** Writes `count` packets (or until `bytes` is reached); returns packets and bytes written. */
export function generateCapture(path: string, limit: { packets?: number; bytes?: number }): { packets: number; bytes: number } {
  const frames = templates();
  const writer = new PcapFileWriter(path, {}, 8 * 1024 * 1024);
  const maxPackets = limit.packets ?? Number.POSITIVE_INFINITY;
  const maxBytes = limit.bytes ?? Number.POSITIVE_INFINITY;
  let sec = 1_700_000_000;
  let usec = 0;
  for (let n = 0; n < maxPackets && writer.bytes < maxBytes; n++) {
    usec += 7;
    if (usec >= 1_000_000) {
      usec -= 1_000_000;
      sec++;
    }
    writer.write({ data: frames[n % frames.length]!, tsSec: sec, tsNsec: usec * 1000 });
  }
  writer.close();
  return { packets: writer.records, bytes: writer.bytes };
}
