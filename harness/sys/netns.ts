import { readdirSync } from 'node:fs';
import { run } from './exec.ts';
import type { Ledger } from './ledger.ts';

const NETNS_DIR = '/run/netns';

/** Names of every network namespace `ip netns` knows. */
export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/**
 * Creates namespaces (each recorded in the ledger first) with one `ip -batch`, then
 * brings `lo` up in each.
 */
export async function createNetns(ledger: Ledger, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) ledger.record({ kind: 'netns', name });
  await ipBatch(names.map((n) => `netns add ${n}`));
  await Promise.all(names.map((n) => run(['ip', '-n', n, 'link', 'set', 'lo', 'up'])));
}

/** Deletes namespaces that exist; missing ones are fine. */
export async function deleteNetns(names: readonly string[]): Promise<void> {
  const existing = new Set(listNetns());
  const todo = names.filter((n) => existing.has(n));
  if (todo.length === 0) return;
  await ipBatch(
    todo.map((n) => `netns del ${n}`),
    { force: true },
  );
}

/** Pids of processes whose network namespace is `name`. */
export async function pidsInNetns(name: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', name], { reject: false });
  return r.stdout
    .split('\n')
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Runs `ip [-n netns] -batch -` over the given command lines (each line is an `ip`
 * command without the leading `ip`). Lines are built from validated names only.
 */
export async function ipBatch(
  lines: readonly string[],
  opts: { netns?: string; force?: boolean } = {},
): Promise<void> {
  if (lines.length === 0) return;
  const argv = ['ip', ...(opts.netns ? ['-n', opts.netns] : []), ...(opts.force ? ['-force'] : []), '-batch', '-'];
  await run(argv, { input: lines.join('\n') + '\n', reject: !opts.force });
}
