import { describe, expect, test } from 'vitest';
import { matchesPartial, sameMeaning, valueAt } from './equals.ts';

describe('comparing by meaning', () => {
  test('objects by their fields whatever the order; arrays in order unless anyOrder', () => {
    expect(sameMeaning({ worker: 'w2', name: 'c10' }, { name: 'c10', worker: 'w2' })).toBe(true);
    expect(sameMeaning([{ a: 1, b: [1, 2] }], [{ b: [1, 2], a: 1 }])).toBe(true);
    expect(sameMeaning(['lo', 'eth0'], ['eth0', 'lo'])).toBe(false);
    expect(sameMeaning(['lo', 'eth0'], ['eth0', 'lo'], { anyOrder: true })).toBe(true);
    expect(sameMeaning(['a', 'a', 'b'], ['a', 'b', 'b'], { anyOrder: true })).toBe(false);
    expect(sameMeaning({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameMeaning({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
  test('a string is never a number; case-insensitivity reaches every string inside', () => {
    expect(sameMeaning('80', 80)).toBe(false);
    expect(sameMeaning(80, 80.0)).toBe(true);
    expect(sameMeaning(null, undefined)).toBe(false);
    expect(sameMeaning(' CNI0 ', 'cni0', { caseInsensitive: true })).toBe(true);
    expect(sameMeaning({ pods: ['C2'] }, { pods: ['c2'] }, { caseInsensitive: true })).toBe(true);
  });
  test('partial matches and dotted paths', () => {
    expect(matchesPartial({ port: 1028, address: 'b:80', host: '0.0.0.0' }, { address: 'b:80', port: 1028 })).toBe(true);
    expect(matchesPartial({ port: 1028 }, { port: 1028, address: 'b:80' })).toBe(false);
    expect(valueAt({ clusters: [{ pods: [{ name: 'c1' }] }] }, 'clusters.0.pods.0.name')).toBe('c1');
    expect(valueAt({ a: [1] }, 'a.x')).toBeUndefined();
    expect(valueAt({ a: 1 }, 'toString')).toBeUndefined();
  });
});
