import { esc, page } from '../grading/output/html.ts';
import { diffSnapshots } from './diff.ts';
import type { ScenarioCell, VariantResult } from './run-matrix.ts';

const CSS = `<style>.passed{background:#e3f6e6}.failed,.error,.timeout{background:#fde2e2}.skipped{background:#eee;color:#666}
pre{background:#f7f7f7;padding:6px;margin:2px 0;overflow-x:auto}.add{color:#17692c}.del{color:#b00020}</style>`;

function cellHtml(c: ScenarioCell): string {
  const text =
    c.status === 'skipped'
      ? 'skipped'
      : c.status === 'passed'
        ? `passed ${c.passed}/${c.total}`
        : `${c.status} ${c.passed}/${c.total}<br>${c.failed
            .slice(0, 3)
            .map((f) => `<small>${esc(f.name)}: ${esc(f.message)}</small>`)
            .join('<br>')}`;
  return `<td class="${c.status}" data-scenario="${esc(c.scenario)}">${text}</td>`;
}

/** The matrix report: variants × scenarios, then per variant what it changed in the dataplane against the first variant. */
export function matrixPage(results: readonly VariantResult[], source: string): string {
  const scenarios = results[0]?.cells.map((c) => c.scenario) ?? [];
  const base = results.find((r) => r.snapshot);
  const parts = [
    CSS,
    `<h1>CNI-config regression matrix</h1>`,
    `<p>Variants: ${esc(source)}. Dataplane diffs are against <b>${esc(base?.variant.name ?? '(none)')}</b> (normalised: MACs, interface indexes, run ids, veth names and each worker's leased subnet are replaced by stable names).</p>`,
    `<table><tr><th>variant</th><th>backend</th>${scenarios.map((s) => `<th>${esc(s)}</th>`).join('')}<th>dataplane vs base</th></tr>`,
  ];
  for (const r of results) {
    const diffs = base?.snapshot && r.snapshot ? diffSnapshots(base.snapshot, r.snapshot) : undefined;
    const dp = r.skipped ? '' : r.snapshotError ? `no snapshot: ${esc(r.snapshotError)}` : r === base ? 'base' : diffs?.length ? `<a href="#v-${esc(r.variant.name)}">${diffs.length} section(s) differ</a>` : 'same';
    parts.push(
      `<tr data-variant="${esc(r.variant.name)}"><td><a href="#v-${esc(r.variant.name)}">${esc(r.variant.name)}</a>${r.skipped ? `<br><small>skipped: ${esc(r.skipped)}</small>` : ''}</td>` +
        `<td>${esc(r.variant.backend)}</td>${r.cells.map(cellHtml).join('')}<td>${dp}</td></tr>`,
    );
  }
  parts.push('</table>');
  for (const r of results) {
    const failed = r.cells.filter((c) => c.status !== 'passed' && c.status !== 'skipped');
    parts.push(`<h2 id="v-${esc(r.variant.name)}">${esc(r.variant.name)}${failed.length ? ' <span class="del">(breaks scenarios)</span>' : ''}</h2>`);
    if (r.variant.description) parts.push(`<p>${esc(r.variant.description)}</p>`);
    if (r.skipped) {
      parts.push(`<p class="skipped">Skipped: ${esc(r.skipped)}</p>`);
      continue;
    }
    parts.push(`<details><summary>flannel config and CNI delegate options</summary><pre>${esc(JSON.stringify({ flannel: r.variant.flannel, cni: r.variant.cni }, null, 2))}</pre></details>`);
    for (const c of failed) {
      parts.push(`<p class="del">${esc(c.scenario)}: ${c.status}</p><ul>${c.failed.map((f) => `<li>${esc(f.name)}: ${esc(f.message)}</li>`).join('')}</ul>`);
    }
    parts.push(`<p>Logs: ${r.logs.map((l) => `<a href="${esc(l)}">${esc(l.split('/').pop()!)}</a>`).join(', ')}</p>`);
    if (r === base || !r.snapshot || !base?.snapshot) continue;
    const diffs = diffSnapshots(base.snapshot, r.snapshot);
    if (diffs.length === 0) parts.push('<p>Dataplane: the same as the base.</p>');
    for (const d of diffs) {
      const lines = [...d.removed.map((l) => `<span class="del">- ${esc(l)}</span>`), ...d.added.map((l) => `<span class="add">+ ${esc(l)}</span>`)];
      parts.push(`<details ${failed.length ? 'open' : ''}><summary>${esc(d.node)} ${esc(d.section)}: -${d.removed.length} +${d.added.length}</summary><pre>${lines.join('\n')}</pre></details>`);
    }
  }
  return page('knetsim matrix', parts.join('\n'));
}
