/**
 * Comparing a student's value with the rubric's by meaning: objects by their fields
 * (whatever the key order), arrays element by element (in order, or as sets with
 * `anyOrder`), numbers by value (80 and 80.0 are one number). A string is never a number:
 * "80" is not 80 — the real programs read JSON types, and the file's schema already said
 * which type a field has (where a program accepts both, as skrouterd does for ports, its
 * parser has turned "80" into 80 before any comparison).
 */
export interface CompareOptions {
  /** Strings compare without case and surrounding space. */
  caseInsensitive?: boolean;
  /** Arrays compare as multisets. */
  anyOrder?: boolean;
}

export function sameMeaning(a: unknown, b: unknown, o: CompareOptions = {}): boolean {
  if (typeof a === 'string' && typeof b === 'string') return o.caseInsensitive ? a.trim().toLowerCase() === b.trim().toLowerCase() : a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (!o.anyOrder) return a.every((x, i) => sameMeaning(x, b[i], o));
    const left = [...b];
    return a.every((x) => {
      const i = left.findIndex((y) => sameMeaning(x, y, o));
      if (i < 0) return false;
      left.splice(i, 1);
      return true;
    });
  }
  if (isRecord(a) && isRecord(b)) {
    // A field that is absent and one that is undefined mean the same.
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
    return [...keys].every((k) => sameMeaning(a[k], b[k], o));
  }
  return a === b;
}

/** Whether `actual` has every field of `partial` (by meaning); for a non-object, sameMeaning. */
export function matchesPartial(actual: unknown, partial: unknown, o: CompareOptions = {}): boolean {
  if (!isRecord(partial)) return sameMeaning(actual, partial, o);
  if (!isRecord(actual)) return false;
  return Object.entries(partial).every(([k, v]) => sameMeaning(actual[k], v, o));
}

/** The value at a dotted path ('' for the whole); undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  if (!path) return value;
  return path.split('.').reduce<unknown>((v, k) => {
    if (Array.isArray(v)) return /^\d+$/.test(k) ? v[Number(k)] : undefined;
    return isRecord(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  }, value);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
