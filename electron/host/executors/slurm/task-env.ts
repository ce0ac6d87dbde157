import type { SlurmTaskRecord } from '../../../../shared/executor.js';
import { slurm } from './commands.js';

/** What a task knows of itself from the environment Slurm gives it. */
export interface TaskEnv {
  /** Array job id (`SLURM_ARRAY_JOB_ID`, else `SLURM_JOB_ID` for a plain job). */
  jobId: string;
  /** Index in the array (0 for a plain job). */
  arrayIndex: number;
  /** The task's own job id. */
  taskJobId: string;
  /** Node it runs on. */
  node?: string;
  /** Restarts so far (requeues). */
  restarts: number;
}

/** The task this process is, when Slurm started it. */
export function taskFromEnv(env: NodeJS.ProcessEnv = process.env): TaskEnv | undefined {
  const own = env.SLURM_JOB_ID;
  if (!own) return undefined;
  const t: TaskEnv = {
    jobId: env.SLURM_ARRAY_JOB_ID ?? own,
    arrayIndex: Number(env.SLURM_ARRAY_TASK_ID ?? 0),
    taskJobId: own,
    restarts: Number(env.SLURM_RESTART_COUNT ?? 0),
  };
  const node = env.SLURMD_NODENAME ?? env.SLURM_NODELIST;
  if (node) t.node = node;
  return t;
}

/** The status record of a task that runs now (the submitter's record completed with what the task knows). */
export function taskRecord(prev: SlurmTaskRecord | undefined, t: TaskEnv): SlurmTaskRecord {
  return {
    ...(prev ?? { kind: 'slurm', script: '' }),
    kind: 'slurm',
    jobId: t.jobId,
    arrayIndex: t.arrayIndex,
    taskJobId: t.taskJobId,
    restarts: t.restarts,
    ...(t.node ? { node: t.node } : {}),
  };
}

/**
 * True when the TERM this task got is a requeue (scontrol requeue, a preemption that requeues):
 * Slurm has counted a restart beyond the one this attempt started as. scancel and the time limit
 * leave the count as it was. Both show the job as COMPLETING at this moment, so the state cannot tell.
 */
export async function requeuedSinceStart(t: TaskEnv): Promise<boolean> {
  try {
    const out = await slurm('scontrol', ['show', 'job', '-o', t.taskJobId], { timeoutMs: 10_000 });
    const m = /\bRestarts=(\d+)/.exec(out);
    return m !== null && Number(m[1]) > t.restarts;
  } catch {
    return false;
  }
}
