/**
 * vitest globalSetup of the scenarios-skrouterd project: the real skrouterd must be on
 * PATH; otherwise the run stops at once, saying what is missing and how to get it.
 */
import { MissingDependencyError } from '../sys/errors.ts';
import { SKROUTERD_FIX, skrouterdOnPath } from '../components/skupper/router-kind.ts';

export default function setup(): void {
  if (!skrouterdOnPath()) {
    throw new MissingDependencyError(`skrouterd, which the scenarios-skrouterd project runs (PATH=${process.env.PATH ?? ''})`, SKROUTERD_FIX);
  }
}
