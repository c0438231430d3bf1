/**
 * The kube-proxy agent: one per worker, run in the worker's namespace by KubeProxyAgent.
 * It watches /knetsim/ in the cluster's etcd, keeps services and endpoints in memory,
 * renders the whole `table ip knetsim` and applies it with one `nft -f -` transaction,
 * then writes the etcd revision it applied to /knetsim-status/kube-proxy/<worker>.
 *
 *   node --import tsx agent-main.ts --worker C0w1 --etcd http://10.0.0.200:2379 --pod-subnet 11.0.16.1/20
 */
import { parseArgs } from 'node:util';
import { Etcd3, type IKeyValue } from 'etcd3';
import { z } from 'zod';
import { run } from '../../sys/exec.ts';
import { planRuleset, renderDelta, renderFull, type RulesetPlan, type ServiceState } from './render.ts';
import {
  ENDPOINTS_PREFIX,
  KEY_PREFIX,
  SERVICES_PREFIX,
  StoredEndpointsSchema,
  StoredServiceSchema,
  statusKey,
  type AgentStatus,
  type StoredEndpoint,
  type StoredService,
} from './store.ts';

const ArgsSchema = z.object({
  worker: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,24}$/),
  etcd: z.string().transform((s) => s.split(',')).pipe(z.array(z.string().url()).min(1)),
  'pod-subnet': z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/),
});

const { values } = parseArgs({
  options: { worker: { type: 'string' }, etcd: { type: 'string' }, 'pod-subnet': { type: 'string' } },
});
const args = ArgsSchema.parse(values);

const log = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event, ...fields }) + '\n');

const services = new Map<string, StoredService>();
const endpoints = new Map<string, StoredEndpoint[]>();
let seenRevision = 0;
let appliedRevision = -1;
let applying: Promise<void> | undefined;
let dirty = false;
/** What the kernel holds (the last plan applied); undefined: replace the whole table next time. */
let appliedPlan: RulesetPlan | undefined;

const client = new Etcd3({ hosts: args.etcd });

function learn(kv: IKeyValue, deleted: boolean): void {
  const key = kv.key.toString();
  seenRevision = Math.max(seenRevision, Number(kv.mod_revision));
  const [prefix, parse, target] = key.startsWith(SERVICES_PREFIX)
    ? ([SERVICES_PREFIX, (v: unknown) => StoredServiceSchema.parse(v), services] as const)
    : key.startsWith(ENDPOINTS_PREFIX)
      ? ([ENDPOINTS_PREFIX, (v: unknown) => StoredEndpointsSchema.parse(v), endpoints] as const)
      : [undefined, undefined, undefined];
  if (!prefix) return;
  const name = key.slice(prefix.length);
  if (deleted) {
    target.delete(name);
    return;
  }
  try {
    (target as Map<string, unknown>).set(name, parse(JSON.parse(kv.value.toString())));
  } catch (e) {
    // Never program what does not parse; keep the rest of the table working.
    target.delete(name);
    log('invalid-key', { key, error: (e as Error).message });
  }
}

function states(): ServiceState[] {
  return [...services.values()].map((service) => ({ service, endpoints: endpoints.get(service.name) ?? [] }));
}

async function applyOnce(): Promise<void> {
  const revision = seenRevision;
  const all = states();
  const plan = planRuleset(all, { podSubnet: args['pod-subnet'] });
  const full = appliedPlan === undefined;
  const script = full ? renderFull(plan) : renderDelta(appliedPlan!, plan);
  const status: AgentStatus = {
    worker: args.worker,
    revision,
    appliedAt: new Date().toISOString(),
    services: all.length,
    rssBytes: process.memoryUsage().rss,
  };
  const t0 = performance.now();
  try {
    if (script) await run(['nft', '-f', '-'], { input: script, timeoutMs: 60_000 });
    appliedPlan = plan;
    appliedRevision = revision;
    log('applied', { revision, services: all.length, full, lines: script.split('\n').length - 1, ms: Math.round(performance.now() - t0) });
  } catch (e) {
    appliedPlan = undefined; // the next apply replaces the whole table
    status.error = (e as Error).message.slice(0, 2000);
    status.revision = appliedRevision;
    log('apply-failed', { revision, error: status.error });
  }
  await client.put(statusKey(args.worker)).value(JSON.stringify(status));
}

/** Applies now, or once more after the apply in flight: bursts coalesce into one transaction. */
function schedule(): void {
  dirty = true;
  if (applying) return;
  applying = (async () => {
    while (dirty) {
      dirty = false;
      await applyOnce().catch((e: Error) => log('status-write-failed', { error: e.message }));
    }
    applying = undefined;
  })();
}

async function main(): Promise<void> {
  const initial = await client.getAll().prefix(KEY_PREFIX).exec();
  for (const kv of initial.kvs) learn(kv, false);
  seenRevision = Math.max(seenRevision, Number(initial.header.revision));
  log('synced', { revision: seenRevision, services: services.size });
  schedule();
  const watcher = await client
    .watch()
    .prefix(KEY_PREFIX)
    .startRevision(String(Number(initial.header.revision) + 1))
    .create();
  watcher.on('data', (res) => {
    for (const ev of res.events) learn(ev.kv, ev.type === 'Delete');
    if (res.events.length) schedule();
  });
  watcher.on('disconnected', (e) => log('watch-disconnected', { error: e.message }));
  watcher.on('error', (e) => log('watch-error', { error: e.message }));
  const stop = async () => {
    log('stopping');
    await watcher.cancel().catch(() => undefined);
    client.close();
    process.exitCode = 0;
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e: Error) => {
  log('fatal', { error: e.message });
  client.close();
  process.exitCode = 1;
});
