import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `knetsim test [PATHS...] [vitest options]`: runs scenario files with vitest. */
export async function test(args: string[]): Promise<number> {
  if (args[0] === '-h' || args[0] === '--help') {
    console.log(`knetsim test [PATHS...] [VITEST OPTIONS...]

Runs scenario files (default: the scenarios project) with vitest; exit code 1 when any fails.`);
    return 0;
  }
  const vitest = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
  const paths = args.length ? args : ['--project', 'scenarios'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...paths], { stdio: 'inherit', cwd: ROOT });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
