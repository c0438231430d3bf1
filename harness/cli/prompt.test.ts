import { describe, expect, it } from 'vitest';
import { parsePyArgs, resolveNames, rowsTable, table } from './prompt.ts';

describe('parsePyArgs', () => {
  it('reads the deck forms', () => {
    expect(parsePyArgs('"c1", "ifconfig"')).toEqual(['c1', 'ifconfig']);
    expect(parsePyArgs("'c10'")).toEqual(['c10']);
    expect(parsePyArgs('"c1", "echo \\"hi\\""')).toEqual(['c1', 'echo "hi"']);
    expect(parsePyArgs('')).toEqual([]);
  });
  it('rejects what is not a string literal', () => {
    expect(() => parsePyArgs('c1')).toThrow(/use string literals/);
    expect(() => parsePyArgs('"c1", os.system("x")')).toThrow(/use string literals/);
  });
});

describe('table', () => {
  it('aligns columns', () => {
    expect(table([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d');
  });
});

describe('resolveNames', () => {
  const ips: Record<string, string> = { C1w1: '10.0.1.1', 'C0w2:c2': '11.10.0.2' };
  const ipOf = (n: string) => ips[n];
  it('replaces whole node names', () => {
    expect(resolveNames('C0w2:c2', ipOf)).toBe('11.10.0.2');
    expect(resolveNames('C1w1', ipOf)).toBe('10.0.1.1');
  });
  it('replaces a worker in host:port and in URLs', () => {
    expect(resolveNames('C1w1:1028', ipOf)).toBe('10.0.1.1:1028');
    expect(resolveNames('http://C1w1:1028/index.html', ipOf)).toBe('http://10.0.1.1:1028/index.html');
  });
  it('leaves everything else alone', () => {
    for (const a of ['-c', '3', 'C9w9:80', 'http://example:80/', 'C1w1x']) expect(resolveNames(a, ipOf)).toBe(a);
  });
});

describe('rowsTable', () => {
  it('shows management rows with their attribute names as columns', () => {
    expect(rowsTable([{ id: 'C1', nextHop: '(self)', cost: null }, { id: 'C0', nextHop: null, cost: 1 }])).toBe(
      '  id  nextHop  cost\n  C1  (self)   -\n  C0  -        1',
    );
    expect(rowsTable([])).toBe('  (none)');
  });
});
