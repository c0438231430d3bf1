import { existsSync } from 'node:fs';
import { MissingDependencyError } from '../../sys/errors.ts';
import { findOnPath } from '../../sys/find-on-path.ts';
import { toolPath } from './tool-paths.ts';

/** Simulations create namespaces and run daemons in them: that takes root. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new MissingDependencyError('root privileges', 'run knetsim as root (sudo), or in a --privileged container');
  }
}

const COMMANDS: Record<string, string> = {
  ip: 'iproute2',
  etcd: 'etcd-server',
  ping: 'iputils-ping',
  sysctl: 'procps',
};

/** Everything a simulation's start needs, checked before anything is created. */
export function preflight(): void {
  requireRoot();
  for (const [cmd, pkg] of Object.entries(COMMANDS)) {
    if (!findOnPath(cmd)) throw new MissingDependencyError(`${cmd} (Debian package ${pkg})`, 'run scripts/setup.sh');
  }
  toolPath('flannel');
  toolPath('cnitool');
  toolPath('flannel-cni');
  for (const plugin of ['bridge', 'host-local']) {
    if (!existsSync(`/usr/lib/cni/${plugin}`)) {
      throw new MissingDependencyError(`CNI plugin ${plugin} (Debian package containernetworking-plugins)`, 'run scripts/setup.sh');
    }
  }
}
