import { HarnessError } from '../sys/errors.ts';

/** What harness/grading exports to merge the outputs of `knetsim grade --shard i/n`. */
type MergeGradeOutputs = (inputDirs: string[], outDir: string) => unknown;

/**
 * The one hook `knetsim merge` calls for grading outputs: harness/grading's
 * `mergeGradeOutputs(inputDirs, outDir)` (class summary, student pages and grades.csv over
 * every shard's students; it checks its own shards). Looked up when called, so a build of
 * harness/grading without it says so instead of failing to load the merge command.
 */
export async function mergeGrades(inputDirs: string[], outDir: string): Promise<void> {
  const grading = (await import('../grading/index.ts')) as Record<string, unknown>;
  const merge = grading.mergeGradeOutputs as MergeGradeOutputs | undefined;
  if (typeof merge !== 'function') {
    throw new HarnessError('cannot merge grading outputs: harness/grading has no mergeGradeOutputs(inputDirs, outDir) in this build');
  }
  await merge(inputDirs, outDir);
}
