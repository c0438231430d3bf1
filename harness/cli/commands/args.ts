import { parseArgs, type ParseArgsConfig } from 'node:util';

/** parseArgs with --help handled: returns undefined (after printing usage) when help was asked. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  usage: string,
  options: T,
  allowPositionals = true,
) {
  const r = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  if ((r.values as { help?: boolean }).help) {
    console.log(usage);
    return undefined;
  }
  return r;
}
