/**
 * The router as a program: `knetsim router`, the `knetsim-router` bin and
 * harness/router/main.ts all run this. Exit codes: 0 stopped by SIGTERM/SIGINT (or --check
 * passed), 2 bad usage, 1 invalid config or start failure.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadRouterConfig } from './config.ts';
import { startRouter, type RouterHandle } from './router.ts';

export function usage(prog: string): string {
  return `${prog} -c|--config FILE.json [--log FILE] [--log-enable LEVEL] [--check]

Runs knetsim's own skupper-compatible router (AMQP 1.0) with a config in skrouterd's JSON
format: router, listener, connector, sslProfile, tcpListener, tcpConnector, address, log.
Every attribute of skrouterd's schema for those entities is accepted; those this router
does not implement are named in one warning line; unknown ones are rejected, naming the field.
It answers AMQP management (skmanage, skstat, knetsim's client) on its normal listeners.
TCP flows run in router.workerThreads lanes (default: one per CPU, at most ${DEFAULT_MAX_LANES}):
one lane runs in the router's own process, several each in a child process that exits
with the router.

  -c, --config FILE     the config (JSON: a list of [entityType, {attributes}])
  --log FILE            log file (default: the log entity's outputFile, else stderr)
  --log-enable LEVEL    log level: trace+, debug+, info+ (default), warning+, none
  --check               validate the config, print what it accepts without implementing, exit
  -h, --help            this text`;
}

const STOP_DEADLINE_MS = 1800;
/** Lanes at most when the config sets no router.workerThreads: skrouterd's own default number of worker threads. */
export const DEFAULT_MAX_LANES = 4;

/**
 * Runs the router as a program until SIGTERM/SIGINT; `prog` names it in the usage text.
 * Resolves with the exit code.
 */
export async function runRouter(argv: string[], prog = 'knetsim-router'): Promise<number> {
  const USAGE = usage(prog);
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
    process.stderr.write(`${(e as Error).message}\nusage: ${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`missing --config\nusage: ${USAGE}\n`);
    return 2;
  }
  let handle: RouterHandle;
  try {
    const config = await loadRouterConfig(values.config);
    if (values.check) {
      const ignored = config.notImplemented.length ? ` (accepted, not implemented: ${config.notImplemented.join(', ')})` : '';
      process.stdout.write(`config ok: router ${config.router.id}${ignored}\n`);
      return 0;
    }
    const lanes = config.router.workerThreads ?? Math.min(availableParallelism(), DEFAULT_MAX_LANES);
    handle = await startRouter(config, {
      defaultWorkerThreads: lanes,
      // One lane in this process: no child to start (the deck's routers, site-config.ts, run so).
      laneProcesses: lanes > 1,
      ...(values.log ? { logFile: values.log } : {}),
      ...(values['log-enable'] ? { logEnable: values['log-enable'] } : {}),
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const st = handle.state();
  // tcpListeners listen once their address is reachable: printed here only if already up.
  const ports = [...st.listeners, ...st.tcpListeners].flatMap((l) => (l.port === undefined ? [] : [`${l.name}=${l.port}`])).join(' ');
  process.stdout.write(`router ${handle.id} started ${ports}\n`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // Leave within 2 s whatever happens: an unref'd timer that only fires if close() hangs.
  setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
  await handle.close();
  process.stdout.write(`router ${handle.id} stopped (${signal})\n`);
  // rhea may keep timers alive briefly after close; do not wait for them.
  setTimeout(() => process.exit(0), 100).unref();
  return 0;
}

