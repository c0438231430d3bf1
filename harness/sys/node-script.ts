import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleOrWarn } from './bundles.js';

/** The tsx loader (the package's "." export), resolved from here so scripts run whatever the cwd. */
export function tsxLoader(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'loader.mjs')).href;
}

/**
 * The argv that runs a TypeScript entry point with node: its prebuilt bundle when that is
 * fresh (`node bundle.mjs`, tens of ms to start), else node with the tsx loader (hundreds
 * of ms), after a one-line warning. The entry must be listed in HELPER_ENTRIES
 * (harness/sys/bundles.js) to be bundled.
 */
export function nodeTsArgv(script: string, args: readonly string[]): string[] {
  const bundle = bundleOrWarn(script);
  return bundle ? [process.execPath, bundle, ...args] : [process.execPath, '--import', tsxLoader(), script, ...args];
}
