import {
  ExecutorChoiceSchema,
  SlurmOptionsSchema,
  type ExecutorChoice,
  type SlurmOptions,
  type SlurmSubmission,
} from '../../../shared/executor.js';
import { formatIssues, specIssues } from '../../../shared/spec/index.js';
import type { LabHost } from '../../host/lab-host.js';
import { oneOf, UsageError, type CliContext, type OptionValues } from '../command.js';

/** The Slurm options of a submission (`study`, `run`) or a resubmission (`resume`). */
export const SLURM_OPTIONS = {
  partition: {
    type: 'string',
    value: 'P',
    help: 'Slurm: --partition (unset: the cluster defaults in settings)',
  },
  account: { type: 'string', value: 'A', help: 'Slurm: --account' },
  qos: { type: 'string', value: 'Q', help: 'Slurm: --qos' },
  time: { type: 'string', value: 'D-HH:MM:SS', help: 'Slurm: --time, the limit of each task' },
  mem: { type: 'string', value: '16G', help: 'Slurm: --mem' },
  'cpus-per-task': { type: 'number', value: 'N', help: 'Slurm: --cpus-per-task (the task’s threads)' },
  'gpus-per-task': { type: 'number', value: 'N', help: 'Slurm: --gpus-per-task' },
  'sbatch-arg': {
    type: 'string',
    multiple: true,
    value: '--NAME=VALUE',
    help: 'Slurm: any further #SBATCH option, given as --sbatch-arg=--constraint=a100',
  },
  detach: { type: 'boolean', help: 'submit and return (follow later with lgg-lab list, show or serve)' },
} as const;

/** Where a run or study executes, and how it is submitted to Slurm. */
export const EXECUTOR_OPTIONS = {
  executor: {
    type: 'string',
    value: 'local|slurm',
    help: 'where the runs execute (default local: this machine, one after another)',
  },
  ...SLURM_OPTIONS,
  'max-parallel': { type: 'number', value: 'K', help: 'Slurm: array tasks running at once (the array’s %K)' },
  'lab-command': {
    type: 'string',
    value: 'CMD',
    help: 'how compute nodes start the lab (default: this machine’s node and lgg-lab, by absolute path)',
  },
  'assume-shared-fs': {
    type: 'boolean',
    help: 'skip the check that the data folder is on a filesystem the compute nodes share',
  },
  'dry-run': {
    type: 'boolean',
    help: 'Slurm: write the run folders and the batch script, print the sbatch command, submit nothing',
  },
} as const;

function integer(name: string, n: number | undefined): number | undefined {
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--${name} expects an integer`);
  return n;
}

/** The Slurm options given on the command line (validated); undefined when none is. */
export function slurmOptionsFromArgs(
  o: OptionValues<typeof SLURM_OPTIONS> & { readonly 'max-parallel'?: number },
): SlurmOptions | undefined {
  const raw = {
    partition: o.partition,
    account: o.account,
    qos: o.qos,
    gpusPerTask: integer('gpus-per-task', o['gpus-per-task']),
    cpusPerTask: integer('cpus-per-task', o['cpus-per-task']),
    mem: o.mem,
    time: o.time,
    maxParallel: integer('max-parallel', o['max-parallel']),
    sbatchArgs: o['sbatch-arg'] ?? [],
  };
  const r = SlurmOptionsSchema.safeParse(raw);
  if (!r.success) throw new UsageError(`Slurm options:\n${formatIssues(specIssues(r.error))}`);
  const given = Object.values(r.data).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
  return given ? r.data : undefined;
}

/**
 * The executor an invocation asks for; undefined for the local queue. `--lab-command` is applied to
 * the host's settings in memory (this invocation only): it is the person at the terminal's to set.
 */
export function executorFromArgs(
  o: OptionValues<typeof EXECUTOR_OPTIONS>,
  host: LabHost,
): ExecutorChoice | undefined {
  const kind = oneOf('executor', o.executor, ['local', 'slurm'] as const) ?? 'local';
  const slurmOnly = (
    ['dry-run', 'max-parallel', 'lab-command', 'assume-shared-fs', 'detach'] as const
  ).filter((k) => o[k] !== undefined);
  if (kind === 'local') {
    const stray = slurmOptionsFromArgs(o) !== undefined || slurmOnly.length > 0;
    if (stray) throw new UsageError('the Slurm options need --executor slurm');
    return undefined;
  }
  if (o['lab-command'] !== undefined)
    host.settings.cluster = { ...host.settings.cluster, labCommand: o['lab-command'] };
  const r = ExecutorChoiceSchema.safeParse({
    kind: 'slurm',
    slurm: slurmOptionsFromArgs(o) ?? { sbatchArgs: [] },
    dryRun: o['dry-run'] === true,
    assumeSharedFs: o['assume-shared-fs'] === true,
  });
  if (!r.success) throw new UsageError(formatIssues(specIssues(r.error)));
  return r.data;
}

/** Prints what a submission did (or, for a dry run, would do). */
export function printSubmission(ctx: CliContext, s: SlurmSubmission): void {
  ctx.out(`batch script: ${s.script}`);
  if (s.dryRun) {
    ctx.out(`dry run: nothing was submitted. Submit with:\n  ${s.command}`);
    return;
  }
  ctx.out(
    `submitted: Slurm job ${s.jobId} (${s.runs.length} array task${s.runs.length === 1 ? '' : 's'}), ${s.command}`,
  );
  s.runs.forEach((id, i) => ctx.out(`  task ${s.jobId}_${i} → ${id}`));
}
