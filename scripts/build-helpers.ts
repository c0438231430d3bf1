// Bundles the programs the harness starts with node (HELPER_ENTRIES in harness/sys/bundles.js)
// so each starts as plain `node FILE.mjs`. Idempotent: only stale bundles are rebuilt.
//
//   npm run build:helpers [-- --force] [-- --check]
//
// --check builds nothing and exits 1 when a bundle is missing or stale (scripts/setup.sh --check).
import { parseArgs } from 'node:util';
import { buildBundles } from '../harness/sys/bundle-build.ts';
import { HELPER_ENTRIES, bundleDir, freshBundle } from '../harness/sys/bundles.js';

const { values } = parseArgs({ options: { force: { type: 'boolean' }, check: { type: 'boolean' } } });

if (values.check) {
  const stale = HELPER_ENTRIES.flatMap((e) => {
    const r = freshBundle(e);
    return 'reason' in r ? [r.reason] : [];
  });
  for (const s of stale) console.error(`[build:helpers] ${s}`);
  process.exitCode = stale.length ? 1 : 0;
} else {
  const t0 = performance.now();
  const reports = await buildBundles({ force: values.force ?? false });
  for (const r of reports) {
    const size = `${Math.round(r.bytes / 1024)} kB`;
    console.log(`[build:helpers] ${r.status.padEnd(5)} ${r.entry} (${size}, ${r.inputs} inputs)${r.reason ? `: ${r.reason}` : ''}`);
  }
  const built = reports.filter((r) => r.status === 'built').length;
  console.log(`[build:helpers] ${built} built, ${reports.length - built} fresh, in ${Math.round(performance.now() - t0)} ms → ${bundleDir()}`);
}
