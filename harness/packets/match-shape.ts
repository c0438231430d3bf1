import type { Packet } from './packet.ts';

/** A predicate or pattern standing for one expected value. */
type Leaf<T> = T | ((actual: T) => boolean) | (T extends string ? RegExp : never);

/**
 * A nested partial shape of `T`: objects list only the fields that matter; a leaf is a value,
 * a predicate, or a RegExp for text. A layer with a `type` (ICMP) may be given as just its type.
 */
export type Shape<T> = [T] extends [readonly (infer E)[]]
  ? Shape<E>[] | ((actual: T) => boolean)
  : [T] extends [object]
    ? { [K in keyof T]?: Shape<NonNullable<T[K]>> | (undefined extends T[K] ? undefined : never) } | ((actual: T) => boolean) | (T extends { type: infer U } ? U : never)
    : Leaf<T>;

export type PacketShape = Shape<Packet>;

export interface ShapeMismatch {
  /** Dotted path of the field, e.g. `inner.icmp.type`. */
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface ShapeMatch {
  ok: boolean;
  mismatches: ShapeMismatch[];
}

function describe(v: unknown): unknown {
  return typeof v === 'function' ? `<${v.name || 'predicate'}>` : v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function walk(actual: unknown, expected: unknown, path: string, out: ShapeMismatch[]): void {
  const miss = () => out.push({ path: path || '(root)', expected: describe(expected), actual });
  if (typeof expected === 'function') {
    if (!(expected as (a: unknown) => boolean)(actual)) miss();
  } else if (expected instanceof RegExp) {
    if (typeof actual !== 'string' || actual.search(expected) < 0) miss();
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) miss();
    else expected.forEach((e, k) => walk(actual[k], e, `${path}[${k}]`, out));
  } else if (isRecord(expected)) {
    if (!isRecord(actual)) {
      miss();
      return;
    }
    for (const key of Object.keys(expected)) walk(actual[key], expected[key], path ? `${path}.${key}` : key, out);
  } else if (isRecord(actual) && typeof expected === 'string' && 'type' in actual) {
    walk(actual.type, expected, `${path}.type`, out);
  } else if (!Object.is(actual, expected)) {
    miss();
  }
}

/** Checks `value` against a nested partial `shape`; lists every field that differs. */
export function matchShape(value: Packet, shape: PacketShape): ShapeMatch;
export function matchShape(value: unknown, shape: unknown): ShapeMatch;
export function matchShape(value: unknown, shape: unknown): ShapeMatch {
  const mismatches: ShapeMismatch[] = [];
  walk(value, shape, '', mismatches);
  return { ok: mismatches.length === 0, mismatches };
}

/** `inner.icmp.type: expected "echo-request", got "echo-reply"`. */
export function formatMismatch(m: ShapeMismatch): string {
  const text = (v: unknown) => (v instanceof RegExp ? String(v) : isRecord(v) ? '{…}' : JSON.stringify(v) ?? 'undefined');
  return `${m.path}: expected ${text(m.expected)}, got ${text(m.actual)}`;
}
