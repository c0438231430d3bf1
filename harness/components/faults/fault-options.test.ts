import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../sys/errors.ts';
import { netemArgv } from './delay.ts';
import { lossRuleset } from './packet-loss.ts';
import { tbfArgv } from './rate-limit.ts';
import {
  DelayOptionsSchema,
  LossOptionsSchema,
  MtuOptionsSchema,
  parseFaultOptions,
  rateBits,
  RateOptionsSchema,
} from './fault-options.ts';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('fault options', () => {
  test('loss: a fraction in [0, 1], default both directions', () => {
    expect(parseFaultOptions('loss', LossOptionsSchema, { fraction: 0.3 })).toEqual({ fraction: 0.3, direction: 'both' });
    expect(parseFaultOptions('loss', LossOptionsSchema, { fraction: 0, direction: 'ingress' }).direction).toBe('ingress');
    const e = rejection(() => parseFaultOptions('loss', LossOptionsSchema, { fraction: 30 }));
    expect(e.message).toContain('options of fault "loss"');
    expect(e.issues).toEqual([{ path: 'fraction', message: 'must be at most 1 (a fraction, not a percentage)' }]);
    expect(rejection(() => parseFaultOptions('loss', LossOptionsSchema, { fraction: -0.1 })).issues[0]!.path).toBe('fraction');
    expect(rejection(() => parseFaultOptions('loss', LossOptionsSchema, { fraction: '0.3' })).issues[0]).toEqual({ path: 'fraction', message: 'must be a number' });
    expect(rejection(() => parseFaultOptions('loss', LossOptionsSchema, { fraction: 0.1, direction: 'up' })).issues[0]!.path).toBe('direction');
    expect(rejection(() => parseFaultOptions('loss', LossOptionsSchema, { fraction: 0.1, percent: 3 })).issues[0]!.message).toContain('"percent"');
  });

  test('rate: a number and a tc unit', () => {
    expect(parseFaultOptions('rate', RateOptionsSchema, { rate: '10mbit' })).toEqual({ rate: '10mbit' });
    expect(rateBits('10mbit')).toBe(10_000_000);
    expect(rateBits('512kbit')).toBe(512_000);
    expect(rateBits('1mbps')).toBe(8_000_000);
    expect(rateBits('2.5gbit')).toBe(2.5e9);
    for (const bad of ['10', 'fast', '10 mbit', '-1mbit', '10mbit; rm -rf /', '']) {
      const e = rejection(() => parseFaultOptions('rate', RateOptionsSchema, { rate: bad }));
      expect(e.issues[0]!.path).toBe('rate');
    }
    expect(rejection(() => parseFaultOptions('rate', RateOptionsSchema, { rate: '1bit' })).issues[0]!.message).toBe('must be at least 8kbit');
    expect(rejection(() => parseFaultOptions('rate', RateOptionsSchema, { rate: 10 })).issues[0]!.message).toContain('"10mbit"');
  });

  test('delay: positive ms, jitter no more than the delay', () => {
    expect(parseFaultOptions('delay', DelayOptionsSchema, { ms: 50, jitterMs: 10 })).toEqual({ ms: 50, jitterMs: 10 });
    expect(rejection(() => parseFaultOptions('delay', DelayOptionsSchema, { ms: 0 })).issues[0]!.path).toBe('ms');
    expect(rejection(() => parseFaultOptions('delay', DelayOptionsSchema, { ms: 10, jitterMs: 20 })).issues[0]).toEqual({
      path: 'jitterMs',
      message: 'must not exceed the delay',
    });
    expect(rejection(() => parseFaultOptions('delay', DelayOptionsSchema, { ms: 10, jitterMs: -1 })).issues[0]!.path).toBe('jitterMs');
  });

  test('mtu: a whole number of bytes in [576, 9000]', () => {
    expect(parseFaultOptions('mtu', MtuOptionsSchema, { mtu: 1400 })).toEqual({ mtu: 1400 });
    expect(rejection(() => parseFaultOptions('mtu', MtuOptionsSchema, { mtu: 100 })).issues[0]).toEqual({ path: 'mtu', message: 'must be at least 576' });
    expect(rejection(() => parseFaultOptions('mtu', MtuOptionsSchema, { mtu: 1400.5 })).issues[0]!.path).toBe('mtu');
  });
});

describe('what faults run', () => {
  test('loss: a bridge-family table dropping by numgen random, per direction', () => {
    const both = lossRuleset('C0w1', 0.3, 'both');
    expect(both).toContain('table bridge knetsim_fault_loss_C0w1 {');
    expect(both).toContain('oifname "C0w1" numgen random mod 10000 < 3000 counter drop');
    expect(both).toContain('iifname "C0w1" numgen random mod 10000 < 3000 counter drop');
    expect(lossRuleset('t-C0', 0.05, 'ingress')).not.toContain('iifname');
    expect(lossRuleset('t-C0', 0.05, 'ingress')).toContain('table bridge knetsim_fault_loss_t_C0 {');
    expect(lossRuleset('C0w1', 1, 'egress')).toContain('iifname "C0w1" numgen random mod 10000 < 10000 counter drop');
  });

  test('rate: tbf with a bucket of 20 ms (at least 16 KiB)', () => {
    expect(tbfArgv('C0w2', '10mbit')).toEqual(['tc', 'qdisc', 'add', 'dev', 'C0w2', 'root', 'tbf', 'rate', '10mbit', 'burst', '25000', 'latency', '100ms']);
    expect(tbfArgv('C0w2', '1mbit')).toContain('16384');
  });

  test('delay: netem delay with optional jitter', () => {
    expect(netemArgv('C0w1', 50)).toEqual(['tc', 'qdisc', 'add', 'dev', 'C0w1', 'root', 'netem', 'delay', '50ms']);
    expect(netemArgv('C0w1', 50, 5).slice(-2)).toEqual(['50ms', '5ms']);
  });
});
