import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './wait.ts';

/** The kernel's start time of a process (field 22 of /proc/PID/stat), to tell a pid reused. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** True when pid runs (a zombie does not) and is the same process that had startTime. */
export function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime && !isZombie(pid);
}

export function isAlive(pid: number): boolean {
  return processStartTime(pid) !== undefined && !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** SIGTERM, wait up to graceMs for all to exit, then SIGKILL what is left. */
export async function terminate(pids: readonly number[], graceMs = 3_000): Promise<void> {
  const live = pids.filter(isAlive);
  if (live.length === 0) return;
  for (const pid of live) signal(pid, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  let wait = 5;
  while (performance.now() < deadline) {
    if (!live.some(isAlive)) return;
    await sleep(wait);
    wait = Math.min(wait * 2, 100);
  }
  for (const pid of live) if (isAlive(pid)) signal(pid, 'SIGKILL');
}

/** The live (not zombie) processes of process group `pgid` (field 5 of /proc/PID/stat). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] !== 'Z' && Number(rest[2]) === pgid) members.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return members;
}
