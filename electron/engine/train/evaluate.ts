import * as tf from '@tensorflow/tfjs-core';
import type { ReportTable, SplitMetrics } from '../../../shared/run-types.js';
import type { BatchAssembler } from '../data/batches.js';
import type { Model } from '../models/model.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { readTidy } from '../nn/read.js';
import { correctCount, crossEntropySum } from './losses.js';

/** Examples per inference batch. */
export const EVAL_BATCH = 250;

/** Mean loss and accuracy of the model on the given examples (inference mode). */
export async function evaluateSplit(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  assembler: BatchAssembler,
  indices: Int32Array,
  model: Model = ctx.model,
): Promise<SplitMetrics> {
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < indices.length; s += EVAL_BATCH) {
    const batch = assembler.make(indices.subarray(s, s + EVAL_BATCH));
    let l, c;
    try {
      [l, c] = await readTidy(() => {
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
    loss += l ?? 0;
    correct += c ?? 0;
  }
  const n = Math.max(1, indices.length);
  return { loss: loss / n, acc: correct / n };
}

/** Confusion matrix of the argmax predictions on the evaluated test examples (rows: true class). */
export async function confusionTable(ctx: RunContext): Promise<ReportTable> {
  const c = ctx.data.classes;
  const counts = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  const idx = ctx.indices.test;
  for (let s = 0; s < idx.length; s += EVAL_BATCH) {
    const batch = ctx.testBatches.make(idx.subarray(s, s + EVAL_BATCH));
    let pred;
    try {
      pred = await readTidy(() =>
        tf.argMax(ctx.model.forward(batch.x, { training: false, bnUpdates: [] }).output, 1),
      );
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
    batch.labelArray.forEach((t, i) => {
      const row = counts[t];
      const p = pred[i] ?? 0;
      if (row) row[p] = (row[p] ?? 0) + 1;
    });
  }
  const names = ctx.data.meta.classNames;
  return {
    id: 'confusion',
    title: `Confusion matrix (${idx.length} test examples; rows: true class, columns: predicted)`,
    columns: ['true \\ predicted', ...names],
    rows: counts.map((row, i) => [names[i] ?? String(i), ...row]),
  };
}
