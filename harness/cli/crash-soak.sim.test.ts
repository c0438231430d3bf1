import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { Ledger } from '../sys/ledger.ts';
import { listNetns } from '../sys/netns.ts';
import { isSameProcess } from '../sys/proc.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import { mulberry32 } from '../sys/prng.ts';
import { sleep } from '../sys/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));
const KILLS = Number(process.env.KNETSIM_SOAK_KILLS ?? 20);

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
const prng = mulberry32;

const sh = $({ quiet: true });

async function rootSnapshot(): Promise<string[]> {
  const r = await Promise.all([sh`ip -br link show`, sh`ip route show table all`, sh`nft list ruleset`]);
  return r.map((x) => x.stdout);
}

describe('crash safety', () => {
  it(`SIGKILL at random moments of start-up and of a running prompt, ${KILLS} times, then knetsim clean leaves nothing`, async () => {
    const seed = Number(process.env.KNETSIM_SOAK_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    using tmp = makeTempDir('soak');
    const state = join(tmp.path, 'state');
    mkdirSync(state);
    const topology = join(tmp.path, `soak-${seed}.json`);
    writeFileSync(
      topology,
      JSON.stringify({
        name: 'soak',
        flannel: fileURLToPath(new URL('../../conf/flannel-network-config.json', import.meta.url)),
        clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }],
      }),
    );
    const knetsim = sh({ env: { ...process.env, KNETSIM_STATE_DIR: state } });
    const before = await rootSnapshot();
    const killedAt: string[] = [];

    for (let i = 0; i < KILLS; i++) {
      // `exec`: the shell becomes knetsim, so the SIGKILL below hits knetsim alone. (zx's own
      // kill() signals the whole process tree, the daemons too, which a crash would not.)
      const up = knetsim({ nothrow: true })`exec ${process.execPath} ${BIN} up --topology ${topology}`;
      let out = '';
      up.stdout.on('data', (d: Buffer) => (out += d));
      const gone = () => up.stage !== 'running';
      // Every other kill lands in start-up (0-1.5 s after the run id appears), the others
      // while a ping runs at the prompt; the moment within each is random.
      const duringStartup = i % 2 === 0;
      const delay = Math.round(random() * (duringStartup ? 1500 : 800));
      const deadline = performance.now() + 60_000;
      while (!/Run [a-z0-9]{4}:/.test(out) && performance.now() < deadline && !gone()) await sleep(10);
      if (!duringStartup) {
        while (!/ready\. Type help/.test(out) && performance.now() < deadline && !gone()) await sleep(10);
        up.stdin.write('C0w1:c1 ping -c 100 -i 0.02 C0w2:c2\n');
      }
      await sleep(delay);
      const done = [...out.matchAll(/\*\*\* (\w+) ready in/g)].map((m) => m[1]);
      const phase = /ready\. Type help/.test(out) ? 'prompt' : `after ${done.at(-1) ?? 'nothing'}`;
      process.kill(up.pid!, 'SIGKILL');
      expect((await up).signal, `kill ${i + 1}: knetsim up had already ended: ${out}`).toBe('SIGKILL');
      killedAt.push(phase);
    }

    const runIds = readdirSync(state);
    expect(runIds.length).toBe(KILLS);
    const ledgers = runIds.map((id) => Ledger.open(join(state, id)).entries());
    const clean = await knetsim`${process.execPath} ${BIN} clean`;
    expect(clean.stdout.match(/cleaned [a-z0-9]{4} \(dead\)/g)?.length, clean.stdout).toBe(KILLS);

    const leftovers = {
      seed,
      killedAt,
      stateFolder: readdirSync(state),
      netns: listNetns().filter((n) => runIds.some((id) => n.startsWith(`kn-${id}-`))),
      mounts: readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .filter((l) => runIds.some((id) => l.includes(`/run/netns/kn-${id}-`))),
      processes: ledgers.flat().filter((e) => e.kind === 'process' && isSameProcess(e.pid, e.startTime)),
    };
    expect(leftovers).toEqual({ seed, killedAt, stateFolder: [], netns: [], mounts: [], processes: [] });
    expect(await rootSnapshot()).toEqual(before);
    // Kills landed in more than one phase (start-up and the prompt).
    expect(new Set(killedAt).size).toBeGreaterThan(1);
  }, 300_000);
});
