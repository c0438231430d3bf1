import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlannelConfig } from '../components/flannel/network-config.ts';
import { ValidationError } from '../sys/errors.ts';
import { Simulation } from './simulation.ts';
import { loadTopology, planTopology } from './topology.ts';
import '../testing/index.ts';

const CORPUS = fileURLToPath(new URL('../../conf/bad-inputs/', import.meta.url));
interface Case {
  file: string;
  kind: string;
  path: string;
  message: string;
}
const { cases } = JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { cases: Case[] };

/** The loader of each kind of input, exactly as the harness and CLI use it. */
const LOADERS: Record<string, (file: string) => unknown> = {
  topology: loadTopology,
  flannel: loadFlannelConfig,
};

describe('the bad-input corpus (conf/bad-inputs)', () => {
  it('holds at least 40 cases, and every file in it is a case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const files = Object.keys(LOADERS).flatMap((k) => readdirSync(join(CORPUS, k)).map((f) => `${k}/${f}`));
    expect(files.sort()).toEqual(cases.map((c) => c.file).sort());
  });

  it('rejects each input naming the field and the reason, creates nothing, and leaves the process healthy', async () => {
    // A state folder of its own: a run writes its ledger there before it creates anything,
    // so an empty folder afterwards means nothing was created (other tests run alongside).
    const mainState = process.env.KNETSIM_STATE_DIR;
    const isolated = mkdtempSync(join(tmpdir(), 'knetsim-state-'));
    process.env.KNETSIM_STATE_DIR = isolated;
    const wrong: string[] = [];
    for (const c of cases) {
      const load = LOADERS[c.kind];
      if (!load) throw new Error(`no loader for kind ${c.kind} (${c.file})`);
      let error: unknown;
      try {
        load(join(CORPUS, c.file));
      } catch (e) {
        error = e;
      }
      if (!(error instanceof ValidationError)) {
        wrong.push(`${c.file}: expected a ValidationError, got ${error === undefined ? 'no error' : String(error)}`);
        continue;
      }
      const path = new RegExp(c.path);
      const message = new RegExp(c.message);
      if (!error.issues.some((i) => path.test(i.path) && message.test(i.message))) {
        wrong.push(`${c.file}: no issue at /${c.path}/ saying /${c.message}/; got ${JSON.stringify(error.issues)}`);
      }
      expect(error.message.startsWith(`invalid `)).toBe(true);
    }
    if (mainState === undefined) delete process.env.KNETSIM_STATE_DIR;
    else process.env.KNETSIM_STATE_DIR = mainState;
    expect(wrong).toEqual([]);
    expect(readdirSync(isolated)).toEqual([]);

    // Still healthy: the same process builds a simulation right after.
    const sim = await Simulation.start({
      topology: planTopology(
        { name: 'after-bad-inputs', clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }] },
        { baseDir: join(dirname(CORPUS), '.') },
      ),
    });
    try {
      await expect(sim.cluster('C0').pod('c1')).toReach(sim.cluster('C0').pod('c2'));
    } finally {
      await sim.stop();
    }
  });
});
