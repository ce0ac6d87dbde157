import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchAssembler } from '../data/batches.js';
import type { ForwardResult, Model } from '../models/model.js';
import { EVAL_BATCH } from '../train/evaluate.js';

/**
 * Runs `model` in inference mode over the examples `indices` of a split, EVAL_BATCH at a time, and
 * hands each forward result to `fn` inside a tf.tidy (keep what must outlive the batch, or read it
 * to the host). `offset` is the position of the batch's first example in `indices`.
 */
export function forEachInferenceBatch(
  model: Model,
  assembler: BatchAssembler,
  indices: Int32Array,
  fn: (out: ForwardResult, batch: Batch, offset: number) => void,
  want?: ReadonlySet<string>,
): void {
  for (let s = 0; s < indices.length; s += EVAL_BATCH) {
    const batch = assembler.make(indices.subarray(s, s + EVAL_BATCH));
    try {
      tf.tidy(() => fn(model.forward(batch.x, { training: false, bnUpdates: [] }, want), batch, s));
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
  }
}

/** Top-1 predictions (argmax of the output) of a model on examples of a split. */
export function predictions(model: Model, assembler: BatchAssembler, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  forEachInferenceBatch(model, assembler, indices, (r, _b, offset) => {
    out.set(tf.argMax(r.output, 1).dataSync(), offset);
  });
  return out;
}
