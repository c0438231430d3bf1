export { loadExercise, loadExercises, type Exercise, type Check } from './exercise.ts';
export { gradeAll, gradeStudent, listStudents, type GradeOptions } from './grade.ts';
export { writeGradeReport } from './write-report.ts';
export type { StudentResult, ExerciseResult, CheckResult } from './results.ts';
export { runScenario, type ScenarioRunResult, type ScenarioOutcome } from './scenario-run.ts';
export { runIsolated, cleanStateDir } from './isolated-run.ts';
