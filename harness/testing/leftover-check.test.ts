import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import setup, { leftovers } from './leftover-check.ts';

const outer = { TMPDIR: process.env.TMPDIR, KNETSIM_STATE_DIR: process.env.KNETSIM_STATE_DIR };
afterEach(() => {
  // Whatever a failed expectation skipped: the environment is the test process's again.
  for (const [k, v] of Object.entries(outer)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
});

describe('the test run leftover check (vitest globalSetup)', () => {
  it('gives the run a temp folder and a state folder of its own, and passes when both end empty', async () => {
    delete process.env.KNETSIM_STATE_DIR;
    const teardown = setup();
    const tmp = tmpdir();
    expect(tmp).not.toBe(outer.TMPDIR);
    expect(basename(tmp)).toMatch(/^knetsim-suite-/);
    expect(process.env.KNETSIM_STATE_DIR).toBe(join(tmp, 'state'));
    mkdirSync(join(tmp, 'state'));
    mkdirSync(join(tmp, 'tsx-0')); // tsx's compile cache is not a leftover
    await teardown();
    expect(existsSync(tmp)).toBe(false);
    expect(process.env.TMPDIR).toBe(outer.TMPDIR);
    expect(process.env.KNETSIM_STATE_DIR).toBeUndefined();
  });

  it('fails naming every folder, file and run-folder entry left, and removes them', async () => {
    delete process.env.KNETSIM_STATE_DIR;
    const teardown = setup();
    const tmp = tmpdir();
    mkdirSync(join(tmp, 'knetsim-capture-abc123'));
    writeFileSync(join(tmp, 'soak-42.json'), '{}');
    mkdirSync(join(tmp, 'state'));
    writeFileSync(join(tmp, 'state', 'stray.log'), '');
    expect(leftovers({ tmp, state: join(tmp, 'state') })).toEqual([
      join(tmp, 'knetsim-capture-abc123'),
      join(tmp, 'soak-42.json'),
      join(tmp, 'state', 'stray.log'),
    ]);
    await expect(teardown()).rejects.toThrow(/left 3 temporary folder\(s\), file\(s\) or run folder\(s\) behind[\s\S]*knetsim-capture-abc123[\s\S]*soak-42\.json[\s\S]*stray\.log/);
    expect(existsSync(tmp)).toBe(false);
  });

  it('keeps a state folder the caller chose (and does not judge it)', async () => {
    process.env.KNETSIM_STATE_DIR = '/somewhere/else';
    const teardown = setup();
    expect(process.env.KNETSIM_STATE_DIR).toBe('/somewhere/else');
    await teardown();
    expect(process.env.KNETSIM_STATE_DIR).toBe('/somewhere/else');
  });
});
