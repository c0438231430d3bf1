import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Ledger } from '../../sys/ledger.ts';
import { silentReporter, type Reporter } from '../../sys/reporter.ts';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { Fault } from './fault.ts';

const tmp = makeTempDir('fault');
afterAll(() => tmp.remove());
let runs = 0;

function context() {
  const ledger = Ledger.create(join(tmp.path, `run${++runs}`), {
    runId: 'ab12', createdAt: 'now', ownerPid: 1, ownerStartTime: '1', detached: false, topology: 't',
  });
  const steps: string[] = [];
  const reporter: Reporter = { ...silentReporter, step: (name, body) => (steps.push(name), body()) };
  return { ledger, reporter, steps };
}

describe('Fault', () => {
  test('records, reports, and undoes once however often undo is called', async () => {
    const ctx = context();
    let undos = 0;
    const gone: Fault[] = [];
    const f = await Fault.inject(
      ctx,
      { kind: 'link-down', description: 'uplink of C0w1 down', inject: async () => ({ port: 'C0w1' }), undo: async () => ({ undos: ++undos }) },
      (x) => gone.push(x),
    );
    expect(f.detail).toEqual({ port: 'C0w1' });
    await Promise.all([f.undo(), f.undo()]);
    await f.undo();
    expect(undos).toBe(1);
    expect(f.undone).toBe(true);
    expect(f.detail).toEqual({ port: 'C0w1', undos: 1 });
    expect(gone).toEqual([f]);
    expect(ctx.steps).toEqual(['fault: uplink of C0w1 down', 'undo fault: uplink of C0w1 down']);
    expect(ctx.ledger.entries()).toEqual([
      { kind: 'fault', description: 'uplink of C0w1 down' },
      { kind: 'fault', description: 'uplink of C0w1 down', undone: true },
    ]);
  });

  test('a transient fault has nothing to undo; a closed one does not run its undo', async () => {
    const ctx = context();
    let undos = 0;
    const spec = { kind: 'restart-flanneld' as const, description: 'restart flanneld on C0w1', inject: async () => undefined, undo: async () => void undos++ };
    const t = await Fault.inject(ctx, { ...spec, transient: true }, () => undefined);
    await t.undo();
    const c = await Fault.inject(ctx, spec, () => undefined);
    c.close('the run was torn down');
    await c.undo();
    expect(undos).toBe(0);
    expect(ctx.ledger.entries().at(-1)).toEqual({ kind: 'fault', description: 'restart flanneld on C0w1 (the run was torn down)', undone: true });
  });
});
