import path from 'node:path';
import type { EvaluateJob } from '../../../shared/engine-protocol.js';
import { runReference } from '../../../shared/paper-reference.js';
import { LabFailure } from '../../../shared/result.js';
import type { ReportTable, RunReport } from '../../../shared/run-types.js';
import { RunReportSchema } from '../../../shared/run-files.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import { readRunJson } from '../../common/run-folder/index.js';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../../shared/backend-types.js';
import { replicaCount, ReplicaPool, shareDataset } from '../replicas/index.js';
import type { ExperimentPlugin, FinishResult, RunContext } from '../train/experiment.js';
import { Sgd } from '../train/sgd.js';
import { disposeCheckpoint, loadCheckpoint, restoreInto } from '../train/checkpoint.js';
import { readRunSpec, setupRun, type JobIo } from '../train/run-setup.js';
import { SUITE_TABLES, tableOfMetric } from './suite.js';

/**
 * Merges a new evaluation into a report: a table replaces the one with the same id, new ones are
 * added, the robustness suite's tables stay in suite order ahead of the others (e.g. the trainer's
 * confusion matrix), and the scalar metrics of a replaced suite table are dropped before the new
 * ones are added, so a re-run with other ε values or bit widths leaves no stale numbers behind.
 */
export function mergeEvaluation(previous: RunReport, extra: FinishResult): RunReport {
  const replaced = new Set(extra.tables.map((t) => t.id));
  const merged: ReportTable[] = previous.tables.map((t) => extra.tables.find((x) => x.id === t.id) ?? t);
  for (const t of extra.tables) if (!previous.tables.some((p) => p.id === t.id)) merged.push(t);
  const rank = (t: ReportTable): number => {
    const i = SUITE_TABLES.indexOf(t.id);
    return i >= 0 ? i : SUITE_TABLES.length;
  };
  // Array.prototype.sort is stable: tables outside the suite keep their order.
  const tables = merged.sort((a, b) => rank(a) - rank(b));
  const kept = Object.entries(previous.metrics).filter(([k]) => {
    const owner = tableOfMetric(k);
    return owner === undefined || !replaced.has(owner);
  });
  return { ...previous, metrics: { ...Object.fromEntries(kept), ...extra.metrics }, tables };
}

/** The plugin's final evaluation shared by `threads` replicas (started for it, with the run's weights). */
async function onReplicas(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  threads: number,
  backend: BackendName,
): Promise<FinishResult> {
  ctx.progress({ phase: 'starting', detail: `starting ${threads} replicas`, threads });
  // The pool gives its workers the weights and (here zero) momentum, in the layout of the run's optimiser.
  const sgd = new Sgd(ctx.model.params.trainable, ctx.spec.training);
  try {
    const pool = await ReplicaPool.start(ctx, plugin, sgd, { replicas: threads, backend });
    try {
      return await pool.phases()('finish', ctx.spec.training.epochs);
    } finally {
      await pool.close();
    }
  } finally {
    sgd.dispose();
  }
}

/**
 * Re-runs the final evaluation of a finished run from its last checkpoint (`lgg-lab eval`), with
 * the run's own evaluation suite or the one given, and merges the result into report.json.
 */
export async function runEvaluation(job: EvaluateJob, io: JobIo): Promise<RunReport> {
  const spec = await readRunSpec(job.runDir);
  const file = path.join(job.runDir, 'report.json');
  const previous = (await readRunJson(job.runDir, 'report.json', RunReportSchema)) as RunReport | undefined;
  if (!previous)
    throw new LabFailure('not-found', `${job.runDir} has no report.json: the run has not finished`);
  const withSuite = job.evaluation && spec.kind === 'robust' ? { ...spec, evaluation: job.evaluation } : spec;
  const backend = tf.getBackend();
  // Evaluation batches are large and forward-only: any model gains from the granted threads.
  const threads = replicaCount(spec.threads, backend, spec.training.batchSize, {
    ...(job.threads !== undefined ? { granted: job.threads } : {}),
  });
  // Replicas read the dataset from shared memory rather than each loading a copy.
  const { ctx, plugin } = await setupRun(
    withSuite,
    job.runDir,
    job.dataDir,
    io,
    threads > 1 ? { prepareData: shareDataset } : {},
  );
  try {
    if (!plugin.finish) throw new LabFailure('unsupported', `a ${spec.kind} run has no evaluation suite`);
    const ckpt = await loadCheckpoint(job.runDir);
    try {
      restoreInto(ckpt, ctx.model);
    } finally {
      disposeCheckpoint(ckpt);
    }
    ctx.progress({ phase: 'robustness', epoch: spec.training.epochs, detail: 'evaluation' });
    const extra =
      threads > 1 && plugin.finishOnReplicas
        ? await onReplicas(ctx, plugin, threads, backend as BackendName)
        : await plugin.finish(ctx);
    if (io.cancelled()) throw new LabFailure('cancelled', 'evaluation cancelled; report.json is unchanged');
    const report = mergeEvaluation(previous, extra);
    const reference = runReference(spec.preset, spec.method, { ...report.metrics, testAcc: report.testAcc });
    if (reference) report.reference = reference;
    await writeJsonAtomic(file, report);
    return report;
  } finally {
    ctx.model.params.dispose();
    plugin.dispose();
  }
}
