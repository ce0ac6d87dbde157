import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchAssembler } from '../data/batches.js';
import type { ForwardResult, Model } from '../models/model.js';
import { readTidy } from '../nn/read.js';
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

/**
 * Like {@link forEachInferenceBatch} for work that reads values back (which is asynchronous on a
 * GPU backend): the batch's output stays alive until `fn` resolves, then is freed.
 */
export async function forEachInferenceOutput(
  model: Model,
  assembler: BatchAssembler,
  indices: Int32Array,
  fn: (output: tf.Tensor2D, batch: Batch, offset: number) => Promise<void>,
): Promise<void> {
  for (let s = 0; s < indices.length; s += EVAL_BATCH) {
    const batch = assembler.make(indices.subarray(s, s + EVAL_BATCH));
    let output: tf.Tensor2D | undefined;
    try {
      output = tf.tidy(() => model.forward(batch.x, { training: false, bnUpdates: [] }).output);
      await fn(output, batch, s);
    } finally {
      tf.dispose([batch.x, batch.labels, ...(output ? [output] : [])]);
    }
  }
}

/** Top-1 predictions (argmax of the output) of a model on examples of a split. */
export async function predictions(
  model: Model,
  assembler: BatchAssembler,
  indices: Int32Array,
): Promise<Int32Array> {
  const out = new Int32Array(indices.length);
  await forEachInferenceOutput(model, assembler, indices, async (output, _b, offset) => {
    out.set(await readTidy(() => tf.argMax(output, 1)), offset);
  });
  return out;
}
