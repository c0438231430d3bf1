import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapFormatError } from './errors.ts';
import { LINKTYPE_LINUX_SLL2 } from './link-types.ts';
import { decodePcapBuffer, decodePcapFile, streamPackets } from './pcap-reader.ts';
import { encodePcap, PcapFileWriter, type PcapWriteOptions } from './pcap-writer.ts';
import { hex, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

const dir = mkdtempSync(join(tmpdir(), 'knetsim-pcap-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [
  { data: hex(VXLAN_PING_HEX), tsSec: 1_700_000_000, tsNsec: 123_456_789 },
  { data: hex(TCP_SYN_HEX), tsSec: 1_700_000_001, tsNsec: 5_000 },
];

describe('pcap reader', () => {
  it.each<[string, PcapWriteOptions, number]>([
    ['little-endian, microseconds', { byteOrder: 'le' }, 123_456_000],
    ['big-endian, microseconds', { byteOrder: 'be' }, 123_456_000],
    ['little-endian, nanoseconds', { byteOrder: 'le', nanosecond: true }, 123_456_789],
    ['big-endian, nanoseconds', { byteOrder: 'be', nanosecond: true }, 123_456_789],
  ])('reads %s', (_name, options, nsec) => {
    const list = decodePcapBuffer(encodePcap(records, options));
    expect(list.count).toBe(2);
    const [a, b] = list.packets;
    expect(a).toMatchObject({ index: 1, tsSec: 1_700_000_000, tsNsec: nsec, capturedLength: 100, originalLength: 100, linkType: 1 });
    expect(a?.vxlan?.vni).toBe(100);
    expect(b).toMatchObject({ index: 2, tsNsec: 5_000, tcp: { dstPort: 80 } });
  });

  it('recognises the header fields by hand-written bytes (big-endian, nanosecond magic)', () => {
    const header = hex('a1b23c4d000200040000000000000000000400000000' + '0114');
    const record = hex('00000001' + '00000002' + '0000000c' + '00000010');
    const list = decodePcapBuffer(Buffer.concat([header, record, Buffer.alloc(12)]));
    expect(list.packets[0]).toMatchObject({ linkType: 276, tsSec: 1, tsNsec: 2, capturedLength: 12, originalLength: 16 });
    expect(list.packets[0]?.malformed?.layer).toBe('sll');
  });

  it('streams a file in small chunks and across record boundaries', async () => {
    const file = join(dir, 'stream.pcap');
    const writer = new PcapFileWriter(file, { linkType: 1 }, 4096);
    for (let k = 0; k < 500; k++) writer.write(records[k % 2]!);
    writer.close();
    writer.close();
    let n = 0;
    let vxlans = 0;
    for await (const p of streamPackets(file, { chunkSize: 333 })) {
      n++;
      expect(p.index).toBe(n);
      if (p.vxlan) vxlans++;
      expect(p.malformed).toBeUndefined();
    }
    expect([n, vxlans]).toEqual([500, 250]);
    const bytes = encodePcap(records);
    const oneByteAtATime = Readable.from([...bytes].map((x) => Buffer.from([x])));
    expect((await decodePcapFile(oneByteAtATime)).count).toBe(2);
  });

  it('reports a truncated final record as a malformed packet, not a hang', async () => {
    const bytes = encodePcap(records);
    const file = join(dir, 'cut.pcap');
    writeFileSync(file, bytes.subarray(0, bytes.length - 20));
    const list = await decodePcapFile(file);
    expect(list.count).toBe(2);
    expect(list.packets[1]?.malformed).toEqual({
      offset: 54,
      reason: 'pcap file ends inside a record: 54 of 74 captured bytes present (record at file byte 140)',
      layer: 'pcap',
    });
    expect(list.packets[1]?.ipv4?.src).toBe('10.0.0.1');
    const headerCut = decodePcapBuffer(bytes.subarray(0, 24 + 116 + 7));
    expect(headerCut.packets[1]?.malformed?.reason).toMatch(/ends inside a record header \(7 of 16 bytes\)/);
  });

  it('gives a PcapFormatError for an empty file, a short or broken header, pcapng', async () => {
    const file = join(dir, 'empty.pcap');
    writeFileSync(file, '');
    await expect(decodePcapFile(file)).rejects.toThrow(PcapFormatError);
    await expect(decodePcapFile(file)).rejects.toThrow(/empty file \(0 bytes\)/);
    expect(() => decodePcapBuffer(Buffer.alloc(10))).toThrow(/ends inside the 24-byte global header \(10 bytes\)/);
    expect(() => decodePcapBuffer(Buffer.alloc(40))).toThrow(/bad magic number 0x00000000/);
    const v3 = encodePcap([]);
    v3.writeUInt16LE(3, 4);
    expect(() => decodePcapBuffer(v3)).toThrow(/unsupported pcap version 3\.4/);
    expect(() => decodePcapBuffer(hex('0a0d0d0a' + '00'.repeat(28)))).toThrow(/pcapng/);
  });

  it('rejects a record header claiming an absurd length instead of waiting for it', () => {
    const bytes = encodePcap(records);
    bytes.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(() => decodePcapBuffer(bytes)).toThrow(/record 1 claims 2147483647 captured bytes/);
  });

  it('writes the link type into the header', () => {
    expect(decodePcapBuffer(encodePcap([{ data: Buffer.alloc(20) }], { linkType: LINKTYPE_LINUX_SLL2 })).packets[0]?.linkType).toBe(276);
  });
});
