import {
  ExecutorChoiceSchema,
  SlurmOptionsSchema,
  type ExecutorChoice,
  type SlurmOptions,
  type SlurmSubmission,
} from '../../../shared/executor.js';
import { formatIssues, specIssues } from '../../../shared/spec/index.js';
import type { LabHost } from '../../host/lab-host.js';
import {
  optFlag,
  optList,
  optNumber,
  optString,
  UsageError,
  type CliContext,
  type ParsedArgs,
} from '../command.js';

/** Usage lines of the executor options (study, run, resume). */
export const EXECUTOR_USAGE = [
  '  --executor local|slurm        where the runs execute (default local: this machine, one after another)',
  '  Slurm (with --executor slurm; unset ones come from the data folder’s settings.json "cluster.defaults"):',
  '  --partition P  --account A  --qos Q  --time 24:00:00  --mem 16G',
  '  --cpus-per-task N  --gpus-per-task N  --max-parallel K (array tasks at once)',
  '  --sbatch-arg=--name=value     any further #SBATCH option (repeatable), e.g. --sbatch-arg=--constraint=a100',
  '  --lab-command "CMD"           how compute nodes start the lab (default: this node and lgg-lab, by path)',
  '  --assume-shared-fs            skip the check that the data folder is on a filesystem the nodes share',
  '  --dry-run                     write the run folders and the batch script, print the sbatch command, submit nothing',
  '  --detach                      submit and return (follow later with lgg-lab list, show or serve)',
];

function integer(args: ParsedArgs, name: string): number | undefined {
  const n = optNumber(args, name);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--${name} expects an integer`);
  return n;
}

/** The Slurm options given on the command line (validated). */
export function slurmOptionsFromArgs(args: ParsedArgs): SlurmOptions {
  const raw: Record<string, unknown> = {
    partition: optString(args, 'partition'),
    account: optString(args, 'account'),
    qos: optString(args, 'qos'),
    gpusPerTask: integer(args, 'gpus-per-task'),
    cpusPerTask: integer(args, 'cpus-per-task'),
    mem: optString(args, 'mem'),
    time: optString(args, 'time'),
    maxParallel: integer(args, 'max-parallel'),
    sbatchArgs: optList(args, 'sbatch-arg'),
  };
  const r = SlurmOptionsSchema.safeParse(raw);
  if (!r.success) throw new UsageError(`Slurm options:\n${formatIssues(specIssues(r.error))}`);
  return r.data;
}

/**
 * The executor an invocation asks for; undefined for the local queue. `--lab-command` is applied to
 * the host's settings in memory (this invocation only): it is the person at the terminal's to set.
 */
export function executorFromArgs(args: ParsedArgs, host: LabHost): ExecutorChoice | undefined {
  const kind = optString(args, 'executor') ?? 'local';
  if (kind !== 'local' && kind !== 'slurm')
    throw new UsageError(`--executor: "${kind}" is not local or slurm`);
  if (kind === 'local') return undefined;
  const labCommand = optString(args, 'lab-command');
  if (labCommand !== undefined) host.settings.cluster = { ...host.settings.cluster, labCommand };
  const r = ExecutorChoiceSchema.safeParse({
    kind: 'slurm',
    slurm: slurmOptionsFromArgs(args),
    dryRun: optFlag(args, 'dry-run'),
    assumeSharedFs: optFlag(args, 'assume-shared-fs'),
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
