// IBM's knetsim (github.com/IBM/k8s-netsim, Python + Mininet), started the way its README
// does (`./main.py`, which sets the deck up and opens Mininet's CLI), in a sandbox of its
// own (original-sandbox.sh), timed the same way as ours: from the spawn to lines on its
// console. Skipped, saying why, when Mininet or a checkout is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../harness/sys/find-on-path.ts';
import { cniPath, toolPath } from '../../harness/components/tools/tool-paths.ts';
import { freshBundle } from '../../harness/sys/bundles.js';
import { TimedProcess } from './timed-process.ts';

const SANDBOX = fileURLToPath(new URL('./original-sandbox.sh', import.meta.url));
const ROUTER = 'harness/router/main.ts';

export interface OriginalPlan {
  dir: string;
  python: string;
  argv: string[];
}

export interface OriginalSample {
  /** ms since spawn: Mininet's switches up (network), both clusters with their pods and VIPs (clusters), Mininet's prompt. */
  at: { network: number; clusters: number; prompt: number };
  teardown: number;
  /** Whether its own checks passed: both VIP pings without loss, the cross-cluster wget answered 200. */
  worked: { vipPings: boolean; crossClusterWget: boolean };
}

/** What it takes to run the original here, or why it cannot run (a sentence for the report). */
export function planOriginal(dir: string | undefined): OriginalPlan | { skipped: string } {
  if (!dir) return { skipped: 'no checkout given (--knetsim-dir DIR, a checkout of github.com/IBM/k8s-netsim, or KNETSIM_ORIGINAL_DIR)' };
  if (!existsSync(join(dir, 'main.py')) || !existsSync(join(dir, 'core', 'cluster.py'))) return { skipped: `${dir} is not a k8s-netsim checkout (no main.py and core/cluster.py)` };
  const pythons = [process.env.KNETSIM_ORIGINAL_PYTHON, '/usr/bin/python3', findOnPath('python3')].filter((p): p is string => !!p);
  const python = pythons.find((p) => spawnSync(p, ['-c', 'import mininet.net, mininet.nodelib'], { stdio: 'ignore' }).status === 0);
  if (!python) return { skipped: `mininet not installed for ${pythons.join(' or ')} (Debian: apt-get install --no-install-recommends mininet bridge-utils)` };
  if (!findOnPath('brctl')) return { skipped: "bridge-utils not installed (main.py's LinuxBridge switches need brctl)" };
  for (const cmd of ['unshare', 'etcd', 'etcdctl', 'nft']) if (!findOnPath(cmd)) return { skipped: `${cmd} is not on PATH` };
  let tools: string[];
  try {
    toolPath('flannel-cni');
    tools = [toolPath('flannel'), toolPath('cnitool'), cniPath()];
  } catch (e) {
    return { skipped: (e as Error).message };
  }
  const router = freshBundle(ROUTER);
  if (!('path' in router)) return { skipped: `our router stands in for skrouterd and has no fresh bundle: ${router.reason}` };
  const args = [dir, python, tools[0]!, tools[1]!, tools[2]!, findOnPath('etcdctl')!, process.execPath, router.path];
  if (args.some((a) => a.includes("'"))) return { skipped: `a path holds a quote: ${args.find((a) => a.includes("'"))}` };
  return {
    dir,
    python,
    argv: ['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', 'sh', SANDBOX, ...args],
  };
}

/** One run of main.py to its prompt, then `exit` (Mininet stops its network, main.py cleans up). */
export async function originalOnce(plan: OriginalPlan): Promise<OriginalSample> {
  const p = new TimedProcess(plan.argv);
  try {
    const network = await p.waitLine(/^\*\*\* Starting \d+ switches/, 60_000, "Mininet's network");
    const clusters = await p.waitLine(/^Running connectivity test/, 120_000, "main.py's clusters, pods and VIPs");
    const prompt = await p.waitLine(/mininet>/, 180_000, "Mininet's prompt");
    const text = p.lines.map((l) => l.text);
    const worked = {
      vipPings: text.filter((t) => / 0% packet loss/.test(t)).length >= 2,
      crossClusterWget: text.some((t) => /awaiting response\.\.\. 200 OK/.test(t)),
    };
    p.write('exit\n');
    const end = await p.waitExit(120_000);
    return { at: { network, clusters, prompt }, teardown: end - prompt, worked };
  } catch (e) {
    p.kill('SIGKILL'); // unshare --kill-child: the namespace's processes go with it
    await p.waitExit(10_000);
    throw e;
  }
}
