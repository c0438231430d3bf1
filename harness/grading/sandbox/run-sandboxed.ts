import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { makeTempDir, type TempDir } from '../../sys/temp-dir.ts';
import { sandboxChildPid } from './host-pid.ts';
import type { FromLauncher, SandboxSpec, ToLauncher } from './spec.ts';
import { groupDeadline, type GroupDeadline } from '../../sys/group-deadline.ts';

const LAUNCHER = fileURLToPath(new URL('./launcher-main.ts', import.meta.url));
/** Time between SIGTERM and SIGKILL of a sandbox at its deadline. */
const KILL_GRACE_MS = 2_000;
/** Host uids for sandboxes: far above real users and the usual subordinate ranges. */
const UID_BASE = 2_100_000_000;
const UID_SPAN = 50_000_000;
const uidsInUse = new Set<number>();
/** The sandboxes running now (process group, root folder): killed and removed if the grader itself goes. */
const live = new Set<{ group: GroupDeadline; root: TempDir }>();
let reaperInstalled = false;

function killLive(): void {
  for (const { group, root } of live) {
    group.signal('SIGKILL');
    // The root's mounts live in the sandbox's own mount namespace: here it is an empty folder.
    root.remove();
  }
  live.clear();
}

/** A sandbox outlives nothing: when this process exits or is interrupted, its sandboxes and their folders go with it. */
function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.on('exit', killLive);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killLive();
      process.kill(process.pid, sig);
    });
  }
}

export interface SandboxMark {
  name: 'starting' | 'up';
  runId: string | undefined;
  /** The child's host pid, for running commands in its namespaces (inChildNamespaces). */
  childPid: number | undefined;
}

export interface SandboxRunOptions {
  spec: Omit<SandboxSpec, 'rootDir' | 'uid'>;
  timeoutMs: number;
  /** Keep at most this much of the child's output (the head; the tail lines are kept apart). */
  maxLogBytes: number;
  /**
   * Called on the child's marks. For `up`, the child waits for `go`, which is sent once this
   * resolves and at least `holdMs` after the mark (the same hold whatever was done).
   */
  onMark?: (m: SandboxMark) => Promise<void>;
  holdMs?: number;
}

export interface SandboxRunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The child's output (stdout and stderr), at most maxLogBytes of it, then a note of what was cut. */
  log: string;
  outputTail: string;
  junit: string | undefined;
  marks: Record<'starting' | 'up', string | undefined>;
  /** The sandbox itself failed (not the child): the launcher's message. */
  sandboxError: string | undefined;
  /** An onMark handler threw: its message. */
  markError: string | undefined;
}

function freeUid(): number {
  for (;;) {
    const uid = UID_BASE + Math.floor(Math.random() * UID_SPAN);
    if (!uidsInUse.has(uid)) return uid;
  }
}

/**
 * Runs a program in a sandbox (see launcher-main.ts): the grader's side. Output is kept
 * here (capped), never written where the child could reach; the child's results come
 * back over the launcher's IPC channel once it has exited. At the deadline the whole
 * sandbox is killed, and with it every process and namespace the child made.
 */
export async function runSandboxed(o: SandboxRunOptions): Promise<SandboxRunResult> {
  const uid = freeUid();
  uidsInUse.add(uid);
  // The launcher mounts the sandbox's root on it, in its own mount namespace; removed on return.
  using root = makeTempDir('sandbox');
  const rootDir = root.path;
  const started = Date.now();
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  let tail = '';
  const marks: SandboxRunResult['marks'] = { starting: undefined, up: undefined };
  let junit: string | undefined;
  let sandboxError: string | undefined;
  let markError: string | undefined;
  let exit: { code: number | null; signal: string | null } = { code: null, signal: null };

  const [cmd, ...args] = ['unshare', '--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--propagation', 'private', '--', ...nodeTsArgv(LAUNCHER, [])];
  const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
  const outer = child.pid;
  installReaper();
  const collect = (b: Buffer) => {
    tail = (tail + b.toString('utf8')).slice(-8192);
    if (kept < o.maxLogBytes) {
      const take = b.subarray(0, o.maxLogBytes - kept);
      chunks.push(take);
      kept += take.length;
      dropped += b.length - take.length;
    } else dropped += b.length;
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const tell = (m: ToLauncher) => {
    if (child.connected) child.send(m);
  };
  const deadline = groupDeadline(outer, o.timeoutMs, KILL_GRACE_MS);
  const entry = { group: deadline, root };
  live.add(entry);

  child.on('message', (m: FromLauncher) => {
    switch (m.type) {
      case 'ready':
        tell({ type: 'spec', spec: { ...o.spec, rootDir, uid } });
        break;
      case 'failed':
        sandboxError = m.message;
        break;
      case 'mark': {
        if (marks[m.name] !== undefined || m.runId === undefined) break;
        marks[m.name] = m.runId;
        const at = Date.now();
        const childPid = outer === undefined ? undefined : sandboxChildPid(outer, uid);
        const handled = o.onMark ? o.onMark({ name: m.name, runId: m.runId, childPid }) : Promise.resolve();
        handled
          .catch((e: unknown) => {
            markError = (e as Error).message;
          })
          .then(() => new Promise((r) => setTimeout(r, Math.max(0, at + (o.holdMs ?? 0) - Date.now()))))
          .then(() => {
            if (m.name === 'up') tell({ type: 'go' });
          });
        break;
      }
      case 'done':
        junit = m.junit;
        exit = { code: m.exitCode, signal: m.signal };
        break;
      case 'started':
        break;
    }
  });
  const closed = await new Promise<{ code: number | null; signal: string | null }>((done) => {
    child.on('error', (e) => done({ code: null, signal: `spawn error: ${e.message}` }));
    child.on('close', (code, signal) => done({ code, signal }));
  });
  deadline.end();
  const timedOut = deadline.timedOut;
  live.delete(entry);
  uidsInUse.delete(uid);
  if (closed.code !== 0 && sandboxError === undefined && !timedOut && exit.code === null && exit.signal === null) {
    sandboxError = `the sandbox exited with ${closed.code ?? closed.signal} before the child ended`;
  }
  const log = Buffer.concat(chunks).toString('utf8') + (dropped ? `\n[… ${dropped} more bytes of output not kept]\n` : '');
  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    durationMs: Date.now() - started,
    log,
    outputTail: tail.trimEnd().split('\n').slice(-40).join('\n'),
    junit,
    marks,
    sandboxError,
    markError,
  };
}

/**
 * Makes one sandbox that runs `true`: undefined when sandboxes work on this machine, else
 * why not (no root, user namespaces disabled or restricted, a util-linux tool missing).
 */
export async function probeSandbox(readOnly: readonly string[]): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'grading runs student code in a sandbox, which takes root to set up';
  const r = await runSandboxed({
    spec: { readOnly: [...readOnly], hide: [], files: {}, links: {}, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, argv: ['/bin/true'], cwd: '/tmp/run', tmpMiB: 16, maxProcesses: 64 },
    timeoutMs: 30_000,
    maxLogBytes: 16 * 1024,
  });
  if (r.sandboxError) return r.sandboxError;
  if (r.exitCode !== 0) return `a sandboxed \`true\` exited with ${r.exitCode ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${r.outputTail.split('\n').slice(-3).join(' ')}`;
  return undefined;
}
