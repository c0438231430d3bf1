import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePerformative, described, encodeFrame, encodeTransferHead, Reader, Sym, TARGET_CODE, TRANSFER_HEAD_MAX, uint, ubyte, Writer,
} from './amqp-codec.ts';

// rhea's own frame codec is the reference: what we encode it must read, and the reverse.
const require = createRequire(import.meta.url);
const rheaFrames = require('rhea/lib/frames.js') as {
  read_frame(b: Buffer): { channel: number; performative: { descriptor: { value: number }; [k: string]: unknown }; payload?: Buffer } | null;
  write_frame(f: unknown): Buffer;
  amqp_frame(channel: number, performative: unknown, payload?: Buffer): unknown;
  open(fields: Record<string, unknown>): unknown;
  attach(fields: Record<string, unknown>): unknown;
  flow(fields: Record<string, unknown>): unknown;
  transfer(fields: Record<string, unknown>): unknown;
  detach(fields: Record<string, unknown>): unknown;
};

const frameOf = (name: Parameters<typeof encodeFrame>[2], fields: Record<string, unknown>, payload?: Buffer) => {
  const w = new Writer(16);
  encodeFrame(w, 3, name, fields, payload);
  return Buffer.from(w.buf.subarray(0, w.pos));
};

const ours = (frame: Buffer) => {
  const doff = frame[4]! * 4;
  const r = new Reader(frame, doff);
  return { perf: decodePerformative(r), payload: frame.subarray(r.pos) };
};

describe('AMQP 1.0 codec', () => {
  it('writes an open that rhea reads field by field', () => {
    const f = rheaFrames.read_frame(frameOf('open', {
      containerId: 'A/lane0', maxFrameSize: uint(16384), idleTimeOut: uint(2000),
      properties: { 'knetsim:router-id': 'A', 'knetsim:lane': 1, 'knetsim:token': 'abc' },
    }));
    expect(f!.channel).toBe(3);
    expect(f!.performative).toMatchObject({ container_id: 'A/lane0', max_frame_size: 16384, idle_time_out: 2000 });
    expect(f!.performative['properties']).toEqual({ 'knetsim:router-id': 'A', 'knetsim:lane': 1, 'knetsim:token': 'abc' });
  });

  it('writes attach, flow and detach that rhea reads', () => {
    const a = rheaFrames.read_frame(frameOf('attach', {
      name: 'flow/A/1', handle: uint(300), role: false, sndSettleMode: ubyte(1), rcvSettleMode: ubyte(0),
      target: described(TARGET_CODE, ['_knetsim/flow']), initialDeliveryCount: uint(0),
    }))!.performative;
    expect(a).toMatchObject({ name: 'flow/A/1', handle: 300, role: false, snd_settle_mode: 1, initial_delivery_count: 0 });
    const fl = rheaFrames.read_frame(frameOf('flow', {
      nextIncomingId: uint(7), incomingWindow: uint(640), nextOutgoingId: uint(2 ** 31), outgoingWindow: uint(0xffffffff),
      handle: uint(2), deliveryCount: uint(5), linkCredit: uint(64),
    }))!.performative;
    expect(fl).toMatchObject({ next_incoming_id: 7, incoming_window: 640, next_outgoing_id: 2 ** 31, outgoing_window: 0xffffffff, handle: 2, delivery_count: 5, link_credit: 64 });
    const d = rheaFrames.read_frame(frameOf('detach', { handle: uint(2), closed: true, error: described(0x1d, [new Sym('amqp:link:detach-forced'), 'reset by client']) }))!.performative;
    expect(d).toMatchObject({ handle: 2, closed: true });
    expect(d['error']).toMatchObject({ condition: 'amqp:link:detach-forced', description: 'reset by client' });
  });

  it('reads what rhea writes', () => {
    const open = rheaFrames.write_frame(rheaFrames.amqp_frame(0, rheaFrames.open({
      container_id: 'peer', max_frame_size: 65536, idle_time_out: 4000, properties: { 'knetsim:router-id': 'B', n: 5 },
    })));
    const o = ours(open).perf;
    expect(o.name).toBe('open');
    expect(o.fields).toMatchObject({ containerId: 'peer', maxFrameSize: 65536, idleTimeOut: 4000 });
    expect(Object.fromEntries(o.fields['properties'] as Map<string, unknown>)).toEqual({ 'knetsim:router-id': 'B', n: 5 });
    const flow = ours(rheaFrames.write_frame(rheaFrames.amqp_frame(0, rheaFrames.flow({
      next_incoming_id: 1, incoming_window: 2048, next_outgoing_id: 9, outgoing_window: 100, handle: 4, delivery_count: 3, link_credit: 10,
    })))).perf;
    expect(flow.fields).toMatchObject({ nextIncomingId: 1, incomingWindow: 2048, nextOutgoingId: 9, outgoingWindow: 100, handle: 4, deliveryCount: 3, linkCredit: 10 });
  });

  it('writes transfer heads that rhea reads, payload untouched, for any handle, id and size', () => {
    fc.assert(fc.property(fc.nat(2 ** 32 - 1), fc.nat(2 ** 32 - 1), fc.uint8Array({ maxLength: 3000 }), (handle, id, bytes) => {
      const payload = Buffer.from(bytes);
      const buf = Buffer.alloc(TRANSFER_HEAD_MAX + payload.length);
      const len = encodeTransferHead(buf, 0, 1, handle, id, 0x4b4e5401, payload.length);
      payload.copy(buf, len);
      const frame = buf.subarray(0, len + payload.length);
      const f = rheaFrames.read_frame(frame)!;
      expect(f.performative).toMatchObject({ handle, delivery_id: id, message_format: 0x4b4e5401, settled: true });
      expect(Buffer.compare(f.payload ?? Buffer.alloc(0), payload)).toBe(0);
      const o = ours(frame);
      expect(o.perf.fields).toMatchObject({ handle, deliveryId: id, messageFormat: 0x4b4e5401, settled: true });
      expect(o.payload.equals(payload)).toBe(true);
    }), { numRuns: 200 });
  });

  it('round-trips plain values, lists and maps of every size class', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
      const w = new Writer(8);
      w.value(v);
      const back = new Reader(w.buf, 0, w.pos).value();
      const plain = (x: unknown): unknown => (x instanceof Map ? Object.fromEntries([...x].map(([k, y]) => [k, plain(y)])) : Array.isArray(x) ? x.map(plain) : x);
      // JSON has no -0: AMQP's int encodings cannot carry it either.
      expect(plain(back)).toEqual(JSON.parse(JSON.stringify(v)));
    }), { numRuns: 300 });
    const big = Array.from({ length: 400 }, (_, i) => `item ${i}`);
    const w = new Writer(8);
    w.value(big);
    expect(w.buf[0]).toBe(0xd0); // list32
    expect(new Reader(w.buf, 0, w.pos).value()).toEqual(big);
  });

  it('refuses truncated input with a CodecError naming what was missing', () => {
    const f = frameOf('open', { containerId: 'x'.repeat(40) });
    expect(() => ours(f.subarray(0, 30))).toThrow(/truncated value/);
    expect(() => new Reader(Buffer.from([0xee])).value()).toThrow(/unknown AMQP type code 0xee/);
  });
});
