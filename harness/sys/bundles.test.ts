import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles } from './bundle-build.ts';
import { HELPER_ENTRIES, REPO_ROOT, bundleName, entryOf, freshBundle, type BundleManifest } from './bundles.js';

function mainFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? mainFiles(join(dir, d.name)) : /(^|-)main\.ts$/.test(d.name) ? [relative(REPO_ROOT, join(dir, d.name))] : [],
  );
}

describe('HELPER_ENTRIES', () => {
  it('lists every program the harness starts with node (every *-main.ts and main.ts), and only files that exist', () => {
    const found = mainFiles(join(REPO_ROOT, 'harness')).sort();
    expect([...HELPER_ENTRIES].sort()).toEqual(found);
  });
  it('names bundles after their path, and knows an entry from its absolute path', () => {
    expect(bundleName('harness/router/main.ts')).toBe('harness.router.main');
    expect(entryOf(join(REPO_ROOT, 'harness/router/main.ts'))).toBe('harness/router/main.ts');
    expect(new Set(HELPER_ENTRIES.map(bundleName)).size).toBe(HELPER_ENTRIES.length);
  });
});

describe('bundles', () => {
  // A directory at another depth than the default one: paths found through
  // import.meta.url must still lead back to the sources.
  let dir: string;
  const entries = ['harness/router/main.ts', 'harness/cli/main.ts'];
  const manifestFile = (entry: string) => join(dir, `${bundleName(entry)}.json`);
  const manifest = (entry: string) => JSON.parse(readFileSync(manifestFile(entry), 'utf8')) as BundleManifest;

  beforeAll(async () => {
    const cache = join(REPO_ROOT, 'node_modules', '.cache', 'knetsim');
    mkdirSync(cache, { recursive: true });
    dir = join(mkdtempSync(join(cache, 'test-')), 'a', 'b');
    const built = await buildBundles({ dir, entries });
    expect(built.map((b) => b.status)).toEqual(['built', 'built']);
  });
  afterAll(() => rmSync(join(dir, '..', '..'), { recursive: true, force: true }));

  it('run as plain node programs (the CLI finds conf/ beside its sources)', () => {
    const router = freshBundle('harness/router/main.ts', dir);
    const cli = freshBundle('harness/cli/main.ts', dir);
    if (!('path' in router) || !('path' in cli)) throw new Error(`not fresh: ${JSON.stringify([router, cli])}`);
    expect(execFileSync(process.execPath, [router.path, '--help'], { encoding: 'utf8' })).toMatch(/^main\.ts -c\|--config FILE\.json/);
    // doctor.ts reads conf/versions.json through import.meta.url when the CLI loads.
    const bin = join(dir, 'bin.mjs');
    writeFileSync(bin, `const { main } = await import(${JSON.stringify(cli.path)}); process.exitCode = await main(['--version']);`);
    expect(execFileSync(process.execPath, [bin], { encoding: 'utf8' }).trim()).toBe('knetsim 0.1.0');
  });

  it('record every input (sources, inlined npm packages, the builder) and are not rebuilt while fresh', async () => {
    const inputs = Object.keys(manifest('harness/router/main.ts').inputs);
    expect(inputs).toEqual(expect.arrayContaining(['harness/router/main.ts', 'harness/router/router.ts', 'harness/sys/bundle-build.ts', 'harness/sys/bundles.js']));
    expect(inputs.some((i) => i.startsWith('node_modules/rhea/'))).toBe(true);
    expect((await buildBundles({ dir, entries })).map((b) => b.status)).toEqual(['fresh', 'fresh']);
  });

  it('stay fresh when only an mtime moved (the contents hash the same)', () => {
    const entry = 'harness/router/main.ts';
    const m = manifest(entry);
    m.inputs['harness/router/router.ts']!.mtimeMs -= 1000;
    writeFileSync(manifestFile(entry), JSON.stringify(m));
    expect(freshBundle(entry, dir)).toHaveProperty('path');
  });

  it('are stale when an input changed, and a build replaces them', async () => {
    const entry = 'harness/router/main.ts';
    const m = manifest(entry);
    m.inputs['harness/router/router.ts']!.sha256 = '0'.repeat(64);
    m.inputs['harness/router/router.ts']!.mtimeMs -= 1000;
    writeFileSync(manifestFile(entry), JSON.stringify(m));
    expect(freshBundle(entry, dir)).toEqual({ reason: `harness/router/router.ts changed since ${entry} was bundled` });
    const again = await buildBundles({ dir, entries: [entry] });
    expect(again[0]).toMatchObject({ status: 'built', reason: expect.stringContaining('router.ts changed') });
    expect(freshBundle(entry, dir)).toHaveProperty('path');
  });

  it('are not used when missing, when an input was removed, or for programs not listed', () => {
    const entry = 'harness/router/main.ts';
    const m = manifest(entry);
    m.inputs['harness/router/gone.ts'] = { size: 1, mtimeMs: 1, sha256: '' };
    writeFileSync(manifestFile(entry), JSON.stringify(m));
    expect(freshBundle(entry, dir)).toEqual({ reason: `harness/router/gone.ts was removed since ${entry} was bundled` });
    rmSync(join(dir, `${bundleName(entry)}.mjs`));
    expect(freshBundle(entry, dir)).toEqual({ reason: `${entry} has no bundle yet` });
    expect(freshBundle('harness/router/router.ts', dir)).toHaveProperty('reason', expect.stringContaining('not in HELPER_ENTRIES'));
    expect(existsSync(manifestFile('harness/cli/main.ts'))).toBe(true);
  });
});
