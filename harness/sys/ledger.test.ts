import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { makeTempDir } from './temp-dir.ts';

const meta = { runId: 'ab12', createdAt: 'now', ownerPid: 1, ownerStartTime: '1', detached: false, topology: 't' };

describe('Ledger', () => {
  it('keeps entries in order and reads back meta', () => {
    using tmp = makeTempDir('ledger');
    const dir = join(tmp.path, 'run');
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
    using tmp = makeTempDir('ledger');
    const dir = join(tmp.path, 'run');
    const l = Ledger.create(dir, meta);
    l.record({ kind: 'netns', name: 'a' });
    appendFileSync(l.file, '{"kind":"netns","na');
    expect(l.entries()).toEqual([{ kind: 'netns', name: 'a' }]);
  });
});
