import type { Exercise } from './exercise.ts';
import { percent, type StudentResult } from './results.ts';

export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.pass{color:#17692c}.fail{color:#b00020}.num{text-align:right}.hint{color:#6a4a00;background:#fff6db}
.bar{display:inline-block;height:10px;background:#3a7}.muted{color:#777}`;

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

/** One student's page: every exercise, every check with its points, what was seen, and a hint when it failed. */
export function studentPage(r: StudentResult): string {
  const parts = [
    `<p><a href="../index.html">← class summary</a></p>`,
    `<h1>${esc(r.student)}: <span data-testid="score">${r.earned} / ${r.total}</span> points (${percent(r)} %)</h1>`,
    r.error ? `<p class="fail">Grading stopped early: ${esc(r.error)}</p>` : '',
  ];
  for (const ex of r.exercises) {
    parts.push(`<h2>Chapter ${ex.chapter}: ${esc(ex.title)} — ${ex.earned} / ${ex.total}</h2>`);
    parts.push('<table><tr><th>check</th><th>result</th><th class="num">points</th><th>what was seen</th></tr>');
    for (const c of ex.checks) {
      const ev = c.evidence ? ` <a href="../${esc(c.evidence)}">log</a>` : '';
      const hint = c.passed ? '' : `<div class="hint">Hint: ${esc(c.hint)}</div>`;
      parts.push(
        `<tr data-check="${esc(c.id)}"><td>${esc(c.title)}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? '✔ passed' : '✘ failed'}</td>` +
          `<td class="num">${c.earned} / ${c.points}</td><td>${esc(c.detail)}${ev}${hint}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  return page(`${r.student}: ${r.earned}/${r.total}`, parts.join('\n'));
}

/** The class summary: one row per student, one column per exercise, and each check's pass rate. */
export function summaryPage(results: readonly StudentResult[], exercises: readonly Exercise[]): string {
  const head = exercises.map((e) => `<th>ch${e.chapter} ${esc(e.title)}<br><span class="muted">/ ${e.totalPoints}</span></th>`).join('');
  const rows = results.map((r) => {
    const cells = exercises.map((e) => `<td class="num">${r.exercises.find((x) => x.id === e.id)?.earned ?? 0}</td>`).join('');
    return (
      `<tr data-student="${esc(r.student)}"><td><a href="students/${esc(r.slug)}.html">${esc(r.student)}</a>${r.error ? ' <span class="fail">(grading error)</span>' : ''}</td>` +
      `${cells}<td class="num">${r.earned} / ${r.total}</td><td class="num">${percent(r)} %</td>` +
      `<td><span class="bar" style="width:${Math.round(percent(r))}px"></span></td></tr>`
    );
  });
  const checkRows = exercises.flatMap((e) =>
    e.checks.map((c) => {
      const passed = results.filter((r) => r.exercises.find((x) => x.id === e.id)?.checks.find((k) => k.id === c.id)?.passed).length;
      return `<tr><td>ch${e.chapter}</td><td>${esc(c.title)}</td><td class="num">${c.points}</td><td class="num">${passed} / ${results.length}</td></tr>`;
    }),
  );
  const mean = results.length ? Math.round((results.reduce((n, r) => n + percent(r), 0) / results.length) * 10) / 10 : 0;
  return page(
    'knetsim grades',
    [
      `<h1>Class summary</h1>`,
      `<p>${results.length} submissions, ${exercises.length} exercises; mean <span data-testid="mean">${mean} %</span>. <a href="grades.csv">grades.csv</a></p>`,
      `<table><tr><th>student</th>${head}<th>total</th><th>%</th><th></th></tr>`,
      ...rows,
      '</table>',
      '<h2>Checks</h2><table><tr><th>chapter</th><th>check</th><th>points</th><th>passed by</th></tr>',
      ...checkRows,
      '</table>',
    ].join('\n'),
  );
}
