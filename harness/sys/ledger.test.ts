import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';

const meta = { runId: 'ab12', createdAt: 'now', ownerPid: 1, ownerStartTime: '1', detached: false, topology: 't' };

describe('Ledger', () => {
  it('keeps entries in order and reads back meta', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kn-')), 'run');
    const l = Ledger.create(dir, meta);
    l.record({ kind: 'netns', name: 'kn-ab12-ul' });
    l.record({ kind: 'process', name: 'etcd', pid: 42, startTime: '99' });
    expect(Ledger.open(dir).entries()).toEqual([
      { kind: 'netns', name: 'kn-ab12-ul' },
      { kind: 'process', name: 'etcd', pid: 42, startTime: '99' },
    ]);
    expect(l.meta()).toEqual(meta);
  });
  it('ignores a torn last line (a run killed mid-write)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kn-')), 'run');
    const l = Ledger.create(dir, meta);
    l.record({ kind: 'netns', name: 'a' });
    appendFileSync(l.file, '{"kind":"netns","na');
    expect(l.entries()).toEqual([{ kind: 'netns', name: 'a' }]);
  });
});
