import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlannelConfig } from '../components/flannel/network-config.ts';
import type { SubmissionFileSpec } from '../grading/exercise.ts';
import { readSubmissionFile } from '../grading/submission-file.ts';
import { loadMatrix } from '../matrix/variants.ts';
import { loadRouterConfig } from '../router/index.ts';
import { DEFAULT_SERVICE_CIDR, planService } from './service-spec.ts';
import { ValidationError } from '../sys/errors.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import { Simulation } from './simulation.ts';
import { loadTopology, planTopology } from './topology.ts';
import '../testing/index.ts';

const CORPUS = fileURLToPath(new URL('../../conf/bad-inputs/', import.meta.url));
interface Case {
  file: string;
  kind: string;
  path: string;
  message: string;
  /** For grading files: the submission file spec the exercise gives. */
  spec?: unknown;
}
const { cases } = JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { cases: Case[] };

type Issues = readonly { path: string; message: string }[];

/** A context for Services: the default service CIDR, 100.64.10.1 taken, pods c1..c3. */
const serviceContext = {
  serviceCidr: DEFAULT_SERVICE_CIDR,
  vips: new Map([['100.64.10.1', 'vip']]),
  nodePorts: new Map<number, string>(),
  services: new Set(['vip']),
  hasPod: (p: string) => ['c1', 'c2', 'c3'].includes(p),
};

/**
 * The loader of each kind of input, exactly as the harness and CLI use it, returning the
 * issues it reported (a ValidationError's, or a grading file's reason) or nothing.
 */
const LOADERS: Record<string, (file: string, c: Case) => Promise<Issues | undefined>> = {
  topology: async (f) => caught(() => loadTopology(f)),
  flannel: async (f) => caught(() => loadFlannelConfig(f)),
  router: async (f) => caught(() => loadRouterConfig(f)),
  service: async (f) =>
    caught(() => {
      const { name, options } = JSON.parse(readFileSync(f, 'utf8')) as { name: unknown; options: unknown };
      return planService(name, options, serviceContext);
    }),
  matrix: async (f) => caught(() => loadMatrix(f, join(CORPUS, '..', 'topology.default.json'))),
  grading: async (f, c) => {
    const r = readSubmissionFile(dirname(f), basename(f), c.spec as SubmissionFileSpec);
    return r.ok ? undefined : [{ path: '', message: r.reason }];
  },
};

async function caught(load: () => unknown): Promise<Issues | undefined> {
  try {
    await load();
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
}

describe('the bad-input corpus (conf/bad-inputs)', () => {
  it('holds at least 40 cases, and every file in it is a case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const files = Object.keys(LOADERS).flatMap((k) => readdirSync(join(CORPUS, k)).map((f) => `${k}/${f}`));
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(Object.keys(LOADERS)));
    expect(files.sort()).toEqual(cases.map((c) => c.file).sort());
  });

  it('rejects each input naming the field and the reason, creates nothing, and leaves the process healthy', async () => {
    // A state folder of its own: a run writes its ledger there before it creates anything,
    // so an empty folder afterwards means nothing was created (other tests run alongside).
    const mainState = process.env.KNETSIM_STATE_DIR;
    using tmp = makeTempDir('state');
    const isolated = tmp.path;
    process.env.KNETSIM_STATE_DIR = isolated;
    const wrong: string[] = [];
    for (const c of cases) {
      const load = LOADERS[c.kind];
      if (!load) throw new Error(`no loader for kind ${c.kind} (${c.file})`);
      let issues: Issues | undefined;
      try {
        issues = await load(join(CORPUS, c.file), c);
      } catch (e) {
        wrong.push(`${c.file}: threw ${String(e)} instead of reporting the field`);
        continue;
      }
      const path = new RegExp(c.path);
      const message = new RegExp(c.message);
      if (!issues) wrong.push(`${c.file}: accepted`);
      else if (!issues.some((i) => path.test(i.path) && message.test(i.message))) {
        wrong.push(`${c.file}: no issue at /${c.path}/ saying /${c.message}/; got ${JSON.stringify(issues)}`);
      }
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
