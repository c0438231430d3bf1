import { existsSync, readFileSync, statSync } from 'node:fs';
import { Daemon } from '../../sys/daemon.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { silentReporter, type Reporter } from '../../sys/reporter.ts';
import { notYet, ready, sleep, waitFor, WaitAbort } from '../../sys/wait.ts';
import { decodePcapFile } from '../../packets/pcap-reader.ts';
import type { PacketList } from '../../packets/packet-list.ts';
import { summary } from '../../packets/summary.ts';
import { tcpdumpArgv, type ResolvedCaptureOptions } from './capture-options.ts';

export interface CaptureSpec {
  /** Who this is, for messages and the ledger: `C0w1 eth0`. */
  label: string;
  netns: string | undefined;
  /** Where the pcap goes, and where tcpdump's own output goes. */
  file: string;
  logFile: string;
  options: ResolvedCaptureOptions;
  /** UDP ports decoded as VXLAN when the capture is read. */
  vxlanPorts: readonly number[];
  /** Where the stop step and its evidence (the pcap, its decoded lines) go. */
  reporter?: Reporter;
}

/** Grace between SIGTERM and SIGKILL when stopping: tcpdump flushes and exits in milliseconds. */
const STOP_GRACE_MS = 3_000;
/**
 * On SIGTERM tcpdump breaks its loop and drops what it has not read yet, so `stop()` first
 * lets it catch up: it watches the file until its size holds still for this long (bounded
 * by SETTLE_MAX_MS), on a busy machine where tcpdump may lag the traffic by a few ms.
 */
const SETTLE_QUIET_MS = 60;
const SETTLE_MAX_MS = 600;

/**
 * A running `tcpdump -w FILE` in a namespace. Started by `Capture.start`, which returns only
 * when tcpdump has said it is listening; `stop()` ends it (SIGTERM: tcpdump flushes and
 * exits), then decodes the file. Stopping twice returns the same packets.
 */
export class Capture implements AsyncDisposable {
  private stopping: Promise<PacketList> | undefined;

  private constructor(
    readonly spec: CaptureSpec,
    readonly daemon: Daemon,
  ) {}

  get file(): string {
    return this.spec.file;
  }

  get label(): string {
    return this.spec.label;
  }

  /** Starts tcpdump and waits (with a deadline) until it says it is listening. */
  static async start(ledger: Ledger, spec: CaptureSpec): Promise<Capture> {
    const daemon = Daemon.start(ledger, {
      name: `tcpdump ${spec.label}`,
      netns: spec.netns,
      logFile: spec.logFile,
      argv: tcpdumpArgv(spec.options, spec.file),
    });
    const capture = new Capture(spec, daemon);
    try {
      await capture.waitListening();
    } catch (e) {
      await daemon.stop(STOP_GRACE_MS);
      throw e;
    }
    return capture;
  }

  private async waitListening(): Promise<void> {
    const { iface } = this.spec.options;
    await waitFor(
      `tcpdump ${this.label} to say "listening on ${iface}"`,
      async () => {
        const log = readLog(this.spec.logFile);
        if (/listening on /.test(log)) return ready(undefined);
        // With -c, tcpdump may already be done; a clean exit after listening is caught above.
        if (!this.daemon.running) throw new WaitAbort(this.daemon.error('exited before it was listening'));
        return notYet(log.trim() ? `log: ${log.trim().split('\n').pop()}` : 'nothing in its log yet');
      },
      { timeoutMs: this.spec.options.readyTimeoutMs, maxIntervalMs: 50 },
    ).catch((e: Error) => {
      throw e.name === 'TimeoutError' ? this.daemon.error(e.message) : e;
    });
  }

  /** tcpdump is still capturing (false once stopped, or once `-c` packets were written). */
  get running(): boolean {
    return this.daemon.running;
  }

  /** Ends tcpdump (it flushes the file on SIGTERM), waits for it to exit, decodes the file. Idempotent. */
  stop(): Promise<PacketList> {
    const reporter = this.spec.reporter ?? silentReporter;
    this.stopping ??= reporter.step(`capture stopped: ${this.label}`, async () => {
      if (this.daemon.running) await this.settle();
      await this.daemon.stop(STOP_GRACE_MS);
      const packets = await this.read();
      await reporter.attach(`${this.label}.pcap`, readFileSync(this.file), 'application/vnd.tcpdump.pcap');
      await reporter.attach(`${this.label} decoded (${packets.count} packets)`, packets.summaries().join('\n') || '(no packets)', 'text/plain');
      return packets;
    });
    return this.stopping;
  }

  /** Waits until the file stops growing (tcpdump has written all it has seen), at most SETTLE_MAX_MS. */
  private async settle(): Promise<void> {
    const size = () => (existsSync(this.file) ? statSync(this.file).size : -1);
    const deadline = performance.now() + SETTLE_MAX_MS;
    let last = size();
    let quietSince = performance.now();
    while (performance.now() < deadline && performance.now() - quietSince < SETTLE_QUIET_MS) {
      await sleep(15);
      const now = size();
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      }
    }
  }

  /** Decodes what the file holds now (the capture may still be running). */
  async read(): Promise<PacketList> {
    if (!existsSync(this.file)) throw this.daemon.error(`wrote no capture file ${this.file}`);
    return decodePcapFile(this.file, { vxlanPorts: this.spec.vxlanPorts });
  }

  /** tcpdump's own messages (listening on, N packets captured). */
  log(): string {
    return readLog(this.spec.logFile);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop().catch(() => undefined);
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
