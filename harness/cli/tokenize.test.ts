import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.ts';

describe('tokenize', () => {
  it('splits on whitespace', () => {
    expect(tokenize('  C0w1   ip  addr ')).toEqual(['C0w1', 'ip', 'addr']);
  });
  it('keeps quoted words whole and drops the quotes', () => {
    expect(tokenize(`C0w1 sh -c "ip addr | grep 'inet '"`)).toEqual(['C0w1', 'sh', '-c', "ip addr | grep 'inet '"]);
  });
  it('passes shell metacharacters through as plain text', () => {
    expect(tokenize('C0w1 echo $(rm -rf /);ls')).toEqual(['C0w1', 'echo', '$(rm', '-rf', '/);ls']);
  });
  it('keeps empty quoted words', () => {
    expect(tokenize(`echo '' x`)).toEqual(['echo', '', 'x']);
  });
  it('rejects an unclosed quote', () => {
    expect(() => tokenize('echo "abc')).toThrow(/unclosed " quote/);
  });
});
