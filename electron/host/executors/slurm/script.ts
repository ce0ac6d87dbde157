import { arraySpec, type SlurmOptions } from '../../../../shared/executor.js';
import { LabFailure } from '../../../../shared/result.js';
import { shellQuote } from './lab-command.js';

/** Exit code of `lgg-lab run-task` when the run checkpointed and stopped early (EX_TEMPFAIL). */
export const INTERRUPTED_EXIT = 75;

/** Seconds before the time limit at which Slurm warns the batch shell with USR1. */
export const WARN_SECONDS = 120;

/** What a generated batch script is made of. */
export interface ScriptInput {
  /** First comment line: what the array runs (e.g. `study "gkd" (4 runs)`). */
  title: string;
  /** `--job-name`. */
  jobName: string;
  /** Absolute run folders; task i runs `runDirs[i]`. */
  runDirs: readonly string[];
  /** `--output` pattern (absolute; `%A` array job id, `%a` task index) landing in the run folder. */
  output: string;
  /** The lab's data folder (absolute). */
  dataDir: string;
  /** `--chdir` of the tasks. */
  workDir: string;
  /** How compute nodes start the lab (argv). */
  labCommand: readonly string[];
  /** Resolved Slurm options. */
  options: SlurmOptions;
  /** Lab version, for the header. */
  version: string;
  /** Generation time. */
  createdAt: Date;
}

/** Characters a path may not hold in `#SBATCH` lines (`%` is a filename pattern, quotes and blanks split options). */
const UNSAFE_SBATCH_PATH = /[\s"'\\%]/;

function sbatchPath(p: string, what: string): string {
  // The log's own %A and %a are Slurm's patterns, not part of the path.
  if (UNSAFE_SBATCH_PATH.test(p.replace(/%[Aa]/g, ''))) {
    throw new LabFailure(
      'invalid-request',
      `${what} ${JSON.stringify(p)} holds a blank, a quote, a backslash or %, which #SBATCH lines cannot carry: ` +
        'use a data folder whose path has none',
    );
  }
  return p;
}

/** The `#SBATCH` options of a submission, in the order they appear in the script. */
export function sbatchOptions(i: ScriptInput): string[] {
  const o = i.options;
  const out = [
    `--job-name=${i.jobName.replace(/[^A-Za-z0-9_.-]+/g, '-')}`,
    `--array=${arraySpec(i.runDirs.length, o.maxParallel)}`,
    // Preemption and node failures requeue the task; it resumes from the run's checkpoint.
    '--requeue',
    // A requeued task appends to its log instead of truncating what the earlier attempt wrote.
    '--open-mode=append',
    `--signal=B:USR1@${WARN_SECONDS}`,
    `--output=${sbatchPath(i.output, 'the task log')}`,
    `--chdir=${sbatchPath(i.workDir, 'the working folder')}`,
    '--ntasks=1',
  ];
  if (o.cpusPerTask !== undefined) out.push(`--cpus-per-task=${o.cpusPerTask}`);
  if (o.gpusPerTask !== undefined) out.push(`--gpus-per-task=${o.gpusPerTask}`);
  if (o.mem !== undefined) out.push(`--mem=${o.mem}`);
  if (o.time !== undefined) out.push(`--time=${o.time}`);
  if (o.partition !== undefined) out.push(`--partition=${o.partition}`);
  if (o.account !== undefined) out.push(`--account=${o.account}`);
  if (o.qos !== undefined) out.push(`--qos=${o.qos}`);
  out.push(...o.sbatchArgs);
  return out;
}

/**
 * The batch script of a job array whose task i runs run folder i with `lgg-lab run-task`. Slurm's
 * warning signal (`--signal=B:USR1@120`) reaches the batch shell only, and TERM (scancel, requeue,
 * preemption) must reach the lab before KillWait runs out: so the lab runs in the background, the
 * shell forwards both signals and waits. After a time-limit warning the lab checkpoints mid-epoch
 * and exits 75; the task then requeues itself and resumes from the checkpoint when it runs again.
 */
export function slurmScript(i: ScriptInput): string {
  if (i.runDirs.length === 0) throw new LabFailure('invalid-request', 'no runs to submit');
  const lab = i.labCommand.map(shellQuote).join(' ');
  // The title holds a study's name: one comment line, whatever the name holds.
  const title = i.title.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
  return [
    '#!/bin/bash',
    `# LGG Lab ${i.version}: ${title} as a Slurm job array, generated ${i.createdAt.toISOString()}.`,
    '# Task i trains run folder i with `lgg-lab run-task`; the run folder is its only state, so a',
    "# requeued or resubmitted task resumes from the run's checkpoint. Submit with: sbatch <this file>",
    ...sbatchOptions(i).map((o) => `#SBATCH ${o}`),
    'set -u',
    'RUNS=(',
    ...i.runDirs.map((d) => `  ${shellQuote(d)}`),
    ')',
    'RUN=${RUNS[$SLURM_ARRAY_TASK_ID]}',
    `${lab} run-task "$RUN" --data-dir ${shellQuote(i.dataDir)} &`,
    'lab=$!',
    'warned=0',
    '# USR1: the time limit is 120 s away (or a preemption warning); TERM: scancel, requeue, preemption.',
    `trap 'warned=1; kill -USR1 "$lab" 2>/dev/null' USR1`,
    `trap 'kill -TERM "$lab" 2>/dev/null' TERM INT`,
    '# A trapped signal interrupts wait: wait again until the lab has exited, then take its status.',
    'wait "$lab"',
    'while kill -0 "$lab" 2>/dev/null; do wait "$lab"; done',
    'wait "$lab"',
    'code=$?',
    `if [ "$code" -eq ${INTERRUPTED_EXIT} ] && [ "$warned" -eq 1 ]; then`,
    '  # Checkpointed before the time limit: run again later, from the checkpoint.',
    '  scontrol requeue "$SLURM_JOB_ID"',
    'fi',
    'exit "$code"',
    '',
  ].join('\n');
}
