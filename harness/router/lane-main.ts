/**
 * A lane process (lanes 1..N-1 of a router with router.workerThreads = N), forked by the
 * router's primary with an IPC channel. It exits when the channel closes, so it never
 * outlives the primary, even one killed by SIGKILL.
 */
import { Lane } from './lane.ts';
import type { FromLane, ToLane } from './lane-protocol.ts';
import { parseEnable, RouterLog, sinkOf } from './log.ts';

const STATS_EVERY_MS = 250;

if (!process.send) {
  process.stderr.write('lane-main.ts is started by the router (it needs an IPC channel)\n');
  process.exitCode = 2;
} else {
  const report = (m: FromLane) => {
    if (process.connected) process.send!(m);
  };
  let lane: Lane | undefined;
  let log: RouterLog | undefined;
  let lastStats = '';
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C at a terminal signals the whole process group: the primary stops us.
  process.on('SIGINT', () => undefined);
  process.on('message', (m: ToLane, handle: unknown) => {
    if (m.t === 'init') {
      const level = parseEnable(m.init.logEnable);
      log = new RouterLog(sinkOf(level, m.init.logFile), level, { router: m.init.routerId, lane: m.init.index });
      lane = new Lane(m.init, log, report);
      lane.start().catch((e: Error) => {
        process.stderr.write(`lane ${m.init.index}: ${e.message}\n`);
        process.exit(1);
      });
      setInterval(() => {
        const stats = lane!.stats();
        const json = JSON.stringify(stats);
        if (json === lastStats) return;
        lastStats = json;
        report({ t: 'stats', stats });
      }, STATS_EVERY_MS).unref();
      return;
    }
    if (m.t === 'log') {
      const level = parseEnable(m.enable);
      log?.reconfigure(level, sinkOf(level, m.logFile));
      report({ t: 'applied', seq: m.seq });
      return;
    }
    if (m.t === 'stop') {
      void (lane?.stop() ?? Promise.resolve()).finally(() => setTimeout(() => process.exit(0), 20));
      return;
    }
    lane?.handle(m, handle);
  });
  report({ t: 'boot' });
}
