import type { DataplaneSnapshot } from './snapshot.ts';

export interface SectionDiff {
  node: string;
  section: string;
  /** Lines only in the base variant. */
  removed: string[];
  /** Lines only in this variant. */
  added: string[];
}

/** Multiset difference of two sorted line lists. */
export function diffLines(base: readonly string[], other: readonly string[]): { removed: string[]; added: string[] } {
  const count = new Map<string, number>();
  for (const l of base) count.set(l, (count.get(l) ?? 0) + 1);
  const added: string[] = [];
  for (const l of other) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else added.push(l);
  }
  const removed = [...count].flatMap(([l, n]) => Array<string>(n).fill(l));
  return { removed: removed.sort(), added };
}

/** Every node and section that differs between two snapshots (a node missing on one side counts as empty). */
export function diffSnapshots(base: DataplaneSnapshot, other: DataplaneSnapshot): SectionDiff[] {
  const out: SectionDiff[] = [];
  const nodes = [...new Set([...Object.keys(base.nodes), ...Object.keys(other.nodes)])].sort();
  for (const node of nodes) {
    const a = base.nodes[node] ?? {};
    const b = other.nodes[node] ?? {};
    for (const section of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = diffLines(a[section] ?? [], b[section] ?? []);
      if (d.removed.length || d.added.length) out.push({ node, section, ...d });
    }
  }
  return out;
}
