import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { failedTryDir } from '../../testing/failed-tries.ts';
import type { FlakyTest } from '../../testing/flaky-reporter.ts';

interface AllureResult {
  fullName?: string;
  statusDetails?: Record<string, unknown>;
  attachments?: { name: string; source: string; type: string }[];
}

/**
 * Marks in DIR/allure-results the tests that passed only on a retry as flaky, and attaches
 * the evidence each failed try left (its errors and daemon logs). Returns how many it marked.
 */
export function markFlaky(reportDir: string): number {
  const list = join(reportDir, 'flaky.json');
  const results = join(reportDir, 'allure-results');
  if (!existsSync(list) || !existsSync(results)) return 0;
  const flaky = JSON.parse(readFileSync(list, 'utf8')) as FlakyTest[];
  let marked = 0;
  for (const f of readdirSync(results).filter((n) => n.endsWith('-result.json'))) {
    const path = join(results, f);
    const r = JSON.parse(readFileSync(path, 'utf8')) as AllureResult;
    const hit = flaky.find((t) => r.fullName?.endsWith(`${t.file}#${t.name.replaceAll(' > ', ' ')}`) || r.fullName?.endsWith(`${t.file}#${t.name}`));
    if (!hit) continue;
    r.statusDetails = { ...r.statusDetails, flaky: true };
    r.attachments ??= [];
    for (let attempt = 0; attempt < hit.retryCount; attempt++) {
      const dir = failedTryDir(reportDir, hit.file, hit.name, attempt);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).sort()) {
        const source = `${randomUUID()}-attachment.txt`;
        copyFileSync(join(dir, file), join(results, source));
        r.attachments.push({ name: `failed try ${attempt + 1}: ${file.replace(/\.txt$/, '')}`, source, type: 'text/plain' });
      }
    }
    writeFileSync(path, JSON.stringify(r));
    marked++;
  }
  return marked;
}
