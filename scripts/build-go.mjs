#!/usr/bin/env node
// Builds the Go programs pinned in conf/versions.json (flanneld, cnitool, the flannel CNI
// plugin) into $KNETSIM_TOOLS (default /opt/knetsim): bin/ and cni/. scripts/setup.sh runs
// it after `npm ci`, which installs zx.
//
//   node scripts/build-go.mjs           build what is missing or stamped with another version
//   node scripts/build-go.mjs --check   print what is missing, one per line; build nothing
//                                        (exit 1 if anything is); needs no node_modules
//
// A program is up to date when its binary is executable and `<binary>.version` beside it
// names the pin (module@version); a build that fails leaves the previous binary in place.
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tools = process.env.KNETSIM_TOOLS ?? '/opt/knetsim';
const check = process.argv.includes('--check');
const say = (text) => process.stderr.write(`[setup] ${text}\n`);

/** @typedef {{ name: string, module: string, version: string, binary: string, into?: string, build?: string, versionVar?: string, pin: string, dest: string }} GoProgram */

/** @returns {GoProgram[]} */
function programs() {
  const go = JSON.parse(readFileSync(join(root, 'conf/versions.json'), 'utf8')).go;
  return Object.entries(go).map(([name, p]) => ({ name, ...p, pin: `${p.module}@${p.version}`, dest: join(tools, p.into ?? 'bin', p.binary) }));
}

/** @param {GoProgram} p */
function upToDate(p) {
  try {
    accessSync(p.dest, constants.X_OK);
    return readFileSync(`${p.dest}.version`, 'utf8').trim() === p.pin;
  } catch {
    return false;
  }
}

/**
 * Builds one program into a scratch folder beside its destination (same file system, so the
 * final rename is atomic), then stamps it.
 * @param {import('zx').Shell} $
 * @param {GoProgram} p
 */
async function build($, p) {
  mkdirSync(dirname(p.dest), { recursive: true });
  const scratch = mkdtempSync(join(dirname(p.dest), '.build-'));
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  try {
    let built;
    if (p.build) {
      // A module of ours (tools/flannel) that requires the program and pins what the proxy refuses.
      // cgo: flannel's udp backend needs it.
      say(`building ${p.name} ${p.pin} (cgo; a few minutes on a fresh machine)`);
      built = join(scratch, p.binary);
      const ldflags = `-s -w${p.versionVar ? ` -X ${p.versionVar}=${p.version}` : ''}`;
      await $({ cwd: join(root, p.build), env: { ...env, CGO_ENABLED: '1' } })`go build -trimpath -ldflags ${ldflags} -o ${built} ${p.module}`;
    } else {
      say(`go install ${p.pin}`);
      await $({ env: { ...env, GOBIN: scratch, CGO_ENABLED: '0' } })`go install -trimpath -ldflags ${'-s -w'} ${p.pin}`;
      built = join(scratch, basename(p.module));
    }
    renameSync(built, p.dest);
    writeFileSync(`${p.dest}.version`, `${p.pin}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const todo = programs().filter((p) => !upToDate(p));
  if (check) {
    for (const p of todo) console.log(`${p.name} (${p.pin})`);
    process.exitCode = todo.length ? 1 : 0;
    return;
  }
  if (todo.length === 0) return;
  // zx only to build: --check runs on a machine where npm ci has not run yet.
  const { $, which } = await import('zx');
  if (!(await which('go', { nothrow: true }))) {
    say('go is not on PATH (install golang >= 1.26)');
    process.exitCode = 1;
    return;
  }
  for (const p of todo) {
    try {
      await build($({ quiet: true }), p);
    } catch (e) {
      say(`${p.name} ${p.pin} failed to build:\n${e.stderr ?? e.message}`);
      process.exitCode = 1;
      return;
    }
  }
}

await main();
