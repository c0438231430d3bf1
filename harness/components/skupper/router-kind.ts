import { findOnPath } from '../../sys/find-on-path.ts';
import { MissingDependencyError } from '../../sys/errors.ts';

export type RouterKind = 'builtin' | 'skrouterd';

/** Where skrouterd is on PATH, if it is. */
export function skrouterdOnPath(path = process.env.PATH ?? ''): string | undefined {
  return findOnPath('skrouterd', path);
}

export const SKROUTERD_FIX =
  'put the real skupper-router\'s skrouterd on PATH (build github.com/skupperproject/skupper-router from source; ' +
  'it needs Apache Qpid Proton). Without it the built-in router serves: KNETSIM_ROUTER unset or builtin, the scenarios project';

/**
 * Which router the multi-cluster scenarios run: KNETSIM_ROUTER=builtin|skrouterd when set
 * (skrouterd then must be on PATH), else the real skrouterd when it is on PATH, else our own.
 */
export function routerKind(env: NodeJS.ProcessEnv = process.env): RouterKind {
  const want = env.KNETSIM_ROUTER;
  if (want !== undefined && want !== '' && want !== 'builtin' && want !== 'skrouterd') {
    throw new MissingDependencyError(`router "${want}" (KNETSIM_ROUTER)`, 'KNETSIM_ROUTER must be builtin or skrouterd');
  }
  if (want === 'builtin') return 'builtin';
  const found = skrouterdOnPath(env.PATH);
  if (want === 'skrouterd' && !found) throw new MissingDependencyError(`skrouterd (KNETSIM_ROUTER=skrouterd; PATH=${env.PATH ?? ''})`, SKROUTERD_FIX);
  return found ? 'skrouterd' : 'builtin';
}
