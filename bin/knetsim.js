#!/usr/bin/env node
// The knetsim command: the prebuilt bundle of harness/cli/main.ts when it is fresh
// (npm run build:helpers; see harness/sys/bundles.js), else the TypeScript through tsx's loader.
import { pathToFileURL } from 'node:url';
import { bundleOrWarn } from '../harness/sys/bundles.js';

// A reader that went away (knetsim ls | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const bundle = bundleOrWarn('harness/cli/main.ts');
let main;
if (bundle) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
