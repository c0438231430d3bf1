import { existsSync, readdirSync, rmSync } from 'node:fs';
import { Ledger, readMeta, type RunMeta } from './ledger.ts';
import { deleteNetns, listNetns, pidsInNetns } from './netns.ts';
import { isAlive, isSameProcess, terminate } from './proc.ts';
import { runDirOf, runIdOfNetns, stateRoot, RUN_ID_PATTERN } from './run-dir.ts';

/**
 * running: its owner process is alive; detached: left running on purpose; dead: its owner
 * is gone and it was not detached (what plain `knetsim clean` removes); foreign: namespaces
 * named like a run with no folder in this state root (another KNETSIM_STATE_DIR's run, or
 * a `knetsim doctor` probe): only `clean RUN` or `clean --all` touch those.
 */
export type RunState = 'running' | 'detached' | 'dead' | 'foreign';

export interface RunInfo {
  runId: string;
  runDir: string;
  meta: RunMeta | undefined;
  state: RunState;
  netns: string[];
}

/** Every run with a folder in the state root or a namespace named after it. */
export function listRuns(): RunInfo[] {
  const ids = new Set<string>();
  if (existsSync(stateRoot())) {
    for (const d of readdirSync(stateRoot())) if (RUN_ID_PATTERN.test(d)) ids.add(d);
  }
  const byRun = new Map<string, string[]>();
  for (const ns of listNetns()) {
    const id = runIdOfNetns(ns);
    if (!id) continue;
    ids.add(id);
    byRun.set(id, [...(byRun.get(id) ?? []), ns]);
  }
  return [...ids].sort().map((runId) => {
    const runDir = runDirOf(runId);
    const meta = readMeta(runDir);
    return { runId, runDir, meta, state: stateOf(meta), netns: byRun.get(runId) ?? [] };
  });
}

function stateOf(meta: RunMeta | undefined): RunState {
  // A run writes meta.json before it creates anything, so no meta means not ours.
  if (!meta) return 'foreign';
  if (isSameProcess(meta.ownerPid, meta.ownerStartTime)) return 'running';
  return meta.detached ? 'detached' : 'dead';
}

export interface ReapReport {
  runId: string;
  processes: number;
  netns: number;
  removedDir: boolean;
}

/**
 * Undoes everything of one run: ends its processes (those in the ledger that are still
 * the same process, and any process living in one of its namespaces), deletes its
 * namespaces (which takes their links, routes and nft tables with them) and its folder.
 */
export async function reapRun(runId: string, opts: { keepDir?: boolean } = {}): Promise<ReapReport> {
  const runDir = runDirOf(runId);
  const entries = Ledger.open(runDir).entries();
  const netns = new Set<string>(entries.flatMap((e) => (e.kind === 'netns' ? [e.name] : [])));
  for (const ns of listNetns()) if (runIdOfNetns(ns) === runId) netns.add(ns);

  const pids = new Set<number>();
  for (const e of entries) {
    if (e.kind === 'process' && isSameProcess(e.pid, e.startTime)) pids.add(e.pid);
  }
  const existing = new Set(listNetns());
  for (const ns of netns) {
    if (!existing.has(ns)) continue;
    for (const pid of await pidsInNetns(ns)) if (pid !== process.pid) pids.add(pid);
  }
  const live = [...pids].filter(isAlive);
  await terminate(live, 2_000);
  await deleteNetns([...netns]);

  for (const e of entries) {
    if (e.kind === 'path') rmSync(e.path, { recursive: true, force: true });
  }
  let removedDir = false;
  if (!opts.keepDir && existsSync(runDir)) {
    rmSync(runDir, { recursive: true, force: true });
    removedDir = true;
  }
  return { runId, processes: live.length, netns: [...netns].filter((n) => existing.has(n)).length, removedDir };
}
