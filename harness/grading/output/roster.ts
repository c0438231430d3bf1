import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../sys/errors.ts';

/**
 * The class roster (`--roster FILE`, a CSV with a header row): who each submission folder
 * is in the LMS. `student` (the folder name) is required; `name`, `email`, `username`, `id`
 * (the LMS's own user id, Canvas's "ID"), `sis_id` (the institution's id: Canvas "SIS User
 * ID", Moodle "ID number") and `section` are optional.
 */
export const ROSTER_COLUMNS = ['student', 'name', 'email', 'username', 'id', 'sis_id', 'section'] as const;

const cell = z.string().max(256).optional();
export const RosterEntrySchema = z
  .object({
    student: z.string().min(1, 'must name the student\'s folder').max(256),
    name: cell,
    email: z.string().email('must be an e-mail address').max(256).optional(),
    username: cell,
    id: cell,
    sis_id: cell,
    section: cell,
  })
  .strict();
export type RosterEntry = z.infer<typeof RosterEntrySchema>;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/** Reads a roster; a ValidationError names the row and column of every bad cell. */
export function loadRoster(file: string): RosterEntry[] {
  let rows: string[][];
  try {
    rows = parseCsv(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ValidationError(file, [{ path: '', message: (e as Error).message }]);
  }
  const [head, ...body] = rows;
  if (!head) throw new ValidationError(file, [{ path: '', message: 'empty: a header row naming the columns is needed' }]);
  const cols = head.map((h) => h.trim().toLowerCase());
  const issues: { path: string; message: string }[] = [];
  cols.forEach((c, i) => {
    if (!(ROSTER_COLUMNS as readonly string[]).includes(c)) issues.push({ path: `header.${i + 1}`, message: `unknown column "${head[i]}" (columns: ${ROSTER_COLUMNS.join(', ')})` });
  });
  if (!cols.includes('student')) issues.push({ path: 'header', message: 'needs a "student" column (the submission folder name)' });
  if (issues.length) throw new ValidationError(file, issues);
  const entries: RosterEntry[] = [];
  const seen = new Set<string>();
  body.forEach((r, n) => {
    const raw = Object.fromEntries(cols.map((c, i) => [c, r[i]?.trim() || undefined]));
    const parsed = RosterEntrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push({ path: `row ${n + 2}.${i.path.join('.')}`, message: i.message });
      return;
    }
    if (seen.has(parsed.data.student)) issues.push({ path: `row ${n + 2}.student`, message: `"${parsed.data.student}" is listed twice` });
    seen.add(parsed.data.student);
    entries.push(parsed.data);
  });
  if (issues.length) throw new ValidationError(file, issues);
  return entries;
}
