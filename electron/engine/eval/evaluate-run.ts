import path from 'node:path';
import type { EvaluateJob } from '../../../shared/engine-protocol.js';
import { LabFailure } from '../../../shared/result.js';
import type { RunReport } from '../../../shared/run-types.js';
import { readJsonIfExists, writeJsonAtomic } from '../../common/atomic-file.js';
import { disposeCheckpoint, loadCheckpoint, restoreInto } from '../train/checkpoint.js';
import { readRunSpec, setupRun, type JobIo } from '../train/run-setup.js';

/**
 * Re-runs the final evaluation of a finished run from its last checkpoint (`lgg-lab eval`), with
 * the run's own evaluation suite or the one given, and merges the result into report.json.
 */
export async function runEvaluation(job: EvaluateJob, io: JobIo): Promise<RunReport> {
  const spec = await readRunSpec(job.runDir);
  const withSuite = job.evaluation && spec.kind === 'robust' ? { ...spec, evaluation: job.evaluation } : spec;
  const { ctx, plugin } = await setupRun(withSuite, job.runDir, job.dataDir, io);
  try {
    const ckpt = await loadCheckpoint(job.runDir);
    try {
      restoreInto(ckpt, ctx.model);
    } finally {
      disposeCheckpoint(ckpt);
    }
    if (!plugin.finish) throw new LabFailure('unsupported', `a ${spec.kind} run has no evaluation suite`);
    const extra = await plugin.finish(ctx);
    const file = path.join(job.runDir, 'report.json');
    const previous = await readJsonIfExists<RunReport>(file);
    if (!previous) throw new LabFailure('not-found', `${job.runDir} has no report.json: the run has not finished`);
    const tables = [...previous.tables.filter((t) => !extra.tables.some((x) => x.id === t.id)), ...extra.tables];
    const report: RunReport = { ...previous, metrics: { ...previous.metrics, ...extra.metrics }, tables };
    await writeJsonAtomic(file, report);
    return report;
  } finally {
    ctx.model.params.dispose();
    plugin.dispose();
  }
}
