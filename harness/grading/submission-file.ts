import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FlannelNetworkConfigSchema } from '../components/flannel/network-config.ts';
import { POD_NAME_RE } from '../model/names.ts';
import { ExposeOptionsSchema } from '../model/service-spec.ts';
import { planTopology } from '../model/topology.ts';
import { ValidationError } from '../sys/errors.ts';
import { zodIssues } from '../sys/validation.ts';
import type { SubmissionFileSpec } from './exercise.ts';

/** A submission file above this size is refused unread. */
export const MAX_SUBMISSION_FILE_BYTES = 256 * 1024;
/** A student topology may not ask for more than this many workers (the grader's machine is shared). */
export const MAX_STUDENT_WORKERS = 4;

export type FileRead = { ok: true; value: unknown; path: string } | { ok: false; reason: string };

const answerTypes = {
  integer: z.number().int(),
  number: z.number(),
  string: z.string().max(1000),
  boolean: z.boolean(),
  'string[]': z.array(z.string().max(1000)).max(100),
} as const;

const issuesText = (issues: readonly { path: string; message: string }[]) =>
  issues
    .slice(0, 5)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');

/**
 * Reads one file of a submission and validates it against the schema the exercise names.
 * Never throws: a missing, oversized, unparsable or invalid file is `ok: false` with why.
 */
export function readSubmissionFile(dir: string, name: string, spec: SubmissionFileSpec): FileRead {
  const path = join(dir, name);
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return { ok: false, reason: `${name} is not a regular file` };
    if (st.size > MAX_SUBMISSION_FILE_BYTES) return { ok: false, reason: `${name} is ${st.size} bytes; at most ${MAX_SUBMISSION_FILE_BYTES} allowed` };
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${name} is missing` : `${name}: ${(e as Error).message}` };
  }
  if (spec.schema === 'scenario') {
    if (!text.trim()) return { ok: false, reason: `${name} is empty` };
    return { ok: true, value: text, path };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `${name} is not valid JSON: ${(e as Error).message}` };
  }
  switch (spec.schema) {
    case 'answers': {
      const shape = Object.fromEntries(Object.entries(spec.fields).map(([k, t]) => [k, answerTypes[t].optional()]));
      const r = z.object(shape).strict().safeParse(raw);
      return r.success ? { ok: true, value: r.data, path } : { ok: false, reason: `${name}: ${issuesText(zodIssues(r.error))}` };
    }
    case 'flannel-config': {
      const r = FlannelNetworkConfigSchema.safeParse(raw);
      return r.success ? { ok: true, value: r.data, path } : { ok: false, reason: `${name}: ${issuesText(zodIssues(r.error))}` };
    }
    case 'service': {
      // A Service as cluster.expose() takes it, with its name: { name, vip, port, targetPort, pods, ... }.
      const r = ExposeOptionsSchema.extend({ name: z.string().regex(POD_NAME_RE, 'must be a DNS label') }).safeParse(raw);
      return r.success ? { ok: true, value: raw, path } : { ok: false, reason: `${name}: ${issuesText(zodIssues(r.error))}` };
    }
    case 'topology': {
      // flannel must be inline: a file name would make the harness read a path the student chose.
      const inline = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
      const t0 = raw as { flannel?: unknown; clusters?: { flannel?: unknown }[] };
      if (!inline(t0) || !inline(t0.flannel)) return { ok: false, reason: `${name}: flannel must be given inline, as an object` };
      if (Array.isArray(t0.clusters) && t0.clusters.some((c) => inline(c) && c.flannel !== undefined && !inline(c.flannel))) {
        return { ok: false, reason: `${name}: a cluster's flannel must be given inline, as an object` };
      }
      try {
        const t = planTopology(raw, { source: name, baseDir: dir });
        const workers = t.clusters.reduce((n, c) => n + c.workers.length, 0);
        if (workers > MAX_STUDENT_WORKERS) return { ok: false, reason: `${name} asks for ${workers} workers; at most ${MAX_STUDENT_WORKERS}` };
        return { ok: true, value: raw, path };
      } catch (e) {
        if (e instanceof ValidationError) return { ok: false, reason: `${name}: ${issuesText(e.issues)}` };
        return { ok: false, reason: `${name}: ${(e as Error).message}` };
      }
    }
  }
}
