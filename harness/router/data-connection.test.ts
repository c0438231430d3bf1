import net from 'node:net';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DataConnection, FORMAT_DATA, POOL_MIN_IDLE, type DataConnectionOptions, type InboundSink } from './data-connection.ts';
import { join, LinkEnd, type FlowEnd } from './flow-ends.ts';
import { FlowMux } from './flow-mux.ts';
import { LOOPBACK, waitFor } from './test-support.ts';

const opts = (id: string, extra: Partial<DataConnectionOptions> = {}): DataConnectionOptions => ({
  containerId: id, maxFrameSize: 16384, incomingWindow: 640, idleTimeoutMs: 0, properties: { 'knetsim:router-id': id }, ...extra,
});

/** A socket stand-in that records what is written and lets the test feed what is read. */
function fakeSocket(): { socket: net.Socket; written: Buffer[]; feed(b: Buffer): void } {
  const written: Buffer[] = [];
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      written.push(Buffer.from(chunk));
      cb();
    },
  });
  return { socket: Object.assign(d, { setNoDelay: () => d }) as unknown as net.Socket, written, feed: (b) => d.emit('data', b) };
}

/** The two ends of a real loopback TCP connection. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const cs = net.connect((server.address() as net.AddressInfo).port, LOOPBACK);
  const ss = await accepted;
  server.close();
  return [cs, ss];
}

/** Two connected DataConnections over real loopback TCP. */
async function pair(a: Partial<DataConnectionOptions> = {}, b: Partial<DataConnectionOptions> = {}): Promise<[DataConnection, DataConnection]> {
  const [cs, ss] = await socketPair();
  const x = new DataConnection(cs, opts('A', a));
  const y = new DataConnection(ss, opts('B', b));
  cleanup.push(() => {
    cs.destroy();
    ss.destroy();
  });
  await Promise.all([x, y].map((c) => new Promise<void>((r) => (c.hooks.ready = r))));
  return [x, y];
}

/** A flow end that collects what arrives and can be told to stop reading. */
class Collector extends EventTarget {
  chunks: Buffer[] = [];
  ended = false;
  aborted: string | undefined;
  full = false;
}
function collectorEnd(c: Collector): FlowEnd {
  const end = {
    onFinish: undefined as (() => void) | undefined,
    write(b: Buffer) {
      c.chunks.push(Buffer.from(b));
      return !c.full;
    },
    end() {
      c.ended = true;
      end.onFinish?.(); // nothing more comes from this side: it is done once its input ends
    },
    pause() {},
    resume() {},
    abort(reason: string) {
      c.aborted = reason;
    },
    buffered: () => 0,
  };
  return end as unknown as FlowEnd;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe('data connection', () => {
  it('opens both ways, agrees on the smaller frame size, and refuses a peer the hook rejects', async () => {
    const [a, b] = await pair({ maxFrameSize: 65536 }, { maxFrameSize: 16384 });
    expect([a.frameSize, b.frameSize]).toEqual([16384, 16384]);
    expect(b.remoteProperties).toEqual({ 'knetsim:router-id': 'A' });
    // Our idle senders and, as receivers, the peer's.
    await waitFor('both pools attached', () => a.linkCount(), (n) => n === 2 * POOL_MIN_IDLE);

    const [cs, ss] = await socketPair();
    const x = new DataConnection(cs, opts('X'));
    const y = new DataConnection(ss, opts('Y'));
    y.hooks.open = () => ({ condition: 'amqp:unauthorized-access', description: 'who are you' });
    const closed = await new Promise((r) => (x.hooks.closed = r));
    expect(closed).toEqual({ condition: 'amqp:unauthorized-access', description: 'who are you' });
    expect(x.closed && y.closed).toBe(true);
    cs.destroy();
    ss.destroy();
  });

  it('carries flows both ways with half-close and reuses their links (flat link count over 300 flows)', async () => {
    const [a, b] = await pair();
    const ma = new FlowMux(a, () => {});
    const downs = new Map<string, Collector>();
    let finished = 0;
    new FlowMux(b, (end, meta) => {
      const down = new Collector();
      downs.set(meta.id, down);
      join(end, collectorEnd(down), () => finished++);
      end.write(Buffer.from(`reply ${meta.id}`));
      end.end();
    });
    const batch = async (from: number, n: number) => {
      await Promise.all(Array.from({ length: n }, async (_, j) => {
        const id = `f${from + j}`;
        const up = new Collector();
        const opener = ma.open({ id, address: 'echo', dst: 'B' })!;
        join(opener, collectorEnd(up), () => finished++);
        const big = Buffer.alloc(40_000, j % 256); // three frames
        opener.write(big);
        opener.end();
        await waitFor(`flow ${id} to finish at both ends`, () => ({ up: up.ended, down: downs.get(id)?.ended }), (v) => v.up && v.down === true);
        expect(Buffer.concat(downs.get(id)!.chunks).equals(big)).toBe(true);
        expect(Buffer.concat(up.chunks).toString()).toBe(`reply ${id}`);
      }));
    };
    await batch(0, 20);
    const after20 = a.linkCount() + b.linkCount();
    for (let k = 1; k <= 14; k++) await batch(20 * k, 20);
    await waitFor('all 300 flows finished at both routers', () => finished, (n) => n === 600);
    // 280 more flows need no more links than 20 at a time do (a leak would add two per flow).
    const bound = 4 * (20 + POOL_MIN_IDLE);
    expect(after20).toBeLessThanOrEqual(bound);
    expect(a.linkCount() + b.linkCount()).toBeLessThanOrEqual(bound);
    // Once no flow needs them, the scrubber detaches the links above the pool's minimum.
    expect(a.linkCount() + b.linkCount()).toBeGreaterThan(4 * POOL_MIN_IDLE);
    for (const c of [a, b, a, b]) c.scrub(); // the first round only notes how many stayed idle
    await waitFor('surplus idle links detached', () => a.linkCount() + b.linkCount(), (n) => n === 4 * POOL_MIN_IDLE);
  });

  it('stops a sender at the credit window while the reader pauses, and resumes it', async () => {
    const [a, b] = await pair();
    const ma = new FlowMux(a, () => {});
    let inbound: LinkEnd | undefined;
    const down = new Collector();
    down.full = true; // the reader's side says "full" from the first write: the link end pauses
    new FlowMux(b, (end) => {
      inbound = end as LinkEnd;
      join(end, collectorEnd(down), () => {});
    });
    const opener = ma.open({ id: 'slow', address: 'x', dst: 'B' })!;
    join(opener, collectorEnd(new Collector()), () => {});
    const total = 4 * 1024 * 1024;
    opener.write(Buffer.alloc(total, 7));
    await waitFor('the inbound flow', () => inbound, (x) => x !== undefined);
    await new Promise((r) => setTimeout(r, 200));
    const stalled = down.chunks.reduce((n, c) => n + c.length, 0);
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThanOrEqual(b.window * b.maxPayload + b.maxPayload);
    expect(opener.buffered()).toBeGreaterThan(total - stalled - 1);
    down.full = false;
    inbound!.resume();
    await waitFor('everything to arrive once the reader resumes', () => down.chunks.reduce((n, c) => n + c.length, 0), (n) => n === total, 10_000);
  });

  it('refuses to open a flow whose BEGIN would not fit one frame (tiny frames, long address)', async () => {
    const [a] = await pair({ maxFrameSize: 512 }, { maxFrameSize: 512 });
    const ma = new FlowMux(a, () => {});
    expect(ma.open({ id: 'f', address: 'x'.repeat(500), dst: 'B' })).toBeUndefined();
    expect(ma.open({ id: 'f', address: 'short', dst: 'B' })).toBeDefined();
  });

  it('delivers payloads intact however the bytes are split into reads (frames straddling reads)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }), (sizes, cuts) => {
      // A sender writing into a recorder; its peer's half of the handshake is fed by hand.
      const tx = fakeSocket();
      const sender = new DataConnection(tx.socket, opts('A'));
      const rx = fakeSocket();
      const receiver = new DataConnection(rx.socket, opts('B'));
      // Handshake, attaches and their credit, both ways.
      for (let round = 0; round < 3; round++) {
        sender.flush();
        receiver.flush();
        for (const b of rx.written.splice(0)) tx.feed(b);
        for (const b of tx.written.splice(0)) rx.feed(b);
      }
      expect(sender.ready && receiver.ready).toBe(true);
      const got: Buffer[] = [];
      const sink: InboundSink = { delivery: (f, p) => f === FORMAT_DATA && got.push(Buffer.from(p)) };
      for (const l of receiver.inLinks) l.sink = sink;
      const out = sender.takeSender();
      const payloads = sizes.map((n, i) => Buffer.alloc(Math.min(n, sender.maxPayload), i + 1));
      for (const p of payloads) {
        expect(sender.canSend(out)).toBe(true);
        sender.send(out, FORMAT_DATA, p);
      }
      sender.flush();
      const stream = Buffer.concat(tx.written.splice(0));
      let at = 0;
      for (const c of cuts) {
        if (at >= stream.length) break;
        rx.feed(stream.subarray(at, at + c));
        at += c;
      }
      if (at < stream.length) rx.feed(stream.subarray(at));
      expect(Buffer.concat(got).equals(Buffer.concat(payloads))).toBe(true);
    }), { numRuns: 60 });
  });
});
