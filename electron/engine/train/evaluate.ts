import * as tf from '@tensorflow/tfjs-core';
import type { ReportTable, SplitMetrics } from '../../../shared/run-types.js';
import type { Batch, BatchAssembler } from '../data/batches.js';
import type { Model } from '../models/model.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { readTidy } from '../nn/read.js';
import { correctCount, crossEntropySum } from './losses.js';
import { columnSums, evaluationRunner, type BatchRunner } from './batch-loop.js';

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
  const { values } = await evaluationRunner(ctx).run(Math.ceil(indices.length / EVAL_BATCH), 2, async (b) => {
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
  const [loss = 0, correct = 0] = columnSums(values, 2);
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
  const pred = await predictions(evaluationRunner(ctx), ctx.model, ctx.testBatches, idx);
  idx.forEach((example, i) => {
    const row = counts[ctx.data.test.y[example] ?? -1];
    const p = pred[i] ?? -1;
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

/**
 * Runs `model` in inference mode over the examples `indices` of a split, EVAL_BATCH at a time, on
 * `runner` (batches shared by the replicas in a phase), and returns `width` numbers per example in
 * example order: `read` turns a batch's output into its rows (`width` per example, row-major).
 */
export async function inferenceRows(
  runner: BatchRunner,
  model: Model,
  assembler: BatchAssembler,
  indices: Int32Array,
  width: number,
  read: (output: tf.Tensor2D, batch: Batch) => Promise<ArrayLike<number>>,
): Promise<Float64Array> {
  const count = Math.ceil(indices.length / EVAL_BATCH);
  const r = await runner.run(count, EVAL_BATCH * width, async (b) => {
    const batch = assembler.make(indices.subarray(b * EVAL_BATCH, (b + 1) * EVAL_BATCH));
    let output: tf.Tensor2D | undefined;
    try {
      output = tf.tidy(() => model.forward(batch.x, { training: false, bnUpdates: [] }).output);
      // Padded to the loop's width; only the last batch is short, so rows stay in example order.
      const row = new Float64Array(EVAL_BATCH * width);
      row.set(await read(output, batch));
      return row;
    } finally {
      tf.dispose([batch.x, batch.labels, ...(output ? [output] : [])]);
    }
  });
  return r.values.subarray(0, indices.length * width);
}

/** Argmax predictions of `model` on the examples `indices` of a split. */
export async function predictions(
  runner: BatchRunner,
  model: Model,
  assembler: BatchAssembler,
  indices: Int32Array,
): Promise<Int32Array> {
  const rows = await inferenceRows(runner, model, assembler, indices, 1, (output) =>
    readTidy(() => tf.argMax(output, 1)),
  );
  return Int32Array.from(rows);
}
