import { flagsOf, percent, type CheckResult, type StudentResult } from '../results.ts';
import type { GradesFile } from './grades-file.ts';
import { versionText } from './meta.ts';

export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.pass{color:#17692c}.fail{color:#b00020}.flag{color:#8a4b00}.num{text-align:right}.hint{color:#6a4a00;background:#fff6db}
.bar{display:inline-block;height:10px;background:#3a7}.muted{color:#777}`;

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

const STATUS: Record<CheckResult['status'], [string, string]> = {
  passed: ['pass', '✔ passed'],
  failed: ['fail', '✘ failed'],
  'not-tried': ['muted', '– not tried'],
  timeout: ['flag', '⏱ time-out'],
  'not-graded': ['flag', '⚠ not graded'],
};

/** One student's page: every exercise, every check with its points, what was seen, and a hint where one helps. */
export function studentPage(r: StudentResult): string {
  const f = flagsOf(r);
  const parts = [
    `<p><a href="../index.html">← class summary</a></p>`,
    `<h1>${esc(r.student)}: <span data-testid="score">${r.earned} / ${r.total}</span> points (${percent(r)} %)</h1>`,
    r.error ? `<p class="fail">Grading stopped early: ${esc(r.error)}</p>` : '',
    f.notGraded ? `<p class="flag" data-testid="not-graded">${f.notGraded} check(s) could not be graded, for reasons that are not yours; they will be graded again.</p>` : '',
    f.timeouts ? `<p class="flag" data-testid="timeouts">${f.timeouts} run(s) were stopped at the time limit.</p>` : '',
  ];
  for (const ex of r.exercises) {
    parts.push(`<h2>Chapter ${ex.chapter}: ${esc(ex.title)} — ${ex.earned} / ${ex.total}</h2>`);
    if (ex.note) parts.push(`<p class="fail" data-testid="folder-note">${esc(ex.note)}</p>`);
    parts.push('<table><tr><th>check</th><th>result</th><th class="num">points</th><th>what was seen</th></tr>');
    for (const c of ex.checks) {
      const ev = c.evidence ? ` <a href="../${esc(c.evidence)}">log</a>` : '';
      const hint = c.hint ? `<div class="hint">Hint: ${esc(c.hint)}</div>` : '';
      const [cls, label] = STATUS[c.status];
      parts.push(
        `<tr data-check="${esc(c.id)}" data-status="${c.status}"><td>${esc(c.title)}</td><td class="${cls}">${label}</td>` +
          `<td class="num">${c.earned} / ${c.points}</td><td>${esc(c.detail)}${ev}${hint}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  return page(`${r.student}: ${r.earned}/${r.total}`, parts.join('\n'));
}

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/** The class summary: one row per student (with its flags), one column per exercise, each check's pass rate, and how the grades were made. */
export function summaryPage(g: GradesFile): string {
  const results = [...g.students].sort((a, b) => a.student.localeCompare(b.student));
  const rubric = g.exercises;
  const head = rubric.map((e) => `<th>ch${e.chapter} ${esc(e.title)}<br><span class="muted">/ ${e.total}</span></th>`).join('');
  const rows = results.map((r) => {
    const f = flagsOf(r);
    const flags = [
      r.error ? '<span class="fail" data-flag="error">grading error</span>' : '',
      f.notGraded ? `<span class="flag" data-flag="not-graded">⚠ ${f.notGraded} not graded</span>` : '',
      f.timeouts ? `<span class="flag" data-flag="timeout">⏱ ${f.timeouts} time-out${f.timeouts > 1 ? 's' : ''}</span>` : '',
    ].filter(Boolean);
    const cells = rubric.map((e) => `<td class="num">${r.exercises.find((x) => x.id === e.id)?.earned ?? 0}</td>`).join('');
    return (
      `<tr data-student="${esc(r.student)}"><td><a href="students/${esc(r.slug)}.html">${esc(r.student)}</a></td>` +
      `${cells}<td class="num">${r.earned} / ${r.total}</td><td class="num">${percent(r)} %</td>` +
      `<td><span class="bar" style="width:${Math.round(percent(r))}px"></span></td><td>${flags.join(' ')}</td></tr>`
    );
  });
  const checkRows = rubric.flatMap((e) =>
    e.checks.map((c) => {
      const of = results.map((r) => r.exercises.find((x) => x.id === e.id)?.checks.find((k) => k.id === c.id));
      const passed = of.filter((k) => k?.status === 'passed').length;
      const flagged = of.filter((k) => k?.status === 'timeout' || k?.status === 'not-graded').length;
      return `<tr><td>ch${e.chapter}</td><td>${esc(c.title)}</td><td class="num">${c.points}</td><td class="num">${passed} / ${results.length}</td><td class="num">${flagged || ''}</td></tr>`;
    }),
  );
  const mean = results.length ? Math.round((results.reduce((n, r) => n + percent(r), 0) / results.length) * 10) / 10 : 0;
  const first = g.runs[0];
  const runTime = g.runs.reduce((n, r) => n + r.runTimeMs, 0);
  const pending = results.filter((r) => flagsOf(r).notGraded || r.error).map((r) => r.student);
  const timedOut = results.filter((r) => flagsOf(r).timeouts).map((r) => r.student);
  const runs = g.runs
    .map((r) => `<li>${esc(r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}: ${esc(versionText(r.grader))}, ${r.students.length} student(s)${r.shard ? `, shard ${esc(r.shard)}` : ''}, ${seconds(r.runTimeMs)} (time limit ${r.timeoutS} s, ${r.parallel} at a time)</li>`)
    .join('');
  return page(
    'knetsim grades',
    [
      `<h1>Class summary</h1>`,
      `<p data-testid="meta">Graded <span data-testid="date">${esc(first?.startedAt ?? '')}</span> by <span data-testid="version">${esc(first ? versionText(first.grader) : '')}</span>; run time <span data-testid="runtime">${seconds(runTime)}</span>.</p>`,
      `<p>${results.length} submissions, ${rubric.length} exercises; mean <span data-testid="mean">${mean} %</span>. ` +
        `<a href="grades.csv">grades.csv</a> · <a href="checks.csv">checks.csv</a> (a column per check) · <a href="moodle.csv">moodle.csv</a> · <a href="canvas.csv">canvas.csv</a>` +
        `${g.roster.length ? '' : ' — no roster given: the LMS files identify students by folder name'}</p>`,
      pending.length
        ? `<p class="flag" data-testid="pending">⚠ Not graded, not the students' fault (the simulation of an exercise's own topology did not start, a sandbox or fault failed): ${esc(pending.join(', '))}. ` +
          `Those checks count 0 for now and are not shown as failures; moodle.csv and canvas.csv leave these students' grades empty until a re-grade judges them: <code>knetsim grade --student NAME</code> with the same --out.</p>`
        : '',
      timedOut.length
        ? `<p class="flag" data-testid="timed-out">⏱ Stopped at the time limit: ${esc(timedOut.join(', '))}. A time-out counts 0 (the student's scenario ran too long); if the machine was busy, re-grade them with a longer --timeout.</p>`
        : '',
      `<table><tr><th>student</th>${head}<th>total</th><th>%</th><th></th><th>flags</th></tr>`,
      ...rows,
      '</table>',
      '<h2>Checks</h2><table><tr><th>chapter</th><th>check</th><th>points</th><th>passed by</th><th>flagged</th></tr>',
      ...checkRows,
      '</table>',
      `<h2>Runs</h2><ul>${runs}</ul>`,
    ].join('\n'),
  );
}
