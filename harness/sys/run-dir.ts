import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Every namespace a simulation creates is named `kn-<runId>-...`. */
export const NETNS_PREFIX = 'kn-';
export const RUN_ID_PATTERN = /^[a-z0-9]{4}$/;

/** Where runs keep their state (ledger, daemon logs, CNI state): one folder per run. */
export function stateRoot(): string {
  return process.env.KNETSIM_STATE_DIR ?? '/tmp/knetsim';
}

export function runDirOf(runId: string): string {
  return join(stateRoot(), runId);
}

/** A short id (4 characters from a-z0-9) that no run in the state root has. */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (;;) {
    const id = [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join('');
    if (!existsSync(runDirOf(id))) return id;
  }
}

export function netnsName(runId: string, ...parts: string[]): string {
  return [`${NETNS_PREFIX}${runId}`, ...parts].join('-');
}

/** The run id in a namespace name made by netnsName, or undefined. */
export function runIdOfNetns(name: string): string | undefined {
  const m = /^kn-([a-z0-9]{4})-/.exec(name);
  return m?.[1];
}
