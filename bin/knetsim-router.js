#!/usr/bin/env node
// knetsim's own skupper-compatible router as a program (same as `knetsim router`).
import { register } from 'tsx/esm/api';

register();
const { runRouter } = await import('../harness/router/cli.ts');
process.exitCode = await runRouter(process.argv.slice(2), 'knetsim-router');
