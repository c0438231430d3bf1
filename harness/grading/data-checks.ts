import { matchesPartial, sameMeaning, valueAt } from './equals.ts';
import type { Check } from './exercise.ts';
import { issuesText, type FileRead, type Issue } from './submission-file.ts';

export interface Verdict {
  passed: boolean;
  detail: string;
}

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/** The issues of a file that concern `path`: at it, inside it, at one of its parents, or of the whole file. */
export function issuesFor(issues: readonly Issue[], path: string): Issue[] {
  if (!path) return [...issues];
  return issues.filter((i) => i.path === '' || i.path === path || i.path.startsWith(`${path}.`) || path.startsWith(`${i.path}.`));
}

/** What a `valid`, `equals` or `includes` check finds in a file: its own finding only. */
export function dataCheck(c: Exclude<Check, { kind: 'scenario' }>, f: FileRead): Verdict {
  if (c.kind === 'valid') return f.ok ? { passed: true, detail: `${c.file} is valid` } : { passed: false, detail: f.reason };
  if (f.unreadable) return { passed: false, detail: f.ok ? `${c.file} cannot be read` : f.reason };
  const where = c.field ? `${c.file} ${c.field}` : c.file;
  // A field with an issue of its own is judged by it; other fields' issues are not this check's business.
  const own = f.entityIssues ? [] : issuesFor(f.issues, c.field);
  if (own.length) return { passed: false, detail: `${c.file}: ${issuesText(own)}` };
  const got = valueAt(f.fields, c.field);
  if (got === undefined) return { passed: false, detail: `${where} is not given` };
  const opts = { caseInsensitive: c.caseInsensitive, anyOrder: c.anyOrder };
  if (c.kind === 'equals') {
    return sameMeaning(got, c.value, opts) ? { passed: true, detail: `${where} is ${show(got)}` } : { passed: false, detail: `${where} is ${show(got)}, which is not right` };
  }
  if (!Array.isArray(got)) return { passed: false, detail: `${where} is not a list (it is ${show(got)})` };
  const match = got.find((x) => matchesPartial(x, c.value, opts));
  if (match !== undefined) return { passed: true, detail: `${where} has ${show(match)}` };
  const invalid = f.entityIssues ? f.issues.filter((i) => i.path.startsWith(`${c.field.replace(/s$/, '')}[`) || i.path.startsWith(`${c.field.replace(/s$/, '')} `)) : [];
  return {
    passed: false,
    detail: `no entry of ${where} is right (it has ${got.length}: ${show(got)})${invalid.length ? `; not counted, because invalid: ${issuesText(invalid)}` : ''}`,
  };
}
