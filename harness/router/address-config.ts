/** Which distribution an address gets from the `address` entities (longest prefix / pattern). */
import type { AddressEntity } from './config-schema.ts';

export type Distribution = AddressEntity['distribution'];

/** skrouterd patterns: tokens split on "." or "/", "*" = one token, "#" = zero or more. */
export function patternToRegExp(pattern: string): RegExp {
  const tokens = pattern.split(/[./]/);
  let re = '';
  tokens.forEach((t, i) => {
    const sep = i === 0 ? '' : '[./]';
    if (t === '#') re += i === 0 ? '(?:[^./]+(?:[./][^./]+)*)?' : '(?:[./][^./]+)*';
    else if (t === '*') re += `${sep}[^./]+`;
    else re += sep + t.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  });
  return new RegExp(`^${re}$`);
}

export function distributionFor(address: string, entities: readonly AddressEntity[]): Distribution {
  let best: { len: number; d: Distribution } | undefined;
  for (const a of entities) {
    if (a.prefix !== undefined) {
      const p = a.prefix;
      const hit = address === p || (address.startsWith(p) && /^[./]/.test(address.slice(p.length))) || (p.endsWith('/') && address.startsWith(p));
      if (hit && (!best || p.length > best.len)) best = { len: p.length, d: a.distribution };
    } else if (a.pattern !== undefined && patternToRegExp(a.pattern).test(address)) {
      if (!best || a.pattern.length > best.len) best = { len: a.pattern.length, d: a.distribution };
    }
  }
  return best?.d ?? 'balanced';
}
