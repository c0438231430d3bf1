import { MissingDependencyError } from '../../sys/errors.ts';

/** Simulations create namespaces and run daemons in them: that takes root. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new MissingDependencyError('root privileges', 'run knetsim as root (sudo), or in a --privileged container');
  }
}
