// A child process of `knetsim matrix`: starts a simulation of a topology file, writes its
// normalised dataplane (snapshot.ts) to a JSON file, and stops it. Usage: TOPOLOGY OUT.json
import { writeFileSync } from 'node:fs';
import { Simulation } from '../model/simulation.ts';
import { loadTopology } from '../model/topology.ts';
import { snapshotDataplane } from './snapshot.ts';

const [topologyFile, out] = process.argv.slice(2);
if (!topologyFile || !out) {
  console.error('usage: snapshot-main.ts TOPOLOGY OUT.json');
  process.exitCode = 2;
} else {
  const sim = await Simulation.start({ topology: loadTopology(topologyFile), title: 'matrix snapshot' });
  try {
    writeFileSync(out, JSON.stringify(await snapshotDataplane(sim), null, 1));
  } finally {
    await sim.stop();
  }
}
