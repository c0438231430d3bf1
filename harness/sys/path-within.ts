import { isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `dir` or lies inside it (by name: resolve symlinks first where they matter). */
export function isWithin(path: string, dir: string): boolean {
  const r = relative(dir, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}
