import { mergeGradeOutputs } from '../grading/index.ts';

/**
 * `knetsim merge` on grading outputs (`knetsim grade --shard i/n`): the class summary, student
 * pages and every CSV over all the shards' students, as one run would write them.
 */
export async function mergeGrades(inputDirs: string[], outDir: string): Promise<void> {
  mergeGradeOutputs(inputDirs, outDir);
}
