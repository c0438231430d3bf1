import { describe, expect, it } from 'vitest';
import { parsePyArgs, table } from './prompt.ts';

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
