import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { arp, ethernet, ipv4, ipv6, vxlan, type Built } from './builder.ts';
import { icmp, icmpv6, tcp, udp } from './builder-transport.ts';
import type { Packet } from './packet.ts';
import { decodePcapFile } from './pcap-reader.ts';
import { encodePcap } from './pcap-writer.ts';

const TSHARK = '/usr/bin/tshark';
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

type Layer = Record<string, unknown>;

/** tshark's layer objects: one, an array of several (--no-duplicate-keys), or none. */
function all(layers: Layer, name: string): Layer[] {
  const v = layers[name];
  return v === undefined ? [] : Array.isArray(v) ? (v as Layer[]) : [v as Layer];
}

/** The same facts from one of our packets, outer then inner. */
function ours(p: Packet) {
  const levels: Packet[] = p.inner ? [p, p.inner] : [p];
  const ip = levels.flatMap((q) => (q.ipv4 ? [{ src: q.ipv4.src, dst: q.ipv4.dst, proto: q.ipv4.protocol }] : []));
  return {
    ip,
    ipv6: levels.flatMap((q) => (q.ipv6 ? [{ src: q.ipv6.src, dst: q.ipv6.dst }] : [])),
    udp: levels.flatMap((q) => (q.udp ? [[q.udp.srcPort, q.udp.dstPort]] : [])),
    tcp: levels.flatMap((q) => (q.tcp ? [{ ports: [q.tcp.srcPort, q.tcp.dstPort], flags: q.tcp.flagBits }] : [])),
    vni: levels.flatMap((q) => (q.vxlan ? [q.vxlan.vni] : [])),
    icmp: levels.flatMap((q) => (q.icmp ? [[q.icmp.typeNumber, q.icmp.code]] : [])),
    icmpv6: levels.flatMap((q) => (q.icmpv6 ? [q.icmpv6.typeNumber] : [])),
    arp: levels.flatMap((q) => (q.arp ? [q.arp.opcode] : [])),
  };
}

function theirs(layers: Layer) {
  const n = (v: unknown) => Number(v);
  return {
    ip: all(layers, 'ip').map((l) => ({ src: l['ip.src'], dst: l['ip.dst'], proto: n(l['ip.proto']) })),
    ipv6: all(layers, 'ipv6').map((l) => ({ src: l['ipv6.src'], dst: l['ipv6.dst'] })),
    udp: all(layers, 'udp').map((l) => [n(l['udp.srcport']), n(l['udp.dstport'])]),
    tcp: all(layers, 'tcp').map((l) => ({ ports: [n(l['tcp.srcport']), n(l['tcp.dstport'])], flags: n(l['tcp.flags']) })),
    vni: all(layers, 'vxlan').map((l) => n(l['vxlan.vni'])),
    icmp: all(layers, 'icmp').map((l) => [n(l['icmp.type']), n(l['icmp.code'])]),
    icmpv6: all(layers, 'icmpv6').map((l) => n(l['icmpv6.type'])),
    arp: all(layers, 'arp').map((l) => n(l['arp.opcode'])),
  };
}

describe('cross-check against tshark', () => {
  it('agrees with tshark on addresses, ports, VNI, protocols, ICMP types and TCP flags', async () => {
    if (!existsSync(TSHARK)) {
      throw new Error(`tshark is required for this cross-check and was not found at ${TSHARK} (apt-get install tshark)`);
    }
    const file = join(dir, 'mix.pcap');
    const built = frames();
    writeFileSync(file, encodePcap(built.map((f, k) => ({ data: f.bytes, tsSec: 1_700_000_000 + k }))));
    const r = await execa(TSHARK, ['-r', file, '-T', 'json', '--no-duplicate-keys', '-d', 'udp.port==8472,vxlan'], { maxBuffer: 1e9 });
    const json = JSON.parse(r.stdout) as { _source: { layers: Layer } }[];
    const packets = await decodePcapFile(file);
    expect(json.length).toBe(built.length);
    expect(packets.count).toBe(built.length);
    json.forEach((entry, k) => {
      const p = packets.packets[k]!;
      expect(p.malformed, `packet ${k + 1}`).toBeUndefined();
      expect(ours(p), `packet ${k + 1}`).toEqual(theirs(entry._source.layers));
    });
  });
});
