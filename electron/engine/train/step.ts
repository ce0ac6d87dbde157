import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batches.js';
import type { ForwardContext } from '../nn/layers.js';
import { sumGradients, wholeBatch } from '../replicas/index.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { correctCount } from './losses.js';
import type { Sgd } from './sgd.js';

/** Host-side numbers of one training step. */
export interface StepValues {
  /** Total objective. */
  loss: number;
  /** Correct predictions in the batch. */
  correct: number;
  /** Named loss components. */
  components: Record<string, number>;
}

/**
 * One optimiser step: forward with the plugin's taps, objective, gradients of every trainable
 * parameter, then — only if the loss is finite and below `maxLoss` — the SGD update, BatchNorm
 * running statistics and the plugin's post-step hook. A diverged step changes nothing.
 *
 * Under data-parallel replicas (`batch.replicas`) every replica runs this same function on its
 * shard: the forward result is gathered into the whole batch before the objective (so graph losses
 * see the whole batch's graph and per-example terms its normaliser), each replica differentiates
 * into its own rows, and the gradients are summed over the replicas before the identical update.
 */
export async function trainStep(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  sgd: Sgd,
  batch: Batch,
  lr: number,
  maxLoss: number,
): Promise<StepValues & { applied: boolean }> {
  const model = ctx.model;
  const c = batch.replicas;
  const fctx: ForwardContext = { training: true, bnUpdates: [], ...(c ? { replicas: c } : {}) };
  const vars = [...model.params.trainable.values()];
  const names: string[] = [];
  let extras: tf.Tensor | undefined;
  const taped = tf.variableGrads(() => {
    const out = wholeBatch(model.forward(batch.x, fctx, plugin.trainTaps), c);
    const l = plugin.loss(ctx, batch, out);
    const correct = plugin.trainCorrect?.(ctx, batch, out) ?? correctCount(out.output, batch.labels);
    names.push(...Object.keys(l.components));
    // Loss, correct count and components leave the device in one transfer; kept because
    // variableGrads disposes everything else made here.
    extras = tf.keep(tf.stack([l.total, correct, ...Object.values(l.components)]));
    return l.total;
  }, vars);
  const value = taped.value;
  const grads = c ? sumGradients(taped.grads, vars, c) : taped.grads;
  let applied = false;
  let ex: tf.TypedArray = new Float32Array(0);
  try {
    ex = extras ? await extras.data() : ex;
    applied = Number.isFinite(ex[0] ?? Number.NaN) && (ex[0] ?? Number.NaN) <= maxLoss;
    if (applied) {
      sgd.step(grads, lr);
      for (const [v, t] of fctx.bnUpdates) v.assign(t);
      await plugin.afterStep?.(ctx);
    }
  } finally {
    tf.dispose([
      value,
      ...(extras ? [extras] : []),
      ...Object.values(grads),
      ...fctx.bnUpdates.map(([, t]) => t),
    ]);
  }
  c?.end();
  const components: Record<string, number> = {};
  names.forEach((n, i) => (components[n] = ex[i + 2] ?? Number.NaN));
  return { loss: ex[0] ?? Number.NaN, correct: ex[1] ?? 0, components, applied };
}
