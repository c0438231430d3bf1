#!/usr/bin/env node
// The knetsim command. The harness is TypeScript run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
// A reader that went away (knetsim ls | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
