/** min / median / max of samples, as printed by the start-up benchmark. */
export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, min: s[0] ?? NaN, median: s[Math.floor(s.length / 2)] ?? NaN, max: s.at(-1) ?? NaN };
}

const cell = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '-').padStart(8);

/** A table: one row per label, min / median / max in ms, with an optional extra column. */
export function printTable(title: string, rows: readonly { label: string; samples: readonly number[]; note?: string }[]): void {
  const width = Math.max(12, ...rows.map((r) => r.label.length + 2));
  console.log(`\n${title}`);
  console.log('ms'.padEnd(width) + 'min'.padStart(8) + 'median'.padStart(8) + 'max'.padStart(8));
  for (const r of rows) {
    const s = summarize(r.samples);
    console.log(r.label.padEnd(width) + cell(s.min) + cell(s.median) + cell(s.max) + (r.note ? `   ${r.note}` : ''));
  }
}
