import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapLimit } from '../model/concurrency.ts';
import { nodeTsArgv } from '../sys/node-script.ts';
import { CNI_DELEGATE_ENV } from '../components/cni/delegate-options.ts';
import { REPO_ROOT, runIsolated } from '../grading/isolated-run.ts';
import { runScenario, type ScenarioRunResult } from '../grading/scenario-run.ts';
import { backendSupport } from './backend-support.ts';
import type { DataplaneSnapshot } from './snapshot.ts';
import type { MatrixPlan, Variant } from './variants.ts';

const SNAPSHOT_MAIN = fileURLToPath(new URL('./snapshot-main.ts', import.meta.url));

export interface ScenarioCell {
  scenario: string;
  status: 'passed' | 'failed' | 'error' | 'timeout' | 'skipped';
  /** passed/total tests of this file. */
  passed: number;
  total: number;
  failed: { name: string; message: string }[];
}

export interface VariantResult {
  variant: Variant;
  skipped?: string;
  cells: ScenarioCell[];
  snapshot?: DataplaneSnapshot;
  snapshotError?: string;
  /** The child logs, relative to the output folder. */
  logs: string[];
  run?: Pick<ScenarioRunResult, 'outcome' | 'reason' | 'durationMs'>;
}

export interface MatrixOptions {
  plan: MatrixPlan;
  /** Scenario files, relative to the repository. */
  scenarios: string[];
  outDir: string;
  parallel: number;
  timeoutMs: number;
  onProgress?: (line: string) => void;
}

/** Runs every variant: a dataplane snapshot, then the scenarios, each in child processes of its own. */
export async function runMatrix(o: MatrixOptions): Promise<VariantResult[]> {
  return mapLimit(o.plan.variants, Math.max(1, o.parallel), async (variant) => {
    const r = await runVariant(o, variant);
    const summary = r.skipped ? `skipped: ${r.skipped}` : r.cells.map((c) => `${c.status}`).join(' ');
    o.onProgress?.(`${variant.name}: ${summary}`);
    return r;
  });
}

async function runVariant(o: MatrixOptions, variant: Variant): Promise<VariantResult> {
  const skip = (reason: string): VariantResult => ({
    variant,
    skipped: reason,
    cells: o.scenarios.map((scenario) => ({ scenario, status: 'skipped', passed: 0, total: 0, failed: [] })),
    logs: [],
  });
  const support = await backendSupport(variant.backend);
  if (!support.ok) return skip(support.reason);
  if (!variant.flannel) return skip(`knetsim cannot run the ${variant.backend} backend`);

  const dir = join(o.outDir, 'work', variant.name);
  mkdirSync(dir, { recursive: true });
  const topologyFile = join(dir, 'topology.json');
  writeFileSync(topologyFile, JSON.stringify(variant.topology, null, 2));
  const env = { [CNI_DELEGATE_ENV]: JSON.stringify(variant.cni) };

  const snapFile = join(dir, 'dataplane.json');
  const snap = await runIsolated({
    argv: nodeTsArgv(SNAPSHOT_MAIN, [topologyFile, snapFile]),
    cwd: REPO_ROOT,
    env,
    timeoutMs: o.timeoutMs,
    logFile: join(dir, 'snapshot.log'),
  });
  const result: VariantResult = { variant, cells: [], logs: ['snapshot.log', 'scenarios/vitest.log'].map((f) => `work/${variant.name}/${f}`) };
  if (existsSync(snapFile)) result.snapshot = JSON.parse(readFileSync(snapFile, 'utf8')) as DataplaneSnapshot;
  else result.snapshotError = snap.timedOut ? `timed out after ${o.timeoutMs / 1000} s` : lastError(snap.outputTail);

  const run = await runScenario({ root: REPO_ROOT, files: o.scenarios, workDir: join(dir, 'scenarios'), topologyFile, env, timeoutMs: o.timeoutMs * Math.max(1, o.scenarios.length) });
  result.run = { outcome: run.outcome, reason: run.reason, durationMs: run.durationMs };
  result.cells = o.scenarios.map((scenario): ScenarioCell => {
    const cases = run.junit?.cases.filter((c) => c.file === scenario || scenario.endsWith(c.file) || c.file.endsWith(scenario)) ?? [];
    const failed = cases.filter((c) => c.failure).map((c) => ({ name: c.name, message: c.failure! }));
    const passed = cases.filter((c) => !c.failure && !c.skipped).length;
    let status: ScenarioCell['status'];
    if (run.outcome === 'timeout') status = 'timeout';
    else if (cases.length === 0) status = 'error';
    else status = failed.length ? 'failed' : 'passed';
    return { scenario, status, passed, total: cases.length, failed: status === 'error' ? [{ name: '(file)', message: run.reason }] : failed };
  });
  return result;
}

function lastError(tail: string): string {
  const lines = tail.split('\n');
  return lines.find((l) => /Error/.test(l))?.trim().slice(0, 400) ?? lines.slice(-3).join(' ').slice(0, 400);
}
