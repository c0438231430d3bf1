/**
 * The router executable: `tsx harness/router/main.ts -c FILE.json ...` (see cli.ts; the same
 * program as `knetsim router` and the `knetsim-router` bin).
 */
import { runRouter } from './cli.ts';

process.exitCode = await runRouter(process.argv.slice(2), 'main.ts');
