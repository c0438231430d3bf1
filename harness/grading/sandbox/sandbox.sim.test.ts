// The sandbox on its own, with small programs instead of scenarios: what a child can see and
// do, how the grader reaches into it, and that it is gone at its deadline.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { REPO_ROOT } from '../isolated-run.ts';
import { tsxLoader } from '../../sys/node-script.ts';
import { notYet, ready, waitFor } from '../../sys/wait.ts';
import { inChildNamespaces } from './host-pid.ts';
import { runSandboxed, type SandboxRunOptions } from './run-sandboxed.ts';

const REPO = REPO_ROOT.replace(/\/$/, '');
const host = mkdtempSync('/tmp/kgsb-');
afterAll(() => rmSync(host, { recursive: true, force: true }));
// Readable by anyone on the host, as a class's folders usually are: the sandbox must hide them all the same.
chmodSync(host, 0o755);
mkdirSync(join(host, 'secret'));
writeFileSync(join(host, 'secret', 'other-student.txt'), 'private');
writeFileSync(join(host, 'visible.txt'), 'shared');

const node = (script: string, o: Partial<SandboxRunOptions> & { files?: Record<string, string> } = {}) =>
  runSandboxed({
    spec: { readOnly: [REPO, host], hide: [join(host, 'secret')], files: o.files ?? {}, links: {}, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ONLY: 'this' }, argv: [process.execPath, '-e', script], cwd: '/tmp/run', tmpMiB: 64, maxProcesses: 256 },
    timeoutMs: o.timeoutMs ?? 30_000,
    maxLogBytes: o.maxLogBytes ?? 1 << 20,
    ...(o.onMark ? { onMark: o.onMark } : {}),
    ...(o.holdMs ? { holdMs: o.holdMs } : {}),
  });

/** Host pids whose command line is `sleep <seconds>`. */
const sleepers = (seconds: number) =>
  readdirSync('/proc').filter((d) => {
    try {
      return /^\d+$/.test(d) && readFileSync(`/proc/${d}/cmdline`, 'utf8') === `sleep\x00${seconds}\x00`;
    } catch {
      return false;
    }
  });

const LOOK = `
const fs = require('node:fs'), os = require('node:os');
const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'wrote'; } catch (e) { return e.code; } };
console.log(JSON.stringify({
  uid: process.getuid(),
  uidMap: fs.readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\\s+/).map(Number),
  pids: fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).length,
  root: fs.readdirSync('/').sort(),
  env: Object.keys(process.env).sort(),
  fds: [...new Set(fs.readdirSync('/proc/self/fd').filter((f) => Number(f) > 2).map((f) => { try { return fs.readlinkSync('/proc/self/fd/' + f).replace(/:\\[\\d+\\]$/, ''); } catch { return 'gone'; } }))].sort(),
  net: Object.keys(os.networkInterfaces()),
  hidden: fs.readdirSync(${JSON.stringify(join(host, 'secret'))}),
  visible: fs.readFileSync(${JSON.stringify(join(host, 'visible.txt'))}, 'utf8'),
  writes: [${JSON.stringify(join(REPO, 'PWNED-sandbox'))}, ${JSON.stringify(join(host, 'visible.txt'))}, '/etc/pwned', '/tmp/mine', '/tmp/run/given.txt'].map(tryWrite),
  given: fs.readFileSync('/tmp/run/given.txt', 'utf8'),
}));`;

describe('the grading sandbox', () => {
  test('the child is root only in namespaces of its own: private /tmp, host folders read-only, the hidden ones empty, nothing else in view', async () => {
    const r = await node(LOOK, { files: { 'given.txt': 'hello' } });
    expect(r, r.log).toMatchObject({ exitCode: 0, timedOut: false, sandboxError: undefined });
    const seen = JSON.parse(r.log.trim().split('\n').pop()!);
    expect(seen.uid).toBe(0);
    // Root inside maps to one unprivileged host uid.
    expect(seen.uidMap[0]).toBe(0);
    expect(seen.uidMap[1]).toBeGreaterThanOrEqual(2_100_000_000);
    expect(seen.uidMap[2]).toBe(1);
    expect(seen.pids).toBeLessThan(5);
    expect(seen.root).toEqual(expect.arrayContaining(['dev', 'etc', 'proc', 'run', 'sys', 'tmp', 'usr', 'var']));
    expect(seen.root).not.toContain('root');
    expect(seen.root).not.toContain('home');
    expect(seen.env).toEqual(['ONLY', 'PATH']);
    // Beyond stdio, only what node opens for itself (and /dev/null over whatever the grader inherited):
    // no socket (the grader's IPC channel stays with the launcher), no file.
    expect(seen.fds.filter((f: string) => !['/dev/null', 'anon_inode:[eventpoll]', 'anon_inode:[eventfd]', 'anon_inode:[timerfd]', 'pipe', 'gone'].includes(f))).toEqual([]);
    expect(seen.net).toEqual([]);
    expect(seen.hidden).toEqual([]);
    expect(seen.visible).toBe('shared');
    expect(seen.writes).toEqual(['EROFS', 'EROFS', 'EROFS', 'wrote', 'EACCES']);
    expect(seen.given).toBe('hello');
    expect(readdirSync(REPO)).not.toContain('PWNED-sandbox');
    expect(readFileSync(join(host, 'visible.txt'), 'utf8')).toBe('shared');
  });

  test('the grader sees its marks, acts in its namespaces from outside, and holds it before go', async () => {
    const seen: string[] = [];
    let waited = 0;
    const r = await node(
      `const fs = require('node:fs');
       fs.writeFileSync('/tmp/run/sync/up', 'ab12\\n');
       const t = Date.now();
       const i = setInterval(() => { if (fs.existsSync('/tmp/run/sync/go')) { clearInterval(i); console.log('waited', Date.now() - t); } }, 20);`,
      {
        holdMs: 400,
        onMark: async (m) => {
          seen.push(`${m.name} ${m.runId}`);
          const out = execFileSync(inChildNamespaces(m.childPid!, ['cat', '/tmp/run/sync/up'])[0]!, inChildNamespaces(m.childPid!, ['cat', '/tmp/run/sync/up']).slice(1), { encoding: 'utf8' });
          seen.push(`read ${out.trim()}`);
          seen.push(`uid ${/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${m.childPid}/status`, 'utf8'))![1]! >= '2100000000'}`);
        },
      },
    );
    waited = Number(/waited (\d+)/.exec(r.log)?.[1]);
    expect(seen).toEqual(['up ab12', 'read ab12', 'uid true']);
    expect(r.marks).toEqual({ starting: undefined, up: 'ab12' });
    expect(waited).toBeGreaterThanOrEqual(300);
  });

  test('at its deadline the whole sandbox is killed; a flood of output is capped', async () => {
    const t0 = Date.now();
    const r = await node(`require('node:child_process').spawn('sleep', ['987'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`, { timeoutMs: 2_000 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(sleepers(987)).toEqual([]);
    const flood = await node(`process.stdout.write('x'.repeat(3 * 1024 * 1024))`, { maxLogBytes: 100_000 });
    expect(flood.log.length).toBeLessThan(100_200);
    expect(flood.log).toMatch(/more bytes of output not kept/);
  });

  test('a grader killed by SIGTERM takes its sandboxes and their folders with it', async () => {
    // The grader in a process of its own, with a temp folder of its own to look into afterwards.
    const tmp = join(host, 'grader-tmp');
    mkdirSync(tmp);
    const grader = `
      import { runSandboxed } from ${JSON.stringify(fileURLToPath(new URL('./run-sandboxed.ts', import.meta.url)))};
      void runSandboxed({
        spec: { readOnly: [${JSON.stringify(REPO)}], hide: [], files: {}, links: {}, env: { PATH: '/usr/bin:/bin' }, cwd: '/tmp/run', tmpMiB: 16, maxProcesses: 64,
          argv: [process.execPath, '-e', "require('node:fs').writeFileSync('/tmp/run/sync/up', 'ab34\\\\n'); require('node:child_process').spawnSync('sleep', ['986'])"] },
        timeoutMs: 60_000, maxLogBytes: 4096,
        onMark: async () => console.log('UP'),
      });`;
    const child = spawn(process.execPath, ['--import', tsxLoader(), '--input-type=module', '-e', grader], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    // tsx keeps its cache there too.
    const ours = () => readdirSync(tmp).filter((f) => f.startsWith('knetsim-'));
    const gone = new Promise((r) => child.on('close', r));
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    await waitFor('the sandbox to come up', async () => (out.includes('UP') ? ready(true) : notYet(JSON.stringify(out.slice(-500)))), { timeoutMs: 20_000 });
    expect(ours()).toEqual([expect.stringMatching(/^knetsim-sandbox-/)]);
    expect(sleepers(986)).toHaveLength(1);
    child.kill('SIGTERM');
    await gone;
    expect(ours()).toEqual([]);
    await waitFor('the sandboxed sleep to end', async () => (sleepers(986).length === 0 ? ready(true) : notYet(`pids ${sleepers(986).join(' ')}`)), { timeoutMs: 5_000 });
  });
});
