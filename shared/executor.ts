import { z } from 'zod';

/**
 * Where runs execute: `local` (the host's queue, one engine process per run) or `slurm` (one array
 * task per run on a Slurm cluster, `lgg-lab run-task <run-folder>` on a compute node).
 */

/** sbatch options the generated script sets itself (or that would take the job elsewhere). */
export const RESERVED_SBATCH: readonly string[] = [
  'array',
  'output',
  'error',
  'input',
  'chdir',
  'open-mode',
  'signal',
  'requeue',
  'no-requeue',
  'job-name',
  'ntasks',
  'wrap',
  'parsable',
  'hold',
];

/** Slurm names (partition, account, QoS): no spaces or shell syntax. */
const slurmName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.+-]+$/, 'letters, digits and _ . + - only');

/** `--time` as sbatch accepts it: minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S. */
const slurmTime = z
  .string()
  .trim()
  .regex(/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}(:\d{1,2}){0,2})$/, 'e.g. 24:00:00 or 2-00:00:00');

/** Options of a Slurm submission (`lgg-lab study --executor slurm …`, the study form, settings defaults). */
export const SlurmOptionsSchema = z
  .object({
    /** `--partition`. */
    partition: slurmName.optional(),
    /** `--account`. */
    account: slurmName.optional(),
    /** `--qos`. */
    qos: slurmName.optional(),
    /** `--gpus-per-task`: GPUs of each task (the engine then picks a GPU backend when one loads). */
    gpusPerTask: z.number().int().min(0).max(64).optional(),
    /** `--cpus-per-task`: cores of each task (also the engine's thread budget). */
    cpusPerTask: z.number().int().min(1).max(1024).optional(),
    /** `--mem`: memory per node, e.g. `16G` (K, M, G or T suffix; megabytes without). */
    mem: z
      .string()
      .trim()
      .regex(/^\d+[KMGT]?$/i, 'e.g. 16G or 4000M')
      .optional(),
    /** `--time`: wall-clock limit of each task. */
    time: slurmTime.optional(),
    /** `%K` of `--array`: tasks running at once (default: no limit). */
    maxParallel: z.number().int().min(1).max(100_000).optional(),
    /**
     * Further `#SBATCH` options, each one `--name` or `--name=value` (e.g. `--constraint=a100`); not
     * those the lab sets itself (the array, logs, folder, signal and requeue).
     */
    sbatchArgs: z
      .array(
        z
          .string()
          .trim()
          .regex(/^--[A-Za-z][A-Za-z0-9-]*(=[^\n\r]*)?$/, 'one long option per item, e.g. --constraint=a100')
          .refine((a) => !RESERVED_SBATCH.includes(a.slice(2).split('=')[0] ?? ''), {
            error: (iss) => `${String(iss.input).split('=')[0]} is set by the lab itself`,
          }),
      )
      .max(50)
      .default([]),
  })
  .strict();
/** Slurm options as given (missing ones fall back to the settings' defaults). */
export type SlurmOptions = z.infer<typeof SlurmOptionsSchema>;
/** What a caller may send. */
export type SlurmOptionsInput = z.input<typeof SlurmOptionsSchema>;

/** The executor a run or study is started on. */
export const ExecutorChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z
    .object({
      kind: z.literal('slurm'),
      /** Options of this submission; unset ones come from the cluster settings. */
      slurm: SlurmOptionsSchema.default({ sbatchArgs: [] }),
      /** Write the run folders and the script, print the command, submit nothing. */
      dryRun: z.boolean().default(false),
      /** Skip the shared-filesystem check of the data folder (a filesystem the check does not know). */
      assumeSharedFs: z.boolean().default(false),
    })
    .strict(),
]);
/** A parsed executor choice. */
export type ExecutorChoice = z.infer<typeof ExecutorChoiceSchema>;
/** What a caller may send. */
export type ExecutorChoiceInput = z.input<typeof ExecutorChoiceSchema>;

/**
 * What a run's `status.json` records of its Slurm task (`executor`): written by the lab that
 * submitted it and completed by the task itself when it starts on a node.
 */
export interface SlurmTaskRecord {
  /** Discriminant. */
  kind: 'slurm';
  /** The array job id (`SLURM_ARRAY_JOB_ID`); absent until submitted (a dry run). */
  jobId?: string;
  /** The run's index in the array (`SLURM_ARRAY_TASK_ID`). */
  arrayIndex: number;
  /** The generated batch script (absolute path). */
  script: string;
  /** ISO-8601 time of the submission. */
  submittedAt?: string;
  /** The Slurm options it was submitted with (a resubmission for resume reuses them). */
  options?: SlurmOptions;
  /** The task's own job id (`SLURM_JOB_ID`), once it started. */
  taskJobId?: string;
  /** Node the task runs (or last ran) on. */
  node?: string;
  /** Times Slurm restarted the task (`SLURM_RESTART_COUNT`: requeues, preemptions). */
  restarts?: number;
}

/** Where a run executes, as recorded in its status. */
export type ExecutorRecord = SlurmTaskRecord;

/** Every {@link SlurmPhase}, in the order a task goes through them. */
export const SLURM_PHASES = [
  'not-submitted',
  'pending',
  'running',
  'completing',
  'suspended',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'preempted',
  'node-fail',
  'out-of-memory',
  'unknown',
] as const;

/** A run's Slurm task as `squeue`/`sacct` see it, reduced to what the lab shows. */
export type SlurmPhase = (typeof SLURM_PHASES)[number];

/** Phases after which the task runs no more (unless requeued or resubmitted). */
export const SLURM_DONE_PHASES: readonly SlurmPhase[] = [
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'preempted',
  'node-fail',
  'out-of-memory',
];

/**
 * The Slurm view of a run's task, derived by the host from `squeue`/`sacct` when it reads the run
 * (never stored in status.json: only Slurm knows it, and only while it remembers the job).
 */
export interface SlurmTaskState {
  /** Lab phase. */
  phase: SlurmPhase;
  /** Slurm's own state word (`PENDING`, `RUNNING`, `TIMEOUT`, …), or '' when unknown. */
  state: string;
  /** The task as Slurm names it, `<job>_<index>`. */
  task: string;
  /** Node(s) it runs or ran on. */
  node?: string;
  /** Slurm's reason (pending: `Priority`, `Resources`, `BeginTime`…; or why it ended). */
  reason?: string;
  /** `exit:signal` as Slurm reports it, for finished tasks. */
  exitCode?: string;
  /** Where the answer came from: `squeue` (jobs Slurm still holds), `sacct` (accounting) or neither. */
  source: 'squeue' | 'sacct' | 'none';
  /** ISO-8601 time of the query. */
  checkedAt: string;
}

/** Cluster defaults kept in the data folder's settings (used where a submission leaves options unset). */
export const ClusterSettingsSchema = z
  .object({
    /** Default Slurm options. */
    defaults: SlurmOptionsSchema.default({ sbatchArgs: [] }),
    /**
     * How compute nodes start the lab, e.g. `/shared/node/bin/node /shared/lgg-lab/bin/lgg-lab.js`
     * (default: this installation's node and lgg-lab, by absolute path).
     */
    labCommand: z.string().trim().min(1).max(1000).optional(),
    /** Seconds between `squeue` queries while cluster runs are active. */
    pollSeconds: z.number().min(1).max(600).default(10),
  })
  .strict();
/** Parsed cluster settings. */
export type ClusterSettings = z.infer<typeof ClusterSettingsSchema>;

/** Outcome of the shared-filesystem check of the data folder. */
export interface SharedFsCheck {
  /** True when compute nodes can be expected to see the data folder. */
  ok: boolean;
  /** Filesystem type of the data folder (`nfs`, `lustre`, `ext4`, …). */
  fsType: string;
  /** Nodes of the partition, when they were asked for. */
  nodes?: string[];
  /** Why it passes or fails, for humans. */
  message: string;
}

/** What the cluster part of the study form and the settings show. */
export interface ClusterInfo {
  /** Saved defaults. */
  settings: ClusterSettings;
  /** The lab command tasks will run (the setting, or this installation's). */
  labCommand: string;
  /**
   * True where this UI may set what the cluster runs: the lab command and free-form #SBATCH options
   * (`--export`, `--prolog`, …). Not in web mode, where a token holder would run commands as the user.
   */
  commandEditable: boolean;
  /** `sbatch --version`, or why sbatch cannot be used. */
  slurm: { available: true; version: string; partitions: string[] } | { available: false; message: string };
  /** The lab's data folder, which compute nodes must share. */
  dataDir: string;
  /** Shared-filesystem check of the data folder (for the default partition). */
  sharedFs: SharedFsCheck;
}

/** A submission as the lab made (or, for a dry run, prepared) it. */
export interface SlurmSubmission {
  /** Array job id; absent for a dry run. */
  jobId?: string;
  /** The generated batch script (absolute path). */
  script: string;
  /** The command that submits it. */
  command: string;
  /** Nothing was submitted. */
  dryRun: boolean;
  /** Run ids in array order. */
  runs: string[];
}

/** `--array` of N tasks with at most K at once: `0-(N−1)%K`. */
export function arraySpec(n: number, maxParallel?: number): string {
  const range = n === 1 ? '0' : `0-${n - 1}`;
  return maxParallel !== undefined && maxParallel < n ? `${range}%${maxParallel}` : range;
}

/** One line for a task's Slurm state: `Slurm RUNNING on node07`, `Slurm PENDING (Priority)`, … */
export function slurmStateLabel(s: SlurmTaskState | undefined): string {
  if (!s) return '';
  if (s.phase === 'not-submitted') return 'not submitted';
  if (s.source === 'none') return `Slurm: ${s.reason ?? `task ${s.task} unknown to Slurm`}`;
  const reason = s.reason && s.phase === 'pending' ? ` (${s.reason})` : '';
  const exit = s.exitCode && s.phase !== 'completed' ? ` exit ${s.exitCode}` : '';
  return `Slurm ${s.state}${s.node && s.phase !== 'pending' ? ` on ${s.node}` : ''}${reason}${exit}`;
}
