import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ethernet, ipv4, vxlan } from '../../packets/builder.ts';
import { icmp, udp } from '../../packets/builder-transport.ts';
import { encodePcap } from '../../packets/pcap-writer.ts';
import { PcapFormatError } from '../../packets/errors.ts';
import { decode } from './decode.ts';

const dir = mkdtempSync(join(tmpdir(), 'knetsim-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function pcap(name: string): string {
  const frame = (dport: number, vni: number, k: number) =>
    ethernet({}, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: 40000, dstPort: dport }, vxlan({ vni }, ethernet({}, ipv4({ src: '11.10.16.2', dst: '11.10.32.2' }, icmp({ type: 'echo-request', id: 1, seq: k })))))));
  const frames = [frame(8472, 100, 1), frame(4789, 42, 2), frame(5555, 7, 3)];
  const file = join(dir, name);
  writeFileSync(file, encodePcap(frames.map((f, k) => ({ data: f.bytes, tsSec: 1_700_000_000, tsNsec: k * 1_000_000 }))));
  return file;
}

async function output(args: string[]): Promise<{ code: number; lines: string[] }> {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  const code = await decode(args);
  vi.restoreAllMocks();
  return { code, lines: text.trimEnd().split('\n').filter(Boolean) };
}

describe('knetsim decode', () => {
  const file = pcap('three.pcap');

  it('prints one tshark-style line per packet, VXLAN opened on 8472 and 4789', async () => {
    const { code, lines } = await output([file]);
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\s+1 0\.000000 10\.0\.0\.1 → 10\.0\.0\.2 UDP 40000 → 8472 VXLAN vni=100 \[11\.10\.16\.2 → 11\.10\.32\.2 ICMP Echo \(ping\) request/);
    expect(lines[1]).toMatch(/^\s+2 \S+ .*UDP 40000 → 4789 VXLAN vni=42 \[/);
    expect(lines[2]).toMatch(/UDP 40000 → 5555 Len=/);
  });

  it('opens VXLAN on the ports given with --vxlan-port', async () => {
    const { lines } = await output([file, '--vxlan-port', '5555']);
    expect(lines[2]).toMatch(/UDP 40000 → 5555 VXLAN vni=7 \[11\.10\.16\.2 → 11\.10\.32\.2 ICMP/);
  });

  it('prints one JSON object per packet with --json', async () => {
    const { lines } = await output([file, '--json']);
    const packets = lines.map((l) => JSON.parse(l));
    expect(packets.map((p) => p.vxlan?.vni)).toEqual([100, 42, undefined]);
    expect(packets[0].inner.icmp.type).toBe('echo-request');
  });

  it('rejects a file that is not pcap, and a bad port, with clear errors', async () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a pcap at all, just text');
    await expect(decode([bad])).rejects.toThrow(PcapFormatError);
    writeFileSync(join(dir, 'empty.pcap'), '');
    await expect(decode([join(dir, 'empty.pcap')])).rejects.toThrow(/not a readable pcap file/);
    await expect(decode([file, '--vxlan-port', '70000'])).rejects.toThrow(/--vxlan-port: "70000" is not a port number/);
    await expect(decode([join(dir, 'missing.pcap')])).rejects.toThrow(/no such file/);
  });
});
