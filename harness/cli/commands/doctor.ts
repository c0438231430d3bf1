import { runDoctor } from '../../components/tools/doctor.ts';
import { parse } from './args.ts';

const USAGE = `knetsim doctor

Checks every program knetsim runs (with its version) and every kernel feature it needs
(tried inside a namespace made for the purpose). Exit code 1 when a required one is missing.`;

export async function doctor(args: string[]): Promise<number> {
  if (!parse(args, USAGE, {}, false)) return 0;
  const checks = await runDoctor();
  const w = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const mark = c.ok ? 'ok  ' : c.required ? 'MISS' : 'warn';
    console.log(`${mark}  ${c.name.padEnd(w)}  ${c.detail}${c.ok ? '' : `\n      ${''.padEnd(w)}  fix: ${c.fix}`}`);
  }
  const missing = checks.filter((c) => c.required && !c.ok);
  console.log(missing.length ? `\n${missing.length} required item(s) missing` : '\nall required items present');
  return missing.length ? 1 : 0;
}
