import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arp, ethernet, ipv4, ipv6, vxlan, type Built } from './builder.ts';
import { icmp, icmpv6, tcp, udp } from './builder-transport.ts';
import { decodePcapFile } from './pcap-reader.ts';
import { encodePcap } from './pcap-writer.ts';
import { compareWithTshark, packetFacts, readWithTshark, tsharkFacts } from './tshark-compare.ts';

const dir = mkdtempSync(join(tmpdir(), 'knetsim-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frames(): Built[] {
  const out: Built[] = [];
  for (let k = 0; k < 40; k++) {
    const l4 = [
      () => icmp({ type: k % 2 ? 'echo-reply' : 'echo-request', id: k, seq: k * 7 }, 'ping'),
      () => tcp({ srcPort: 40000 + k, dstPort: 80, seq: k * 99, ack: k, flags: ['S', 'SA', 'A', 'PA', 'FA', 'R'][k % 6]!, mss: 1460 }, 'GET /'),
      () => udp({ srcPort: 5000 + k, dstPort: 53 }, 'query'),
    ][k % 3]!();
    const inner = ethernet({}, ipv4({ src: `11.10.${16 * (1 + (k % 3))}.2`, dst: `11.10.32.${2 + k}` }, l4));
    out.push(ethernet({}, ipv4({ src: '10.0.0.1', dst: `10.0.0.${2 + (k % 3)}` }, udp({ srcPort: 30000 + k, dstPort: k % 4 ? 8472 : 4789 }, vxlan({ vni: 100 + k }, inner)))));
  }
  out.push(ethernet({}, ipv4({ src: '192.168.1.1', dst: '192.168.1.2' }, tcp({ srcPort: 1, dstPort: 2, flags: 'SA', windowScale: 7 }))));
  out.push(ethernet({ vlan: 10 }, ipv4({ src: '192.168.1.1', dst: '192.168.1.2' }, icmp({ type: 'dest-unreachable', code: 3 }, Buffer.alloc(28)))));
  out.push(ethernet({}, ipv6({ src: 'fd00::1', dst: 'fd00::2' }, icmpv6({ type: 'echo-request', id: 1, seq: 2 }))));
  out.push(ethernet({ dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: '02:00:00:00:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.9' })));
  return out;
}

describe('cross-check against tshark', () => {
  it('agrees with tshark on addresses, ports, VNI, protocols, ICMP types and TCP flags', async () => {
    const file = join(dir, 'mix.pcap');
    const built = frames();
    writeFileSync(file, encodePcap(built.map((f, k) => ({ data: f.bytes, tsSec: 1_700_000_000 + k }))));
    const json = await readWithTshark(file, [8472]);
    const packets = await decodePcapFile(file);
    expect(json.length).toBe(built.length);
    expect(packets.count).toBe(built.length);
    json.forEach((entry, k) => {
      const p = packets.packets[k]!;
      expect(p.malformed, `packet ${k + 1}`).toBeUndefined();
      expect(packetFacts(p), `packet ${k + 1}`).toEqual(tsharkFacts(entry));
    });
    // The reusable form the scenarios use finds no difference either.
    expect((await compareWithTshark(file, [8472])).differences).toEqual([]);
  });
});
