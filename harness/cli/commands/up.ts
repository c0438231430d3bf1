import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../../model/simulation.ts';
import { loadTopology } from '../../model/topology.ts';
import { requireRoot } from '../../components/tools/preflight.ts';
import { setUpDeckExtras } from '../deck.ts';
import { Prompt } from '../prompt.ts';
import { parse } from './args.ts';

export const DEFAULT_TOPOLOGY = fileURLToPath(new URL('../../../conf/topology.default.json', import.meta.url));

const USAGE = `knetsim up [--topology FILE] [--detach] [--bare]

Starts a simulation (default: conf/topology.default.json): namespaces, etcd, flanneld on
every worker, pods wired by CNI; then, as the deck has it (unless --bare), the static VIP
100.64.10.1 over c2 and c3 and, with clusters C0 and C1, a web server in C0w3:c4 exposed
to C1 on C1w1:1028 through skupper routers. Then opens a prompt in the style of Mininet's CLI; 'exit'
tears everything down. With --detach, prints the run id and leaves it running: use
'knetsim exec RUN ...' and 'knetsim down RUN'.`;

export async function up(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    topology: { type: 'string', short: 't' },
    detach: { type: 'boolean', short: 'd' },
    bare: { type: 'boolean' },
  }, false);
  if (!a) return 0;
  const topology = loadTopology(resolve(a.values.topology ?? DEFAULT_TOPOLOGY));
  requireRoot();
  const detached = a.values.detach ?? false;
  const log = (s: string) => (detached ? process.stderr : process.stdout).write(s + '\n');
  log(`*** Creating network (${topology.name}: ${topology.clusters.map((c) => `${c.name} ${c.workers.length} workers`).join(', ')})`);
  const sim = await Simulation.start({
    topology,
    detached,
    onEvent: (e) => {
      if (e.kind === 'run') log(`*** Run ${e.runId}: state and logs in ${e.runDir}`);
      if (e.kind === 'phase') log(`*** ${e.phase} ready in ${e.ms} ms`);
    },
  });
  if (!a.values.bare) {
    try {
      await setUpDeckExtras(sim, log);
    } catch (e) {
      await sim.stop();
      throw e;
    }
  }
  // performance.now() counts from this process's start: the figure includes loading knetsim.
  log(`*** all ready in ${Math.round(performance.now())} ms since knetsim started`);
  if (detached) {
    await sim.detach();
    console.log(sim.runId);
    log(`*** run ${sim.runId} is running; state and logs in ${sim.runDir}`);
    log(`*** knetsim exec ${sim.runId} C0w1:c1 -- ping -c 3 C0w2:c2   |   knetsim down ${sim.runId}`);
    return 0;
  }
  return interactive(sim);
}

async function interactive(sim: Simulation): Promise<number> {
  const prompt = new Prompt(sim, (s) => console.log(s));
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    console.log('*** Stopping network');
    await sim.stop();
    console.log('*** Done');
  })());
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  console.log(`*** Run ${sim.runId} ready. Type help for commands.`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.on('SIGINT', () => {
    rl.write('\n');
    rl.prompt();
  });
  rl.setPrompt('knetsim> ');
  rl.prompt();
  try {
    for await (const line of rl) {
      rl.pause();
      const r = await prompt.handle(line);
      if (r === 'exit') break;
      rl.resume();
      rl.prompt();
    }
  } finally {
    rl.close();
    await stop();
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  return 0;
}
