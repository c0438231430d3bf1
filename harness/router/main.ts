/**
 * The router executable, a thin wrapper over startRouter:
 *   tsx harness/router/main.ts -c|--config FILE.json [--log FILE] [--log-enable LEVEL] [--check]
 * Exit codes: 0 stopped by SIGTERM/SIGINT (or --check passed), 2 bad usage, 1 invalid config or start failure.
 * The data plane runs in router.workerThreads lane processes (children that exit with this
 * one); without that attribute, one lane per CPU, at most DEFAULT_MAX_LANES.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadRouterConfig } from './config.ts';
import { startRouter, type RouterHandle } from './router.ts';

export const USAGE = 'usage: main.ts -c|--config FILE.json [--log FILE] [--log-enable LEVEL] [--check]';
const STOP_DEADLINE_MS = 1800;
/** skrouterd's own default number of worker threads. */
export const DEFAULT_MAX_LANES = 4;

async function main(argv: string[]): Promise<number> {
  let values: { config?: string; log?: string; 'log-enable'?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        log: { type: 'string' },
        'log-enable': { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`missing --config\n${USAGE}\n`);
    return 2;
  }
  let handle: RouterHandle;
  try {
    const config = await loadRouterConfig(values.config);
    if (values.check) {
      process.stdout.write(`config ok: router ${config.router.id}\n`);
      return 0;
    }
    handle = await startRouter(config, {
      defaultWorkerThreads: Math.min(availableParallelism(), DEFAULT_MAX_LANES),
      laneProcesses: true,
      ...(values.log ? { logFile: values.log } : {}),
      ...(values['log-enable'] ? { logEnable: values['log-enable'] } : {}),
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const st = handle.state();
  const ports = [...st.listeners, ...st.tcpListeners].map((l) => `${l.name}=${l.port}`).join(' ');
  process.stdout.write(`router ${handle.id} started ${ports}\n`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // Leave within 2 s whatever happens: an unref'd timer that only fires if close() hangs.
  setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
  await handle.close();
  process.stdout.write(`router ${handle.id} stopped (${signal})\n`);
  return 0;
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
if (code === 0) {
  // rhea may keep timers alive briefly after close; do not wait for them.
  setTimeout(() => process.exit(0), 100).unref();
}
