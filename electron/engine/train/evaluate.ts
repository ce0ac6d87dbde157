import * as tf from '@tensorflow/tfjs-core';
import type { ReportTable, SplitMetrics } from '../../../shared/run-types.js';
import type { BatchAssembler } from '../data/batches.js';
import type { Model } from '../models/model.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { readTidy } from '../nn/read.js';
import { correctCount, crossEntropySum } from './losses.js';
import { batchRunner, localBatches } from './batch-loop.js';

/** Examples per inference batch. */
export const EVAL_BATCH = 250;

/**
 * Mean loss and accuracy of the model on the given examples (inference mode). Batches run on the
 * phase's runner (`ctx.batches`: shared by the replicas) and are summed in batch order.
 */
export async function evaluateSplit(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  assembler: BatchAssembler,
  indices: Int32Array,
  model: Model = ctx.model,
): Promise<SplitMetrics> {
  // Not cancellable: an epoch's record is always whole.
  const runner = ctx.batches ?? localBatches(() => false);
  const { values } = await runner.run(Math.ceil(indices.length / EVAL_BATCH), 2, async (b) => {
    const batch = assembler.make(indices.subarray(b * EVAL_BATCH, (b + 1) * EVAL_BATCH));
    try {
      return await readTidy(() => {
        const out = model.forward(batch.x, { training: false, bnUpdates: [] });
        const r = plugin.evalBatch?.(ctx, batch, out) ?? {
          lossSum: crossEntropySum(out.output, batch.labels),
          correct: correctCount(out.output, batch.labels),
        };
        return tf.stack([r.lossSum, r.correct]);
      });
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
  });
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < values.length; i += 2) {
    loss += values[i] ?? 0;
    correct += values[i + 1] ?? 0;
  }
  const n = Math.max(1, indices.length);
  return { loss: loss / n, acc: correct / n };
}

/** Test metrics, and validation metrics when the run holds out a validation split. */
export async function evaluateSplits(
  ctx: RunContext,
  plugin: ExperimentPlugin,
): Promise<{ test: SplitMetrics; val?: SplitMetrics }> {
  const test = await evaluateSplit(ctx, plugin, ctx.testBatches, ctx.indices.test);
  if (ctx.indices.val.length === 0) return { test };
  return { test, val: await evaluateSplit(ctx, plugin, ctx.trainBatches, ctx.indices.val) };
}

/** Confusion matrix of the argmax predictions on the evaluated test examples (rows: true class). */
export async function confusionTable(ctx: RunContext): Promise<ReportTable> {
  const c = ctx.data.classes;
  const counts = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  const idx = ctx.indices.test;
  // Each batch's predictions, padded with −1 to the loop's width.
  const { values } = await batchRunner({ ...ctx, cancelled: () => false }).run(
    Math.ceil(idx.length / EVAL_BATCH),
    EVAL_BATCH,
    async (b) => {
      const batch = ctx.testBatches.make(idx.subarray(b * EVAL_BATCH, (b + 1) * EVAL_BATCH));
      try {
        const pred = await readTidy(() =>
          tf.argMax(ctx.model.forward(batch.x, { training: false, bnUpdates: [] }).output, 1),
        );
        const row = new Float64Array(EVAL_BATCH).fill(-1);
        row.set(pred);
        return row;
      } finally {
        tf.dispose([batch.x, batch.labels]);
      }
    },
  );
  idx.forEach((example, i) => {
    const row = counts[ctx.data.test.y[example] ?? -1];
    const p = values[i] ?? -1;
    if (row && p >= 0) row[p] = (row[p] ?? 0) + 1;
  });
  const names = ctx.data.meta.classNames;
  return {
    id: 'confusion',
    title: `Confusion matrix (${idx.length} test examples; rows: true class, columns: predicted)`,
    columns: ['true \\ predicted', ...names],
    rows: counts.map((row, i) => [names[i] ?? String(i), ...row]),
  };
}
