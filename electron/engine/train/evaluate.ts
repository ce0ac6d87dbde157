import * as tf from '@tensorflow/tfjs-core';
import type { SplitMetrics } from '../../../shared/run-types.js';
import type { BatchAssembler } from '../data/batches.js';
import type { Model } from '../models/model.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { correctCount, crossEntropySum } from './losses.js';

/** Examples per inference batch. */
export const EVAL_BATCH = 250;

/** Mean loss and accuracy of the model on the given examples (inference mode). */
export function evaluateSplit(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  assembler: BatchAssembler,
  indices: Int32Array,
  model: Model = ctx.model,
): SplitMetrics {
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < indices.length; s += EVAL_BATCH) {
    const batch = assembler.make(indices.subarray(s, s + EVAL_BATCH));
    const [l, c] = tf.tidy(() => {
      const out = model.forward(batch.x, { training: false, bnUpdates: [] });
      const r = plugin.evalBatch?.(ctx, batch, out) ?? {
        lossSum: crossEntropySum(out.output, batch.labels),
        correct: correctCount(out.output, batch.labels),
      };
      return tf.stack([r.lossSum, r.correct]).dataSync();
    });
    tf.dispose([batch.x, batch.labels]);
    loss += l ?? 0;
    correct += c ?? 0;
  }
  const n = Math.max(1, indices.length);
  return { loss: loss / n, acc: correct / n };
}
