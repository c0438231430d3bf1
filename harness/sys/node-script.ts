import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The tsx loader (the package's "." export), resolved from here so scripts run whatever the cwd. */
export function tsxLoader(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'loader.mjs')).href;
}

/** The argv that runs a TypeScript entry point with node and the tsx loader (one process). */
export function nodeTsArgv(script: string, args: readonly string[]): string[] {
  return [process.execPath, '--import', tsxLoader(), script, ...args];
}
