import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The per-run ledger: every resource is written here *before* it is created, so a run
 * that died by SIGKILL can be undone by `knetsim clean` from this file alone.
 * One JSON object per line, appended synchronously.
 */
export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('netns'), name: z.string() }),
  z.object({ kind: z.literal('process'), name: z.string(), pid: z.number().int(), startTime: z.string() }),
  z.object({ kind: z.literal('path'), path: z.string() }),
  // A fault injected into the run (link down, loss, a killed daemon...). Everything it
  // changed lives in the run's namespaces, so deleting them undoes it; this is the record.
  z.object({ kind: z.literal('fault'), description: z.string(), undone: z.boolean().optional() }),
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const RunMetaSchema = z.object({
  runId: z.string(),
  createdAt: z.string(),
  ownerPid: z.number().int(),
  ownerStartTime: z.string(),
  detached: z.boolean(),
  topology: z.string(),
  title: z.string().optional(),
});
export type RunMeta = z.infer<typeof RunMetaSchema>;

export class Ledger {
  private constructor(readonly runDir: string) {}

  static create(runDir: string, meta: RunMeta): Ledger {
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'meta.json'), JSON.stringify(meta, null, 2));
    writeFileSync(join(runDir, 'ledger.jsonl'), '', { flag: 'a' });
    return new Ledger(runDir);
  }

  static open(runDir: string): Ledger {
    return new Ledger(runDir);
  }

  get file(): string {
    return join(this.runDir, 'ledger.jsonl');
  }

  record(entry: LedgerEntry): void {
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }

  /** Entries in the order written. A torn last line (killed mid-write) is ignored. */
  entries(): LedgerEntry[] {
    if (!existsSync(this.file)) return [];
    const out: LedgerEntry[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = LedgerEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success) out.push(parsed.data);
      } catch {
        /* torn line */
      }
    }
    return out;
  }

  meta(): RunMeta | undefined {
    return readMeta(this.runDir);
  }

  updateMeta(patch: Partial<RunMeta>): void {
    const m = this.meta();
    if (m) writeFileSync(join(this.runDir, 'meta.json'), JSON.stringify({ ...m, ...patch }, null, 2));
  }
}

export function readMeta(runDir: string): RunMeta | undefined {
  try {
    return RunMetaSchema.parse(JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8')));
  } catch {
    return undefined;
  }
}
