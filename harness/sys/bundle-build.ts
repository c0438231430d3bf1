import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import type { Loader, Plugin } from 'esbuild';
import {
  HELPER_ENTRIES,
  REPO_ROOT,
  bundleDir,
  bundleName,
  freshBundle,
  sha256,
  type BundleInput,
  type BundleManifest,
} from './bundles.js';
import { HarnessError } from './errors.ts';

/**
 * npm packages left out of the bundles (imported from node_modules at run time): esbuild
 * runs its own binary, found beside its code.
 */
export const EXTERNAL_PACKAGES = ['esbuild'] as const;

/** The builder's own files: every manifest lists them, so changing the builder rebuilds all. */
const BUILDER_FILES = ['harness/sys/bundle-build.ts', 'harness/sys/bundles.js'];

/** Spelt in pieces: this file is bundled too (into knetsim), and its plugin rewrites that expression. */
const META_URL = ['import', 'meta', 'url'].join('.');

/**
 * Inlined CommonJS packages still call require() for node's built-ins, and some find
 * files beside their code through __dirname (etcd3 its .proto files): the banner gives
 * them a require, and __knetsimPath, which the plugin puts in place of __dirname and
 * __filename (see recordInputs).
 */
const BANNER = [
  "import { createRequire as __knetsimCreateRequire } from 'node:module';",
  "import { fileURLToPath as __knetsimFileURLToPath } from 'node:url';",
  `const require = __knetsimCreateRequire(${META_URL});`,
  `const __knetsimPath = (rel) => __knetsimFileURLToPath(new URL(rel, ${META_URL}));`,
].join('\n');

const LOADERS: Record<string, Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

export interface BuildReport {
  entry: string;
  /** 'built' now, or 'fresh' (left as it was). */
  status: 'built' | 'fresh';
  /** Why it was built (the staleness reason), when it was. */
  reason?: string;
  bytes: number;
  inputs: number;
}

export interface BuildOptions {
  /** Rebuild even the fresh ones. */
  force?: boolean;
  /** Default: bundleDir(). Must be inside the checkout: the bundles import etcd3 from its node_modules. */
  dir?: string;
  /** Default: HELPER_ENTRIES. */
  entries?: readonly string[];
}

/**
 * Bundles every stale (or, with `force`, every) entry with esbuild: TypeScript and the npm
 * packages it uses in one ES module per program, with a manifest of its inputs beside it.
 * Each file is written under a temporary name and renamed, so a concurrent reader sees
 * the old bundle or the new one, never half of one; the manifest is renamed last.
 */
export async function buildBundles(opts: BuildOptions = {}): Promise<BuildReport[]> {
  const dir = opts.dir ?? bundleDir();
  const entries = opts.entries ?? HELPER_ENTRIES;
  const reports = new Map<string, BuildReport>();
  const todo: { entry: string; reason: string }[] = [];
  for (const entry of entries) {
    const fresh = opts.force ? { reason: 'forced' } : freshBundle(entry, dir);
    if ('path' in fresh) {
      const manifest = JSON.parse(readFileSync(join(dir, `${bundleName(entry)}.json`), 'utf8')) as BundleManifest;
      reports.set(entry, { entry, status: 'fresh', bytes: statSync(fresh.path).size, inputs: Object.keys(manifest.inputs).length });
    } else {
      todo.push({ entry, reason: fresh.reason });
    }
  }
  if (todo.length) {
    for (const r of await bundle(todo, dir)) reports.set(r.entry, r);
  }
  return entries.map((e) => reports.get(e)!);
}

async function bundle(todo: readonly { entry: string; reason: string }[], dir: string): Promise<BuildReport[]> {
  const { build } = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  const read = new Map<string, BundleInput>();
  const builder = Object.fromEntries(BUILDER_FILES.map((f) => [f, inputNow(f)]));
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: Object.fromEntries(todo.map((t) => [bundleName(t.entry), t.entry])),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...EXTERNAL_PACKAGES],
    banner: { js: BANNER },
    plugins: [recordInputs(dir, read)],
    metafile: true,
    write: false,
    logLevel: 'silent',
  }).catch((e: Error) => {
    throw new HarnessError(`could not bundle ${todo.map((t) => t.entry).join(', ')}: ${e.message}`, { cause: e });
  });

  const reports: BuildReport[] = [];
  for (const t of todo) {
    const name = bundleName(t.entry);
    const meta = Object.values(result.metafile.outputs).find((o) => o.entryPoint === t.entry);
    const file = result.outputFiles.find((f) => basename(f.path) === `${name}.mjs`);
    if (!meta || !file) throw new HarnessError(`esbuild wrote no ${name}.mjs for ${t.entry}`);
    const inputs: Record<string, BundleInput> = { ...builder };
    for (const input of Object.keys(meta.inputs).sort()) inputs[input] = read.get(input) ?? inputNow(input);
    const manifest: BundleManifest = { entry: t.entry, builtAt: new Date().toISOString(), inputs };
    replaceFile(file.path, file.contents);
    replaceFile(join(dir, `${name}.json`), Buffer.from(JSON.stringify(manifest, null, 1) + '\n'));
    reports.push({ entry: t.entry, status: 'built', reason: t.reason, bytes: file.contents.byteLength, inputs: Object.keys(inputs).length });
  }
  return reports;
}

/**
 * Loads every file for esbuild and records exactly what it read: the mtime taken before
 * the read, the size and sha256 of the bytes read. A file edited during the build thus
 * never looks fresh afterwards. Each module keeps its own location (ownLocation).
 */
function recordInputs(outDir: string, read: Map<string, BundleInput>): Plugin {
  return {
    name: 'knetsim-record-inputs',
    setup(b) {
      b.onLoad({ filter: /\.([cm]?[jt]s|json)$/, namespace: 'file' }, (args) => {
        const loader = LOADERS[extname(args.path)];
        if (!loader) return undefined;
        const mtimeMs = statSync(args.path).mtimeMs;
        const bytes = readFileSync(args.path);
        const rel = relative(REPO_ROOT, args.path).split(sep).join('/');
        read.set(rel, { size: bytes.byteLength, mtimeMs, sha256: sha256(bytes) });
        const text = loader === 'json' ? bytes.toString('utf8') : ownLocation(bytes.toString('utf8'), args.path, outDir);
        return { contents: text, loader, resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * A module that finds files beside itself (`new URL('../conf/x.json', import.meta.url)`,
 * `${__dirname}/../proto`) must still find them once bundled: its import.meta.url,
 * __dirname and __filename become its source's location, computed relative to the
 * bundle at run time, so the checkout may move. (A module that declares its own
 * __dirname, as ES modules do, keeps it.)
 */
function ownLocation(text: string, path: string, outDir: string): string {
  const fromBundle = (p: string) => JSON.stringify(relative(outDir, p).split(sep).join('/'));
  let out = text.replaceAll(META_URL, `new URL(${fromBundle(path)}, ${META_URL}).href`);
  if (!/\b(const|let|var)\s+__(dirname|filename)\b/.test(out)) {
    out = out.replace(/\b__dirname\b/g, `__knetsimPath(${fromBundle(dirname(path))})`).replace(/\b__filename\b/g, `__knetsimPath(${fromBundle(path)})`);
  }
  return out;
}

function inputNow(rel: string): BundleInput {
  const path = join(REPO_ROOT, rel);
  const mtimeMs = statSync(path).mtimeMs;
  const bytes = readFileSync(path);
  return { size: bytes.byteLength, mtimeMs, sha256: sha256(bytes) };
}

function replaceFile(path: string, contents: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}
