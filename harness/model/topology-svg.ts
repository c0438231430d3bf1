import type { RunState } from './run-state.ts';
import type { PhaseTiming } from './simulation.ts';

/**
 * Pictures for the report: the topology (switches, workers, etcd members, pods, with their
 * addresses) and the start-up timeline. Plain SVG strings, drawn from a run's state.
 */
const W = 190; // worker box width
const GAP = 16;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const text = (x: number, y: number, s: string, extra = '') =>
  `<text x="${x}" y="${y}" font-family="monospace" font-size="11" ${extra}>${esc(s)}</text>`;

export function topologySvg(state: RunState): string {
  const parts: string[] = [];
  let x = GAP;
  const podRows = Math.max(1, ...state.clusters.flatMap((c) => c.workers.map((w) => c.pods.filter((p) => p.worker === w.fullName).length)));
  const workerH = 44 + podRows * 28;
  const clusterTop = 70;
  const clusterCentres: number[] = [];
  for (const c of state.clusters) {
    const width = Math.max(1, c.workers.length) * (W + GAP) + GAP;
    const bridgeY = clusterTop + 40;
    const workersY = bridgeY + 50;
    parts.push(`<rect x="${x}" y="${clusterTop}" width="${width}" height="${workersY - clusterTop + workerH + 50}" rx="8" fill="#f4f7fb" stroke="#8aa1c1"/>`);
    parts.push(text(x + 10, clusterTop + 18, `cluster ${c.name}   etcd: ${c.etcd.join(', ')}`, 'font-weight="bold"'));
    parts.push(`<rect x="${x + GAP}" y="${bridgeY}" width="${width - 2 * GAP}" height="16" rx="3" fill="#c9d7ea"/>`);
    parts.push(text(x + GAP + 6, bridgeY + 12, `br-${c.name}`));
    clusterCentres.push(x + width / 2);
    c.workers.forEach((w, i) => {
      const wx = x + GAP + i * (W + GAP);
      parts.push(`<line x1="${wx + W / 2}" y1="${bridgeY + 16}" x2="${wx + W / 2}" y2="${workersY}" stroke="#555"/>`);
      parts.push(`<rect x="${wx}" y="${workersY}" width="${W}" height="${workerH}" rx="6" fill="#fff" stroke="#333"/>`);
      parts.push(text(wx + 8, workersY + 16, `${w.fullName}  ${w.ip}`, 'font-weight="bold"'));
      parts.push(text(wx + 8, workersY + 32, `flannel ${w.subnet}`));
      c.pods
        .filter((p) => p.worker === w.fullName)
        .forEach((p, j) => {
          const py = workersY + 42 + j * 28;
          parts.push(`<rect x="${wx + 10}" y="${py}" width="${W - 20}" height="22" rx="4" fill="#e6f4e6" stroke="#5a9a5a"/>`);
          parts.push(text(wx + 16, py + 15, `${p.name}  ${p.ip}`));
        });
    });
    x += width + GAP;
  }
  const width = x;
  const top = [`<rect x="${GAP}" y="20" width="${width - 2 * GAP}" height="18" rx="3" fill="#b7c9e2"/>`, text(GAP + 6, 33, 'br-top (underlay)')];
  for (const cx of clusterCentres) top.push(`<line x1="${cx}" y1="38" x2="${cx}" y2="${clusterTop}" stroke="#555"/>`);
  const height = clusterTop + 40 + 50 + workerH + 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${[...top, ...parts].join('')}</svg>`;
}

export function timelineSvg(timings: readonly PhaseTiming[]): string {
  const total = Math.max(1, timings.reduce((n, t) => n + t.ms, 0));
  const scale = 600 / total;
  let at = 0;
  const rows = timings.map((t, i) => {
    const y = 10 + i * 26;
    const bar = `<rect x="${110 + at * scale}" y="${y}" width="${Math.max(2, t.ms * scale)}" height="18" fill="#6f9bd1"/>`;
    const label = text(8, y + 13, t.phase) + text(116 + (at + t.ms) * scale, y + 13, `${t.ms} ms`);
    at += t.ms;
    return bar + label;
  });
  const height = 20 + timings.length * 26 + 20;
  rows.push(text(8, height - 8, `total ${total} ms`, 'font-weight="bold"'));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="${height}" viewBox="0 0 780 ${height}">${rows.join('')}</svg>`;
}
