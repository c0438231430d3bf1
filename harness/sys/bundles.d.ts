// Types of bundles.js (JavaScript so that bin/knetsim.js can read it before tsx is loaded).

/** The one list of programs that are bundled, as paths from the repository root. */
export declare const HELPER_ENTRIES: readonly string[];
/** The repository root, with a trailing slash. */
export declare const REPO_ROOT: string;
/** Where bundles and their manifests are written (node_modules/.cache/knetsim/bundles). */
export declare function bundleDir(): string;
/** harness/router/main.ts → harness.router.main */
export declare function bundleName(entry: string): string;
/** The repository-relative entry (with /) of a source path. */
export declare function entryOf(source: string): string;
/** One input of a bundle as the manifest records it. */
export interface BundleInput {
  size: number;
  mtimeMs: number;
  sha256: string;
}
/** What `<name>.json` beside each bundle holds. */
export interface BundleManifest {
  entry: string;
  builtAt: string;
  inputs: Record<string, BundleInput>;
}
/** `{ path }` of a fresh bundle for `source`, or `{ reason }` why there is none. */
export declare function freshBundle(source: string, dir?: string): { path: string } | { reason: string };
export declare function sha256(data: Buffer): string;
/** The fresh bundle for `source`, or undefined after one warning per process (run its TypeScript); undefined when KNETSIM_BUNDLES=0. */
export declare function bundleOrWarn(source: string): string | undefined;
