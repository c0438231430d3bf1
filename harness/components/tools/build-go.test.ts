import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';

// scripts/build-go.mjs decides what setup.sh builds: a binary is up to date when it is
// executable and its .version stamp names the pin of conf/versions.json.
const SCRIPT = fileURLToPath(new URL('../../../scripts/build-go.mjs', import.meta.url));
const PINS = JSON.parse(readFileSync(fileURLToPath(new URL('../../../conf/versions.json', import.meta.url)), 'utf8')).go as Record<
  string,
  { module: string; version: string; binary: string; into?: string }
>;
const check = (tools: string) => execa('node', [SCRIPT, '--check'], { env: { KNETSIM_TOOLS: tools }, reject: false });

describe('scripts/build-go.mjs --check', () => {
  it('lists every pinned Go program missing from an empty tools folder, then none once each is stamped', async () => {
    using tmp = makeTempDir('tools');
    const empty = await check(tmp.path);
    expect(empty.exitCode).toBe(1);
    expect(empty.stdout.split('\n').sort()).toEqual(Object.entries(PINS).map(([name, p]) => `${name} (${p.module}@${p.version})`).sort());

    for (const p of Object.values(PINS)) {
      const dir = join(tmp.path, p.into ?? 'bin');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, p.binary), '#!/bin/sh\n');
      chmodSync(join(dir, p.binary), 0o755);
      writeFileSync(join(dir, `${p.binary}.version`), `${p.module}@${p.version}\n`);
    }
    const done = await check(tmp.path);
    expect([done.exitCode, done.stdout]).toEqual([0, '']);

    // Another version in a stamp, or a binary that is not executable, means: build it again.
    const [name, first] = Object.entries(PINS)[0]!;
    writeFileSync(join(tmp.path, first.into ?? 'bin', `${first.binary}.version`), `${first.module}@v0.0.1\n`);
    const stale = await check(tmp.path);
    expect([stale.exitCode, stale.stdout]).toEqual([1, `${name} (${first.module}@${first.version})`]);
  });
});
