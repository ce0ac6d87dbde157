import type { SlurmSubmission } from '../../../shared/executor.js';
import type { LabHost } from '../../host/lab-host.js';
import { watchClusterRuns } from '../cluster-watch.js';
import type { CliContext } from '../command.js';
import { printSubmission } from './cluster-args.js';
import { reportFinished } from './run.js';

/**
 * After a Slurm submission: prints it, then (unless --dry-run or --detach) follows the runs until
 * they settle and prints their outcome and `after` (the study report). Ctrl-C stops following only.
 */
export async function followSubmission(
  host: LabHost,
  ctx: CliContext,
  detach: boolean,
  submission: SlurmSubmission,
  after?: () => Promise<unknown>,
): Promise<number> {
  printSubmission(ctx, submission);
  if (submission.dryRun || detach) return 0;
  const t0 = Date.now();
  const { statuses, detached } = await watchClusterRuns(host, submission.runs, ctx);
  if (detached) return 0;
  const code = await reportFinished(host, ctx, statuses, t0);
  if (after) {
    ctx.out('');
    await after();
  }
  return code;
}
