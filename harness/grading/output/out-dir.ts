import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { OUTPUT_MARKER } from '../../shards/output-marker.ts';
import { HarnessError } from '../../sys/errors.ts';
import { isWithin } from '../../sys/path-within.ts';

/** Written into every grading output: a folder without it was not made by `knetsim grade`. */
export const OUT_MARKER = '.knetsim-grading';
/** Everything a grading run writes at the top of its output. */
export const OUT_ENTRIES = new Set([OUT_MARKER, 'index.html', 'students', 'work', 'grades.json', 'grades.csv', 'checks.csv', 'moodle.csv', 'canvas.csv', OUTPUT_MARKER]);

/** A path with every existing part resolved (symlinks followed), even if its end does not exist yet. */
export function realish(p: string): string {
  const abs = resolve(p);
  let head = abs;
  const rest: string[] = [];
  while (!existsSync(head)) {
    rest.unshift(head.slice(dirname(head).length + 1));
    const up = dirname(head);
    if (up === head) break;
    head = up;
  }
  return join(realpathSync(head), ...rest);
}


export interface Protected {
  /** What it is, for the message: "the submissions (--submissions)". */
  label: string;
  path: string;
  /** The output may not lie inside it either (the submissions, the exercises, an input of a merge). */
  notInside?: boolean;
}

/**
 * Refuses an output folder before anything is deleted: it must not be, or hold, a
 * protected folder (the submissions, the exercises, the repo), nor lie inside the
 * submissions or exercises; if it exists and is not empty, it must be a grading output
 * (its marker file) holding nothing a grading run does not write. `flag` names the option.
 */
export function checkOutDir(out: string, protect: readonly Protected[], flag = '--out'): string {
  const o = realish(out);
  const fail = (why: string) => {
    throw new HarnessError(`${flag} ${out}: ${why}; nothing was deleted`);
  };
  if (o === sep) fail('is the root folder');
  for (const p of protect) {
    const q = realish(p.path);
    if (isWithin(q, o)) fail(o === q ? `is ${p.label}` : `contains ${p.label} (${q})`);
    if (p.notInside && isWithin(o, q)) fail(`is inside ${p.label} (${q})`);
  }
  if (!existsSync(o)) return o;
  if (!lstatSync(o).isDirectory()) fail('exists and is not a folder');
  const entries = readdirSync(o);
  if (entries.length === 0) return o;
  if (!entries.includes(OUT_MARKER)) fail(`is not empty and was not made by knetsim grade (no ${OUT_MARKER} in it): give an empty or new folder`);
  const foreign = entries.filter((e) => !OUT_ENTRIES.has(e));
  if (foreign.length) fail(`holds files a grading run did not make: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`);
  return o;
}

/** Whether `dir` is a grading output (marker and grades.json). */
export function isGradingOutput(dir: string): boolean {
  return existsSync(join(dir, OUT_MARKER)) && existsSync(join(dir, 'grades.json'));
}

/** Empties a checked output folder (only what a grading run writes) and marks it as a grading output. */
export function resetOutDir(out: string): void {
  mkdirSync(out, { recursive: true });
  for (const e of readdirSync(out)) if (OUT_ENTRIES.has(e)) rmSync(join(out, e), { recursive: true, force: true });
  markOutDir(out);
}

export function markOutDir(out: string): void {
  writeFileSync(join(out, OUT_MARKER), JSON.stringify({ kind: 'knetsim-grading', version: 1 }) + '\n');
}

