import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingDependencyError } from '../../sys/errors.ts';

/** Where scripts/setup.sh puts the Go-built programs. */
export function toolsRoot(): string {
  return process.env.KNETSIM_TOOLS ?? '/opt/knetsim';
}

/** The CNI_PATH: our built plugins first (flannel), then Debian's containernetworking-plugins. */
export function cniPath(): string {
  return [join(toolsRoot(), 'cni'), '/usr/lib/cni', '/opt/cni/bin'].join(':');
}

const BUILT = { flannel: 'bin/flannel', cnitool: 'bin/cnitool', 'flannel-cni': 'cni/flannel' } as const;

/** Absolute path of a Go-built program; a MissingDependencyError says how to get it. */
export function toolPath(name: keyof typeof BUILT): string {
  const p = join(toolsRoot(), BUILT[name]);
  if (!existsSync(p)) throw new MissingDependencyError(`${name} (${p})`, 'run scripts/setup.sh to build it');
  return p;
}
