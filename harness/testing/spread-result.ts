import type { SpreadResult } from '../model/service.ts';

/** Shared by the service matchers: recognise a spread() result and print it briefly. */
export function isSpreadResult(v: unknown): v is SpreadResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as SpreadResult;
  return typeof r.counts === 'object' && r.counts !== null && typeof r.failures === 'number' && typeof r.total === 'number';
}

export function formatSpread(r: SpreadResult): string {
  const counts = Object.entries(r.counts)
    .map(([pod, c]) => `${pod}: ${c}`)
    .join(', ');
  const errors = Object.entries(r.errors ?? {})
    .map(([e, c]) => `${e} ×${c}`)
    .join(', ');
  return `{ ${counts} } failures ${r.failures}/${r.total}${errors ? ` (${errors})` : ''}`;
}
