import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { routerKind, skrouterdOnPath } from './router-kind.ts';

const tmp = makeTempDir('router-kind');
afterAll(() => tmp.remove());
const dirWithSkrouterd = () => {
  const d = mkdtempSync(join(tmp.path, 'bin-'));
  writeFileSync(join(d, 'skrouterd'), '#!/bin/sh\n');
  chmodSync(join(d, 'skrouterd'), 0o755);
  return d;
};

describe('routerKind', () => {
  it('uses skrouterd when it is on PATH, else the built-in router', () => {
    const d = dirWithSkrouterd();
    expect(skrouterdOnPath(`/nonexistent:${d}`)).toBe(join(d, 'skrouterd'));
    expect(routerKind({ PATH: `/nonexistent:${d}` })).toBe('skrouterd');
    expect(routerKind({ PATH: '/nonexistent' })).toBe('builtin');
  });

  it('obeys KNETSIM_ROUTER', () => {
    const d = dirWithSkrouterd();
    expect(routerKind({ PATH: d, KNETSIM_ROUTER: 'builtin' })).toBe('builtin');
    expect(routerKind({ PATH: d, KNETSIM_ROUTER: 'skrouterd' })).toBe('skrouterd');
  });

  it('fails naming what is missing when skrouterd is asked for and absent', () => {
    expect(() => routerKind({ PATH: '/nonexistent', KNETSIM_ROUTER: 'skrouterd' })).toThrow(/skrouterd \(KNETSIM_ROUTER=skrouterd; PATH=\/nonexistent\) is missing: put the real skupper-router's skrouterd on PATH/);
    expect(() => routerKind({ PATH: '', KNETSIM_ROUTER: 'qdrouterd' })).toThrow(/KNETSIM_ROUTER must be builtin or skrouterd/);
  });
});
