import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { listNetns } from '../sys/netns.ts';
import { waitFor, notYet, ready } from '../sys/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));
const knetsim = (args: string[], timeout = 60_000) => execa('node', [BIN, ...args], { timeout, reject: false });
const dir = mkdtempSync(join(tmpdir(), 'knetsim-capture-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('knetsim capture / decode on a detached run', () => {
  it('prints VXLAN vni=100 live while a pod pings across workers, and decode reads the same file', async () => {
    const up = await knetsim(['up', '--detach'], 150_000);
    expect(up.exitCode, up.stderr).toBe(0);
    const runId = up.stdout.trim().split('\n').pop()!;
    expect(runId).toMatch(/^[a-z0-9]{4}$/);
    try {
      const file = join(dir, 'w1.pcap');
      const cap = execa('node', [BIN, 'capture', runId, 'C0w1', '-c', '4', '-f', 'udp port 8472', '-w', file], { timeout: 60_000, reject: false });
      let stderr = '';
      cap.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitFor('knetsim capture to say tcpdump is listening', async () => (/listening on eth0/.test(stderr) ? ready(true) : notYet(stderr.trim() || 'no output yet')), {
        timeoutMs: 20_000,
      });
      const ping = await knetsim(['exec', runId, 'C0w1:c1', '--', 'ping', '-c', '2', '-i', '0.2', 'C0w2:c2']);
      expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
      const r = await cap;
      // The deck of the detached run lives on after `up` exited: C0's web server from C1, by host:port as at the prompt.
      const page = await knetsim(['exec', runId, 'C1w2:c2', '--', 'wget', '-q', '-T', '10', '-O', '-', 'C1w1:1028']);
      expect(page.stdout, page.stderr).toBe('<h1>hello from C0w3:c4</h1>'); // execa drops the last newline
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines, r.stdout).toHaveLength(4);
      for (const line of lines) expect(line).toMatch(/ UDP \d+ → 8472 VXLAN vni=100 \[.* ICMP Echo \(ping\) (request|reply)/);
      expect(lines.filter((l) => /request/.test(l))).toHaveLength(2);

      const decoded = await knetsim(['decode', file]);
      expect(decoded.exitCode, decoded.stderr).toBe(0);
      expect(decoded.stdout.trim().split('\n')).toEqual(lines);
    } finally {
      const down = await knetsim(['down', runId]);
      expect(down.exitCode, down.stderr).toBe(0);
    }
    expect(listNetns().filter((n) => n.startsWith(`kn-${runId}-`))).toEqual([]);
  });
});
