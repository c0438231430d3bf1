import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../sys/temp-dir.ts';
import { PcapFormatError } from './errors.ts';
import { LINKTYPE_LINUX_SLL2 } from './link-types.ts';
import { decodePcapBuffer, decodePcapFile, streamPacketBatches, streamPackets, type PcapFramer } from './pcap-reader.ts';
import { encodePcap, PcapFileWriter, type PcapWriteOptions } from './pcap-writer.ts';
import { hex, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

const tmp = makeTempDir('pcap-test');
afterAll(() => tmp.remove());

const records = [
  { data: hex(VXLAN_PING_HEX), tsSec: 1_700_000_000, tsNsec: 123_456_789 },
  { data: hex(TCP_SYN_HEX), tsSec: 1_700_000_001, tsNsec: 5_000 },
];

/** The bytes as a stream of `size`-byte chunks (as a pipe from tcpdump delivers them). */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts);
}

describe.each<PcapFramer>(['pcap-parser', 'scanner'])('pcap reader, framed by %s', (framer) => {
  const read = (bytes: Buffer, chunk = 4096) => decodePcapFile(chunked(bytes, chunk), { framer });

  it.each<[string, PcapWriteOptions, number]>([
    ['little-endian, microseconds', { byteOrder: 'le' }, 123_456_000],
    ['big-endian, microseconds', { byteOrder: 'be' }, 123_456_000],
    ['little-endian, nanoseconds', { byteOrder: 'le', nanosecond: true }, 123_456_789],
    ['big-endian, nanoseconds', { byteOrder: 'be', nanosecond: true }, 123_456_789],
  ])('reads %s', async (_name, options, nsec) => {
    const list = await read(encodePcap(records, options));
    expect(list.count).toBe(2);
    const [a, b] = list.packets;
    expect(a).toMatchObject({ index: 1, tsSec: 1_700_000_000, tsNsec: nsec, capturedLength: 100, originalLength: 100, linkType: 1 });
    expect(a?.vxlan?.vni).toBe(100);
    expect(b).toMatchObject({ index: 2, tsNsec: 5_000, tcp: { dstPort: 80 } });
  });

  it('recognises the header fields by hand-written bytes (big-endian, nanosecond magic)', async () => {
    const header = hex('a1b23c4d000200040000000000000000000400000000' + '0114');
    const record = hex('00000001' + '00000002' + '0000000c' + '00000010');
    const list = await read(Buffer.concat([header, record, Buffer.alloc(12)]));
    expect(list.packets[0]).toMatchObject({ linkType: 276, tsSec: 1, tsNsec: 2, capturedLength: 12, originalLength: 16 });
    expect(list.packets[0]?.malformed?.layer).toBe('sll');
  });

  it('streams a file in small reads and across record boundaries', async () => {
    const file = join(tmp.path, `stream-${framer}.pcap`);
    const writer = new PcapFileWriter(file, { linkType: 1 }, 4096);
    for (let k = 0; k < 500; k++) writer.write(records[k % 2]!);
    writer.close();
    writer.close();
    let n = 0;
    let vxlans = 0;
    for await (const p of streamPackets(file, { chunkSize: 333, framer })) {
      n++;
      expect(p.index).toBe(n);
      if (p.vxlan) vxlans++;
      expect(p.malformed).toBeUndefined();
    }
    expect([n, vxlans]).toEqual([500, 250]);
    const bytes = encodePcap(records, { nanosecond: true });
    const list = await read(bytes, 1);
    expect(list.count).toBe(2);
    expect(list.packets[0]?.tsNsec).toBe(123_456_789);
  });

  it('reads ahead of a slow consumer by a bounded amount (the input is paused)', async () => {
    const count = 200_000;
    const recordBytes = 16 + records[0]!.data.length;
    const all = encodePcap(Array.from({ length: count }, () => records[0]!));
    let pulled = 0;
    async function* source() {
      for (let at = 0; at < all.length; at += 64 * 1024) {
        const chunk = all.subarray(at, at + 64 * 1024);
        pulled += chunk.length;
        yield chunk;
      }
    }
    let seen = 0;
    let batches = 0;
    let maxLead = 0;
    for await (const batch of streamPacketBatches(Readable.from(source()), { framer })) {
      seen += batch.length;
      maxLead = Math.max(maxLead, pulled - seen * recordBytes);
      if (++batches % 100 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    expect(seen).toBe(count);
    // 23 MB went through; never more than a few MiB of it was read ahead of the consumer.
    expect(all.length).toBeGreaterThan(20 * 1024 * 1024);
    expect(maxLead).toBeLessThan(4 * 1024 * 1024);
  });

  it('reports a truncated final record as a malformed packet, not a hang', async () => {
    const bytes = encodePcap(records);
    const file = join(tmp.path, `cut-${framer}.pcap`);
    writeFileSync(file, bytes.subarray(0, bytes.length - 20));
    for (const list of [await decodePcapFile(file, { framer }), await read(bytes.subarray(0, bytes.length - 20), 7)]) {
      expect(list.count).toBe(2);
      expect(list.packets[1]?.malformed).toEqual({
        offset: 54,
        reason: 'pcap file ends inside a record: 54 of 74 captured bytes present (record at file byte 140)',
        layer: 'pcap',
      });
      expect(list.packets[1]?.ipv4?.src).toBe('10.0.0.1');
    }
    const headerCut = await read(bytes.subarray(0, 24 + 116 + 7));
    expect(headerCut.packets[1]?.malformed?.reason).toMatch(/ends inside a record header \(7 of 16 bytes\)/);
  });

  it('gives a PcapFormatError for an empty file, a short or broken header, pcapng', async () => {
    const file = join(tmp.path, `empty-${framer}.pcap`);
    writeFileSync(file, '');
    await expect(decodePcapFile(file, { framer })).rejects.toThrow(PcapFormatError);
    await expect(decodePcapFile(file, { framer })).rejects.toThrow(/empty file \(0 bytes\)/);
    await expect(read(Buffer.alloc(10))).rejects.toThrow(/ends inside the 24-byte global header \(10 bytes\)/);
    await expect(read(Buffer.alloc(40))).rejects.toThrow(/bad magic number 0x00000000/);
    const v3 = encodePcap([]);
    v3.writeUInt16LE(3, 4);
    await expect(read(v3)).rejects.toThrow(/unsupported pcap version 3\.4/);
    await expect(read(hex('0a0d0d0a' + '00'.repeat(28)))).rejects.toThrow(/pcapng/);
    await expect(decodePcapFile(join(tmp.path, 'absent.pcap'), { framer })).rejects.toThrow(/ENOENT/);
  });

  it('rejects a record header claiming an absurd length instead of waiting for it', async () => {
    const bytes = encodePcap(records);
    bytes.writeUInt32LE(0x7fffffff, 24 + 8);
    await expect(read(bytes)).rejects.toThrow(/record 1 claims 2147483647 captured bytes, more than the limit of 262144; the file is corrupt \(at byte 24\)/);
  });

  it('writes the link type into the header', async () => {
    expect((await read(encodePcap([{ data: Buffer.alloc(20) }], { linkType: LINKTYPE_LINUX_SLL2 }))).packets[0]?.linkType).toBe(276);
  });
});

describe('in-memory pcap (decodePcapBuffer, our scanner)', () => {
  it('decodes the same packets as the stream readers', async () => {
    const bytes = encodePcap(records, { byteOrder: 'be', nanosecond: true });
    const fromBuffer = decodePcapBuffer(bytes);
    const parsed = await decodePcapFile(Readable.from([bytes]), { framer: 'pcap-parser' });
    expect(fromBuffer.summaries()).toEqual(parsed.summaries());
    expect(fromBuffer.packets.map((p) => p.tsNsec)).toEqual([123_456_789, 5_000]);
    expect(() => decodePcapBuffer(Buffer.alloc(10))).toThrow(/ends inside the 24-byte global header/);
  });
});
