// One `knetsim up` as a student runs it: spawned, its console read until the prompt, then
// `exit`. Every milestone is when its line came, in ms since the spawn; the phases are
// also taken as knetsim reports them ("*** etcd ready in 212 ms").
import { TimedProcess } from './timed-process.ts';

export interface UpSample {
  /** Milestones, ms since spawn: load (knetsim printed its first line), pods (clusters ready), vip, prompt. */
  at: { load?: number; pods?: number; vip?: number; prompt: number };
  /** Durations as knetsim printed them: namespaces, etcd, flannel, pods, vip, multicluster. */
  phases: Record<string, number>;
  /** From `exit` at the prompt to the process's end. */
  teardown: number;
}

const PROMPT_TIMEOUT_MS = 180_000;

/** Runs `node CLI up ARGS...` once. `cli` is a bin/knetsim.js (this checkout's or a baseline's). */
export async function upOnce(cli: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<UpSample> {
  const p = new TimedProcess([process.execPath, cli, 'up', ...args], { env });
  try {
    const prompt = await p.waitLine(/Type help for commands/, PROMPT_TIMEOUT_MS, `knetsim up ${args.join(' ')} to reach its prompt`);
    const at: UpSample['at'] = { prompt };
    const phases: Record<string, number> = {};
    for (const l of p.lines) {
      if (l.ms > prompt) break;
      if (/^\*\*\* Creating network/.test(l.text)) at.load ??= l.ms;
      const m = /^\*\*\* (\w+) ready in (\d+) ms/.exec(l.text);
      if (m && m[1] !== 'all') phases[m[1]!] = Number(m[2]);
      if (m?.[1] === 'pods') at.pods = l.ms;
      // The VIP line, as this CLI prints it ("*** vip ready in") and as earlier ones did ("*** VIP 100.64.10.1").
      if (/^\*\*\* (vip ready in|VIP 100\.64\.10\.1)/.test(l.text)) at.vip ??= l.ms;
    }
    p.write('exit\n');
    const end = await p.waitExit(60_000);
    return { at, phases, teardown: end - prompt };
  } catch (e) {
    // Stopped before its prompt, it leaves its run to `knetsim clean RUN` (the ledger).
    p.kill('SIGTERM');
    await p.waitExit(30_000);
    const run = p.lines.map((l) => /^\*\*\* Run ([a-z0-9]{4}):/.exec(l.text)?.[1]).find(Boolean);
    if (run) await new TimedProcess([process.execPath, cli, 'clean', run], { env }).waitExit(60_000);
    throw e;
  }
}
