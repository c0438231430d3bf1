import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid and real uid of a process, from /proc (undefined once it is gone). */
function statusOf(pid: number): { ppid: number; uid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(text)?.[1]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(text)?.[1]);
    return Number.isInteger(ppid) && Number.isInteger(uid) ? { ppid, uid } : undefined;
  } catch {
    return undefined;
  }
}

/** Host pids of the children of `parent` (a scan of /proc: this kernel may lack /proc/PID/task/TID/children). */
export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => statusOf(pid)?.ppid === parent);
}

/**
 * The host pid of a sandbox's child: the grader starts `unshare` (pid `outer`), whose child
 * is the launcher, whose child runs as `uid` in the child's user, mount and network
 * namespaces (it is the `unshare` that made them). Undefined when not (or no longer) there.
 */
export function sandboxChildPid(outer: number, uid: number): number | undefined {
  for (const launcher of childrenOf(outer)) {
    const inner = childrenOf(launcher).find((pid) => statusOf(pid)?.uid === uid);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * The argv that runs `argv` inside the child's namespaces (user, mount, network, IPC, UTS)
 * as the child's own root: whatever it does there, it can do nothing the child could not,
 * and the child, in a pid namespace of its own, never sees the process.
 */
export function inChildNamespaces(childPid: number, argv: readonly string[]): string[] {
  return ['nsenter', '-t', String(childPid), '--user', '--mount', '--net', '--ipc', '--uts', '--', ...argv];
}
