/**
 * Executors: where runs execute. `local` is the host's queue on this machine; `slurm` submits runs
 * as a job array whose tasks run `lgg-lab run-task <run-folder>` on compute nodes, the run folder
 * on a shared filesystem being the only state. A run's status records its executor, so every host
 * (CLI, desktop, web mode) stops, resumes and observes it the same way wherever it runs.
 */
import type { RunStatus } from '../../../shared/run-types.js';

export { LocalExecutor } from './local.js';
export { slurm } from './slurm/commands.js';
export { labCommandWords, shellQuote, splitCommandLine } from './slurm/lab-command.js';
export { reconcileStatus, taskLogTail } from './slurm/reconcile.js';
export { INTERRUPTED_EXIT, slurmScript, WARN_SECONDS } from './slurm/script.js';
export { checkSharedDataDir, filesystemOf } from './slurm/shared-fs.js';
export {
  CANCEL_MARKER,
  mergeOptions,
  SlurmExecutor,
  type SubmissionOwner,
  type SubmitOptions,
} from './slurm/slurm-executor.js';
export { parseSacct, parseSqueue, slurmPhase, taskName } from './slurm/task-states.js';

/** True for a run whose task Slurm runs. */
export function isClusterRun(s: RunStatus): boolean {
  return s.executor?.kind === 'slurm';
}
export { requeuedSinceStart, taskFromEnv, taskRecord, type TaskEnv } from './slurm/task-env.js';
