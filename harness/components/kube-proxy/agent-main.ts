/**
 * The kube-proxy agent: one per worker, run in the worker's namespace by KubeProxyAgent.
 * It watches /knetsim/ in the cluster's etcd, keeps services and endpoints in memory,
 * renders `table ip knetsim` (and `table ip6 knetsim` on dual-stack clusters) and applies
 * both with one `nft -f -` transaction, clears stale UDP conntrack entries as kube-proxy
 * does (conntrack.ts), then writes the etcd revision it applied to
 * /knetsim-status/kube-proxy/<worker>.
 *
 *   node --import tsx agent-main.ts --worker C0w1 --etcd http://10.0.0.200:2379 [--families ip,ip6]
 */
import { parseArgs } from 'node:util';
import { Etcd3, type IKeyValue } from 'etcd3';
import { z } from 'zod';
import { run } from '../../sys/exec.ts';
import { hasUdp, parseConntrack, staleUdpDeletes } from './conntrack.ts';
import { planRuleset, renderDelta, renderFull, TABLE_FAMILIES, type RulesetPlan, type ServiceState, type TableFamily } from './render.ts';
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
  families: z
    .string()
    .default('ip')
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(TABLE_FAMILIES as [TableFamily, ...TableFamily[]])).min(1)),
});

const { values } = parseArgs({
  options: { worker: { type: 'string' }, etcd: { type: 'string' }, families: { type: 'string' } },
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
/** What the kernel holds (the last plans applied); undefined: replace the whole tables next time. */
let appliedPlans: Map<TableFamily, RulesetPlan> | undefined;

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
  const plans = new Map(args.families.map((f) => [f, planRuleset(all, f)] as const));
  const full = appliedPlans === undefined;
  const script = [...plans.values()].map((plan) => (full ? renderFull(plan) : renderDelta(appliedPlans!.get(plan.family)!, plan))).join('');
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
    appliedPlans = plans;
    appliedRevision = revision;
    log('applied', { revision, services: all.length, full, lines: script.split('\n').length - 1, ms: Math.round(performance.now() - t0) });
    if (hasUdp(all)) await clearStaleUdp(all);
  } catch (e) {
    appliedPlans = undefined; // the next apply replaces the whole tables
    status.error = (e as Error).message.slice(0, 2000);
    status.revision = appliedRevision;
    log('apply-failed', { revision, error: status.error });
  }
  await client.put(statusKey(args.worker)).value(JSON.stringify(status));
}

/** After a sync, as kube-proxy: deletes UDP flows still DNATed to endpoints that are gone. */
async function clearStaleUdp(all: ServiceState[]): Promise<void> {
  for (const family of args.families) {
    const listed = await run(['conntrack', '-L', '-p', 'udp', '-f', family === 'ip' ? 'ipv4' : 'ipv6'], { reject: false });
    const deletes = staleUdpDeletes(parseConntrack(listed.stdout), all, family);
    for (const argv of deletes) {
      // Exit 1 when nothing matched (the flow may have expired meanwhile): not an error.
      const r = await run(['conntrack', '-D', ...argv], { reject: false });
      log('conntrack-cleared', { filter: argv.join(' '), output: (r.stderr || r.stdout).trim().split('\n').pop() });
    }
  }
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
