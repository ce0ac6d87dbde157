/**
 * Run folders as untrusted input: every file a run folder holds is read through this layer, which
 * validates it (schemas of shared/run-files.ts), keeps every path it records inside the folder and
 * checks weights against the checksum written with them. What fails is a {@link RunFolderDamage}
 * naming the file and the reason, which listings show as `damaged` instead of hiding the run.
 *
 * Readers of new run files (another executor's records, say) add their schema to
 * shared/run-files.ts and read through {@link readRunJson}.
 */
export { isInside, confinedPath } from './confine.js';
export { RUN_DAMAGED, RunFolderDamage, damageOf } from './damage.js';
export { describeIssues, parseMetricsLines, readMetricsFile, readRunJson, requireRunJson } from './read.js';
export type { MetricsLines } from './read.js';
export {
  checkCheckpoint,
  chooseResumePoint,
  findCheckpointFolder,
  latestCheckpoint,
  listCheckpoints,
  sha256File,
  sha256Hex,
} from './checkpoints.js';
export type { CheckedCheckpoint, CheckpointCheck, CheckpointEntry, ResumePoint } from './checkpoints.js';
