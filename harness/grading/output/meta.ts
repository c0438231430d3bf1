import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../isolated-run.ts';

/** The grader's version: the package version and, when the repo is a git checkout, its commit ("-dirty" with local changes). */
export function graderVersion(): { version: string; commit: string | undefined } {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    const commit = git('rev-parse', '--short=12', 'HEAD');
    return { version, commit: git('status', '--porcelain', '--untracked-files=no') ? `${commit}-dirty` : commit };
  } catch {
    return { version, commit: undefined };
  }
}

export const versionText = (v: { version: string; commit: string | undefined }) => `knetsim ${v.version}${v.commit ? ` (${v.commit})` : ''}`;
