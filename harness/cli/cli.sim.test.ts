import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, readMeta } from '../sys/ledger.ts';
import { listNetns } from '../sys/netns.ts';
import { isSameProcess } from '../sys/proc.ts';
import { runDirOf } from '../sys/run-dir.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import { notYet, ready, waitFor } from '../sys/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));
const tmp = makeTempDir('cli');
afterAll(() => tmp.remove());
const SMALL = join(tmp.path, 'small.json');
writeFileSync(
  SMALL,
  JSON.stringify({
    name: 'small',
    flannel: fileURLToPath(new URL('../../conf/flannel-network-config.json', import.meta.url)),
    clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }],
  }),
);

async function knetsim(args: string[], input?: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { timeout: 90_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

const ofRun = (id: string) => listNetns().filter((n) => n.startsWith(`kn-${id}-`));

describe('knetsim CLI', () => {
  it('up --detach, exec, ls, down', async () => {
    const upRun = await knetsim(['up', '--detach', '--topology', SMALL]);
    expect(upRun.code, upRun.stderr).toBe(0);
    const runId = upRun.stdout.trim();
    expect(runId).toMatch(/^[a-z0-9]{4}$/);
    try {
      const ping = await knetsim(['exec', runId, 'C0w1:c1', '--', 'ping', '-c', '2', '-i', '0.2', 'C0w2:c2']);
      expect(ping.code, ping.stderr).toBe(0);
      const ls = await knetsim(['ls']);
      expect(ls.stdout).toMatch(new RegExp(`^${runId}\\s+detached\\s+small\\s+2\\s`, 'm'));
      const bad = await knetsim(['exec', runId, 'C0w9', '--', 'true']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/has no worker or pod "C0w9"/);
    } finally {
      const down = await knetsim(['down', runId]);
      expect(down.stdout).toMatch(/processes stopped/);
    }
    expect(ofRun(runId)).toEqual([]);
    expect(existsSync(runDirOf(runId))).toBe(false);
  });

  it('the prompt runs the deck commands and exit tears everything down', async () => {
    const r = await knetsim(
      ['up', '--topology', SMALL],
      ['nodes', 'C0w1:c1 ping -c 1 C0w2:c2', 'py C0w1.create_container("c10")', 'pods', 'py C0w1.exec_container("c10", "ip -o -4 addr show eth0")', 'py C0w1.delete_container("c10")', 'C0w1 ifconfig eth0', 'exit', ''].join('\n'),
    );
    expect(r.code, r.stderr).toBe(0);
    const runId = /Run ([a-z0-9]{4})/.exec(r.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(r.stdout).toMatch(/C0w1\s+10\.0\.0\.1\s+11\.\d+\.\d+\.1\/20/);
    expect(r.stdout).toMatch(/1 packets transmitted, 1 received/);
    expect(r.stdout).toMatch(/created C0w1:c10 with IP 11\./);
    expect(r.stdout).toMatch(/C0w1:c10\s+11\./);
    expect(r.stdout).toMatch(/eth0\s+inet 11\./);
    expect(r.stdout).toMatch(/deleted C0w1:c10/);
    expect(r.stdout).toMatch(/inet 10\.0\.0\.1\s+netmask 255\.255\.0\.0\s+broadcast 10\.0\.255\.255/);
    expect(r.stdout).toMatch(/\*\*\* Done/);
    expect(ofRun(runId!)).toEqual([]);
  });

  it("up sets the deck's VIP and multi-cluster service up, as knetsim's main.py does", async () => {
    const r = await knetsim(['up'], ['C0w1:c1 ping -c 4 -i 0.2 100.64.10.1', 'C1w2:c2 wget -qO- C1w1:1028', 'services', 'router C1', 'exit', ''].join('\n'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout, r.stdout + r.stderr).toMatch(/VIP 100\.64\.10\.1 → c2, c3 \(static, as the deck\) in C0, C1/);
    expect(r.stdout).toMatch(/4 packets transmitted, 4 received/);
    expect(r.stdout).toMatch(/<h1>hello from C0w3:c4<\/h1>/);
    expect(r.stdout).toMatch(/C1\/vip-100-64-10-1\s+100\.64\.10\.1\s+all\s+static/);
    // The prompt reads C1's router through management: C0 reached, the deck's tcpListener up.
    expect(r.stdout).toMatch(/router\.node:\n\s+id\s+nextHop\s+cost\n\s+C1\s+\(self\)\s+-\n\s+C0\s+-\s+1/);
    expect(r.stdout).toMatch(/tcpListener:\n\s+name\s+address\s+port\s+operStatus\n\s+svc1:80\s+svc1:80\s+1028\s+up/);
    const runId = /Run ([a-z0-9]{4})/.exec(r.stdout)![1]!;
    expect(ofRun(runId)).toEqual([]);
  });

  it('a bad topology is rejected, naming the field, before anything is created', async () => {
    const file = join(tmp.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ clusters: [{ name: 'C0', workers: ['w1', 'w1'], pods: [{ name: 'x', worker: 'w7' }] }] }));
    // A state folder of its own: a run writes its ledger there before it creates anything,
    // so an empty folder after the call means nothing was created (other tests run alongside).
    const state = join(tmp.path, 'state');
    mkdirSync(state);
    const r = await knetsim(['up', '--detach', '--topology', file], undefined, { KNETSIM_STATE_DIR: state });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/clusters\.0\.workers\.1: duplicate worker name "w1"/);
    expect(r.stderr).toMatch(/clusters\.0\.pods\.0\.worker: no worker "w7"/);
    expect(readdirSync(state)).toEqual([]);
  });

  it('clean removes everything of a run killed by SIGKILL in the middle of start-up', async () => {
    const child = spawn(process.execPath, [BIN, 'up', '--topology', SMALL], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    // Kill it once flanneld has been started on a worker: etcd runs, namespaces exist, pods do not.
    const runId = await waitFor(
      'the run to start flanneld',
      async () => {
        const id = /Run ([a-z0-9]{4})/.exec(out)?.[1];
        if (!id) return notYet(`stdout: ${out.slice(-200)}`);
        const procs = Ledger.open(runDirOf(id)).entries().filter((e) => e.kind === 'process');
        return procs.some((p) => p.name.startsWith('flanneld')) ? ready(id) : notYet(`${procs.length} processes in the ledger`);
      },
      { timeoutMs: 60_000, intervalMs: 5, maxIntervalMs: 10 },
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const entries = Ledger.open(runDirOf(runId)).entries();
    expect(ofRun(runId).length).toBeGreaterThan(0);

    const ls = await knetsim(['ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${runId}\\s+dead`, 'm'));
    const clean = await knetsim(['clean']);
    expect(clean.stdout).toMatch(new RegExp(`cleaned ${runId} \\(dead\\)`));
    expect(ofRun(runId)).toEqual([]);
    expect(existsSync(runDirOf(runId))).toBe(false);
    for (const e of entries) if (e.kind === 'process') expect(isSameProcess(e.pid, e.startTime), e.name).toBe(false);
    expect((await knetsim(['clean'])).stdout).not.toMatch(runId);
  });

  it('knetsim test stopped by SIGTERM mid-simulation leaves nothing: no simulation, no orphan worker, no temp folder', async () => {
    const state = join(tmp.path, 'test-state');
    const own = join(tmp.path, 'test-tmp');
    mkdirSync(state);
    mkdirSync(own);
    const child = spawn(process.execPath, [BIN, 'test', 'scenarios/ch1-workers-and-containers.test.ts', '--no-report', '--report-dir', join(tmp.path, 'test-report')], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)), env: { ...process.env, KNETSIM_STATE_DIR: state, TMPDIR: own }, stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // A simulation is up (its ledger names it) before the signal.
    const run = await waitFor('a simulation of the test run', async () => {
      const runs = readdirSync(state).filter((d) => ofRun(d).length > 0);
      return runs.length ? ready(runs[0]!) : notYet(`state folder: ${readdirSync(state).join(', ') || 'empty'}`);
    }, { timeoutMs: 60_000 });
    const owner = readMeta(join(state, run));
    child.kill('SIGTERM');
    expect(await exited).toBe(128 + 15);
    expect(ofRun(run)).toEqual([]);
    expect(readdirSync(state)).toEqual([]);
    expect(owner && isSameProcess(owner.ownerPid, owner.ownerStartTime)).toBe(false);
    // vitest's transform folders, the test run's temp folder: all gone (tsx keeps its cache).
    expect(readdirSync(own).filter((f) => !/^tsx-\d+$/.test(f))).toEqual([]);
  }, 120_000);

  it('--help of every command is honest about its arguments', async () => {
    const top = await knetsim(['--help']);
    const cmds = ['up', 'exec', 'ls', 'down', 'clean', 'doctor', 'test', 'router'];
    const helps = await Promise.all(cmds.map((cmd) => knetsim([cmd, '--help'])));
    cmds.forEach((cmd, i) => {
      expect(top.stdout).toMatch(new RegExp(`knetsim ${cmd}`));
      expect(helps[i]!.code).toBe(0);
      expect(helps[i]!.stdout).toMatch(new RegExp(`^knetsim ${cmd}`));
    });
    const unknown = await knetsim(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
