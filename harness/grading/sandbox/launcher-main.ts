// The sandbox launcher: runs as root, as pid 1 of a fresh pid, mount, network and IPC
// namespace (the grader starts it with `unshare`). It builds a minimal root (read-only host
// folders, private /tmp, /run, /dev), pivots into it, and runs the child as an unprivileged
// uid that owns a user namespace of its own (where it is root: enough for network
// namespaces, nft and daemons, and nothing on the host). It relays the child's marks to the
// grader and the grader's `go` to the child, then reports the exit and the JUnit XML.
// Everything it needs is imported before the pivot.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';
import { CHILD_REPORT, CHILD_RUN, CHILD_SYNC, CHILD_TMP, MARK_RUN_ID, SandboxSpecSchema, type FromLauncher, type SandboxSpec, type ToLauncher } from './spec.ts';

/** How often the child's marks are looked for. */
const MARK_POLL_MS = 50;
/** How long the child may take to make its user namespace. */
const USERNS_TIMEOUT_MS = 10_000;
/** The most of a child-written file the launcher reads. */
const MAX_READ_BYTES = 2 * 1024 * 1024;
/** Top-level host folders every program needs (or symlinks to them, as on merged-/usr systems). */
const SYSTEM = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

const send = (m: FromLauncher) => new Promise<void>((done) => (process.send ? process.send(m, () => done()) : done()));

function sh(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim()}`);
}
const mount = (...args: string[]) => sh(['mount', ...args]);
const bindReadOnly = (from: string, to: string) => {
  mount('--bind', from, to);
  mount('-o', 'remount,bind,ro,nosuid,nodev', to);
};

/** A file the child may have written: regular, not followed through a symlink, capped. */
export function readChildFile(path: string, max = MAX_READ_BYTES): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(max);
    let n = 0;
    for (let got = 1; got > 0 && n < max; n += got) got = readSync(fd, buf, n, max - n, null);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function buildRoot(s: SandboxSpec): void {
  const R = s.rootDir;
  const at = (p: string) => join(R, p);
  mount('-t', 'tmpfs', '-o', 'mode=755,size=16m', 'knetsim-sandbox', R);
  // proc and sysfs of these namespaces (the host's processes and interfaces stay out of view).
  mkdirSync(at('/proc'));
  mount('-t', 'proc', '-o', 'nosuid,nodev,noexec', 'proc', at('/proc'));
  mkdirSync(at('/sys'));
  mount('-t', 'sysfs', '-o', 'ro,nosuid,nodev,noexec', 'sysfs', at('/sys'));
  // A minimal /dev.
  mkdirSync(at('/dev'));
  mount('-t', 'tmpfs', '-o', 'mode=755,size=64k,nosuid', 'knetsim-dev', at('/dev'));
  for (const d of DEVICES) {
    writeFileSync(at(`/dev/${d}`), '');
    mount('--bind', `/dev/${d}`, at(`/dev/${d}`));
  }
  symlinkSync('/proc/self/fd', at('/dev/fd'));
  ['stdin', 'stdout', 'stderr'].forEach((n, i) => symlinkSync(`/proc/self/fd/${i}`, at(`/dev/${n}`)));
  mkdirSync(at('/dev/shm'));
  mount('-t', 'tmpfs', '-o', 'mode=1777,size=64m,nosuid,nodev', 'knetsim-shm', at('/dev/shm'));
  // Private, size-capped, writable places; /run and CNI's cache belong to the child's uid.
  const owned = `uid=${s.uid},gid=${s.uid}`;
  mkdirSync(at(CHILD_TMP), { recursive: true });
  mount('-t', 'tmpfs', '-o', `mode=1777,size=${s.tmpMiB}m,nosuid,nodev`, 'knetsim-tmp', at(CHILD_TMP));
  mkdirSync(at('/run'), { recursive: true });
  mount('-t', 'tmpfs', '-o', `mode=755,size=16m,nosuid,nodev,${owned}`, 'knetsim-run', at('/run'));
  mkdirSync(at('/var/lib/cni'), { recursive: true });
  mount('-t', 'tmpfs', '-o', `mode=755,size=16m,nosuid,nodev,${owned}`, 'knetsim-cni', at('/var/lib/cni'));
  mkdirSync(at('/var/tmp'), { recursive: true });
  mount('-t', 'tmpfs', '-o', 'mode=1777,size=16m,nosuid,nodev', 'knetsim-vartmp', at('/var/tmp'));
  symlinkSync('../run', at('/var/run'));
  // Host folders, read-only (mounted after /tmp, so a folder under /tmp is not covered by it).
  for (const p of SYSTEM) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(p), at(p));
    else {
      mkdirSync(at(p), { recursive: true });
      bindReadOnly(p, at(p));
    }
  }
  for (const p of s.readOnly) {
    if (!existsSync(p) || existsSync(at(p))) continue;
    mkdirSync(at(p), { recursive: true });
    bindReadOnly(p, at(p));
  }
  for (const p of s.hide) {
    if (existsSync(at(p)) && lstatSync(at(p)).isDirectory()) mount('-t', 'tmpfs', '-o', 'ro,mode=755,size=4k', 'knetsim-hidden', at(p));
  }
  // The child's folder: its files read-only (root's), the marks and results its own.
  const run = at(CHILD_RUN);
  mkdirSync(run, { mode: 0o755 });
  for (const [rel, text] of Object.entries(s.files)) {
    mkdirSync(dirname(join(run, rel)), { recursive: true, mode: 0o755 });
    writeFileSync(join(run, rel), text, { mode: 0o644 });
  }
  for (const [rel, target] of Object.entries(s.links)) symlinkSync(target, join(run, rel));
  for (const d of [CHILD_SYNC, CHILD_REPORT]) {
    mkdirSync(at(d), { recursive: true, mode: 0o755 });
    chownSync(at(d), s.uid, s.uid);
  }
  mkdirSync(join(R, '.old'));
  sh(['pivot_root', R, join(R, '.old')]);
  process.chdir('/');
  sh(['umount', '-l', '/.old']);
  rmdirSync('/.old');
}

/**
 * The child: its uid and a process limit, then a user namespace (and mount, network, pid,
 * IPC, UTS namespaces owned by it). The launcher maps the child's root to `uid` (so setgroups
 * stays allowed, as tcpdump -Z root needs); until then the child waits, and it becomes root
 * there with its next exec.
 */
export function childArgv(s: SandboxSpec): string[] {
  return [
    'prlimit', `--nproc=${s.maxProcesses}`, '--',
    'setpriv', `--reuid=${s.uid}`, `--regid=${s.uid}`, '--clear-groups', '--',
    'unshare', '--user', '--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--mount-proc', '--',
    '/bin/sh', '-c', 'until [ "$(id -u)" = 0 ]; do sleep 0.01; done; exec "$@"', 'knetsim-sandbox',
    '/usr/bin/env', '-i', ...Object.entries(s.env).map(([k, v]) => `${k}=${v}`), ...s.argv,
  ];
}

/** Once process `pid` has made its user namespace, maps its root (uid and gid 0) to `uid`. */
async function mapRoot(pid: number, uid: number): Promise<void> {
  const own = readlinkSync('/proc/self/ns/user');
  await waitFor(
    "the child's user namespace",
    async () => {
      let seen: string;
      try {
        seen = readlinkSync(`/proc/${pid}/ns/user`);
      } catch (e) {
        throw new WaitAbort(e as Error); // the child is gone
      }
      return seen === own ? notYet(seen) : ready(undefined);
    },
    { timeoutMs: USERNS_TIMEOUT_MS, intervalMs: 5, maxIntervalMs: 5 },
  );
  writeFileSync(`/proc/${pid}/uid_map`, `0 ${uid} 1\n`);
  writeFileSync(`/proc/${pid}/gid_map`, `0 ${uid} 1\n`);
}

async function start(s: SandboxSpec): Promise<void> {
  buildRoot(s);
  const [cmd, ...args] = childArgv(s);
  // Descriptors this process inherited (from whoever started the grader) must not reach the
  // child: every number up to the highest open one gets /dev/null instead.
  const devNull = openSync('/dev/null', 'r');
  const highest = Math.max(...readdirSync('/proc/self/fd').map(Number).filter(Number.isInteger));
  const stdio = ['ignore', 'inherit', 'inherit', ...Array.from({ length: Math.max(0, highest - 2) }, () => devNull)] as const;
  const child = spawn(cmd!, args, { cwd: s.cwd, stdio: [...stdio], env: {} });
  closeSync(devNull);
  if (child.pid !== undefined) await mapRoot(child.pid, s.uid);
  await send({ type: 'started' });
  const seen = new Set<string>();
  const poll = setInterval(() => {
    for (const name of ['starting', 'up'] as const) {
      if (seen.has(name)) continue;
      const text = readChildFile(join(CHILD_SYNC, name), 256);
      if (text === undefined) continue;
      seen.add(name);
      const runId = text.trim();
      void send({ type: 'mark', name, runId: MARK_RUN_ID.test(runId) ? runId : undefined });
    }
  }, MARK_POLL_MS);
  const exit = await new Promise<{ code: number | null; signal: string | null }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal }));
    child.on('error', (e) => done({ code: null, signal: `spawn error: ${e.message}` }));
  });
  clearInterval(poll);
  await send({ type: 'done', exitCode: exit.code, signal: exit.signal, junit: readChildFile(join(CHILD_REPORT, 'junit.xml')) });
  process.exit(0);
}

process.on('message', (m: ToLauncher) => {
  if (m.type === 'go') {
    try {
      writeFileSync(join(CHILD_SYNC, 'go'), 'go\n', { flag: 'wx', mode: 0o644 });
    } catch {
      /* the child made it itself, or its folder is gone: it only hurts itself */
    }
    return;
  }
  const parsed = SandboxSpecSchema.safeParse(m.spec);
  if (!parsed.success) {
    void send({ type: 'failed', message: `bad sandbox spec: ${parsed.error.message}` }).then(() => process.exit(1));
    return;
  }
  start(parsed.data).catch((e: unknown) => {
    void send({ type: 'failed', message: (e as Error).message }).then(() => process.exit(1));
  });
});
// The grader gone (even by SIGKILL) closes this channel: the sandbox goes too. As pid 1 of its
// namespace, this process takes every process the child made with it.
process.on('disconnect', () => process.exit(1));
void send({ type: 'ready' });
