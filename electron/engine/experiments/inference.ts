import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchAssembler } from '../data/batches.js';
import type { Model } from '../models/model.js';
import { readTidy } from '../nn/read.js';
import { batchRunner, type BatchRunner } from '../train/batch-loop.js';
import { EVAL_BATCH } from '../train/evaluate.js';
import type { RunContext } from '../train/experiment.js';

/** The runner of a plugin's evaluation loops: the phase's (shared by the replicas), never stopped. */
export function evaluationRunner(ctx: Pick<RunContext, 'batches'>): BatchRunner {
  return batchRunner({ ...(ctx.batches ? { batches: ctx.batches } : {}), cancelled: () => false });
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
