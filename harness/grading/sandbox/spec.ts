import { z } from 'zod';

/**
 * What the grader hands the sandbox launcher (over its IPC channel, never in argv or a file
 * the child could reach): the child's files, program, environment and limits. Nothing in
 * it names a variant: the grader keeps faults to itself and applies them from outside.
 */

/** Inside the sandbox, everything the child is given lives here (a private tmpfs /tmp). */
export const CHILD_TMP = '/tmp';
export const CHILD_RUN = '/tmp/run';
/** The child's state root (KNETSIM_STATE_DIR): short, because etcd's unix sockets live in it. */
export const CHILD_STATE = '/tmp/s';
/** Marks the child's grading fixture writes (`starting`, `up`) and the grader's `go`. */
export const CHILD_SYNC = `${CHILD_RUN}/sync`;
export const CHILD_REPORT = `${CHILD_RUN}/report`;

const absolute = z.string().regex(/^\/[^\0]*$/, 'must be an absolute path').max(4096);
/** A path under /tmp/run: plain segments only. */
const relative = z
  .string()
  .regex(/^[\w][\w.-]*(\/[\w][\w.-]*)*$/, 'must be a relative path of plain segments')
  .max(255);

export const SandboxSpecSchema = z
  .object({
    /** An empty folder the launcher mounts the sandbox's root on (then pivots into it). */
    rootDir: absolute,
    /** The host uid (and gid) the child's root is mapped to: unprivileged on the host, unique per child. */
    uid: z.number().int().min(100_000).max(4_000_000_000),
    /** Host folders the child sees read-only at the same path (the repo, the tools, node). */
    readOnly: z.array(absolute).max(32),
    /** Folders inside those that the child sees empty (the submissions, the output, other reports). */
    hide: z.array(absolute).max(32),
    /** Files written under /tmp/run (read-only to the child), by relative path. */
    files: z.record(relative, z.string().max(4 * 1024 * 1024)),
    /** Symlinks under /tmp/run (node_modules → the repo's, so bare imports resolve). */
    links: z.record(relative, absolute).default({}),
    /** The child's whole environment. */
    env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string().max(4096)),
    argv: z.array(z.string().max(4096)).min(1).max(64),
    cwd: absolute,
    /** Size of the private /tmp (tmpfs), MiB. */
    tmpMiB: z.number().int().min(16).max(16_384),
    /** RLIMIT_NPROC of the child's uid: a fork bomb stops there. */
    maxProcesses: z.number().int().min(64).max(65_536),
  })
  .strict();
export type SandboxSpec = z.infer<typeof SandboxSpecSchema>;

/** Messages between the grader and the launcher (node IPC). */
export type ToLauncher = { type: 'spec'; spec: SandboxSpec } | { type: 'go' };
export type FromLauncher =
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'mark'; name: 'starting' | 'up'; runId: string | undefined }
  | { type: 'done'; exitCode: number | null; signal: string | null; junit: string | undefined }
  | { type: 'failed'; message: string };

/** Run ids as the harness makes them (RUN_ID_PATTERN): anything else in a mark is ignored. */
export const MARK_RUN_ID = /^[a-z0-9]{4}$/;
