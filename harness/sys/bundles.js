// @ts-check
/**
 * Prebuilt helpers: every program the harness starts with node (the kube-proxy agent, the
 * router, the echo and probe servers... and knetsim itself) is bundled ahead of time into
 * one JavaScript file, so it starts as plain `node FILE.mjs` in tens of milliseconds
 * instead of going through tsx. `npm run build:helpers` (scripts/setup.sh runs it) writes
 * them; see bundle-build.ts.
 *
 * This file is JavaScript on purpose: bin/knetsim.js reads it before any TypeScript loader
 * exists, to choose between the bundle of the CLI and its sources (types: bundles.d.ts).
 *
 * A bundle is used only when it is fresh: its manifest lists every file that went into it
 * (sources, the npm packages inlined, the builder itself) with size, mtime and sha256.
 * Sizes and mtimes are compared (a stat each); a file whose mtime moved is hashed, so a
 * checkout that only touched it still counts as fresh. Anything else (stale, missing,
 * unreadable) means: run the TypeScript through tsx, with a one-line warning per process.
 * KNETSIM_BUNDLES=0 runs every program from its TypeScript, without a warning.
 * Bundles live under node_modules/.cache/knetsim/bundles (outside git; npm ci removes them).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one list of programs that are bundled, as paths from the repository root.
 * Adding a program: one line here (a unit test checks every `*-main.ts` is listed).
 */
export const HELPER_ENTRIES = [
  'harness/cli/main.ts', // knetsim itself (bin/knetsim.js)
  'harness/components/kube-proxy/agent-main.ts',
  'harness/components/kube-proxy/echo-main.ts',
  'harness/components/kube-proxy/probe-main.ts',
  'harness/components/skupper/bulk-main.ts',
  'harness/router/main.ts',
  'harness/router/lane-main.ts', // a lane of our router (its data-plane processes, started by the router)
  'harness/matrix/snapshot-main.ts',
  'harness/grading/sandbox/launcher-main.ts', // the grading sandbox's launcher (unshare → pivot_root → student code)
];

/** The repository root (this file is harness/sys/bundles.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where bundles and their manifests are written: inside the checkout's node_modules, so
 * that the packages left out of them (etcd3) resolve from there.
 */
export function bundleDir() {
  return join(REPO_ROOT, 'node_modules', '.cache', 'knetsim', 'bundles');
}

/** harness/router/main.ts → harness.router.main (the bundle's file name without extension). */
export function bundleName(entry) {
  return entry.replace(/\.[cm]?[jt]s$/, '').split('/').join('.');
}

/** The entry (repository-relative, with /) of a source path, absolute or relative. */
export function entryOf(source) {
  const rel = source.startsWith('/') ? relative(REPO_ROOT, source) : source;
  return rel.split(sep).join('/');
}

/**
 * Whether a program has a fresh bundle: `{ path }` to run, or `{ reason }` why not.
 * @param {string} source absolute path, or a path from the repository root
 * @returns {{ path: string } | { reason: string }}
 */
export function freshBundle(source, dir = bundleDir()) {
  const entry = entryOf(source);
  if (!HELPER_ENTRIES.includes(entry)) return { reason: `${entry} is not in HELPER_ENTRIES (harness/sys/bundles.js)` };
  const name = bundleName(entry);
  const path = join(dir, `${name}.mjs`);
  /** @type {{ entry: string, inputs: Record<string, { size: number, mtimeMs: number, sha256: string }> }} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    statSync(path);
  } catch {
    return { reason: `${entry} has no bundle yet` };
  }
  if (manifest.entry !== entry) return { reason: `the manifest of ${name} names ${manifest.entry}` };
  for (const [file, want] of Object.entries(manifest.inputs)) {
    const changed = inputChanged(join(REPO_ROOT, file), want);
    if (changed) return { reason: `${file} ${changed} since ${entry} was bundled` };
  }
  return { path };
}

/**
 * How an input differs from what the manifest recorded, or undefined when it does not.
 * @param {string} file
 * @param {{ size: number, mtimeMs: number, sha256: string }} want
 */
function inputChanged(file, want) {
  let st;
  try {
    st = statSync(file);
  } catch {
    return 'was removed';
  }
  if (st.size !== want.size) return 'changed';
  if (st.mtimeMs === want.mtimeMs) return undefined;
  return sha256(readFileSync(file)) === want.sha256 ? undefined : 'changed';
}

/** @param {Buffer} data */
export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

let warned = false;

/**
 * The bundle to run for `source`, or undefined (run its TypeScript) after one warning per
 * process saying why: stale or missing (and how to rebuild), or not listed in HELPER_ENTRIES.
 * @param {string} source
 */
export function bundleOrWarn(source) {
  // KNETSIM_BUNDLES=0: every program from its TypeScript, silently (benchmarks compare both).
  if (process.env.KNETSIM_BUNDLES === '0') return undefined;
  const r = freshBundle(source);
  if ('path' in r) return r.path;
  // An unlisted program is warned about too: it should be one line in HELPER_ENTRIES.
  if (!warned) {
    warned = true;
    const fix = HELPER_ENTRIES.includes(entryOf(source)) ? 'npm run build:helpers rebuilds the bundles' : 'add it there to bundle it';
    process.stderr.write(`knetsim: ${r.reason}: running it through tsx (slower start); ${fix}\n`);
  }
  return undefined;
}
