import * as tf from '@tensorflow/tfjs-core';
import type { ForwardResult } from '../models/model.js';
import type { Collective } from './group.js';

function float32(values: tf.backend_util.TypedArray): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * The whole batch of a per-shard tensor [rows, …]: every replica's rows in rank order. Only this
 * replica's rows carry gradient (the others are constants here, and differentiated by their own
 * replica), so Σ over replicas of what reaches the shards is the whole-batch gradient.
 */
export function gatherBatch<T extends tf.Tensor>(t: T, c: Collective): T {
  if (c.size === 1) return t;
  const rows = c.rows.end - c.rows.start;
  if (t.shape[0] !== rows) {
    throw new Error(`gatherBatch: a tensor of ${t.shape[0]} rows on a shard of ${rows}`);
  }
  const rest = t.shape.slice(1);
  const rowSize = rest.reduce((a, b) => a * b, 1);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const all = c.gatherRows(float32(x.dataSync()), rowSize);
    return {
      value: tf.tensor(all, [c.rows.total, ...rest], 'float32'),
      gradFunc: (dy: tf.Tensor) => tf.slice(dy, c.rows.start, rows),
    };
  });
  return op(t) as T;
}

/** A forward result with the output and every tap gathered into the whole batch. */
export function wholeBatch(out: ForwardResult, c: Collective | undefined): ForwardResult {
  if (!c || c.size === 1) return out;
  const taps = new Map<string, tf.Tensor>();
  for (const [name, t] of out.taps) taps.set(name, gatherBatch(t, c));
  return { output: gatherBatch(out.output, c), taps };
}

/**
 * Sums every replica's gradients (in rank order, one shared-memory reduction for all of them).
 * `order` fixes the layout: the model's trainable variables, identical on every replica. Returns
 * new tensors keyed like `grads` and disposes the given ones.
 */
export function sumGradients(
  grads: Record<string, tf.Tensor>,
  order: readonly tf.Variable[],
  c: Collective,
): Record<string, tf.Tensor> {
  if (c.size === 1) return grads;
  const present = order.filter((v) => grads[v.name] !== undefined);
  const sizes = present.map((v) => v.size);
  const flat = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const v of present) {
    flat.set(float32((grads[v.name] as tf.Tensor).dataSync()), at);
    at += v.size;
  }
  const total = c.sum(flat);
  tf.dispose(Object.values(grads));
  const out: Record<string, tf.Tensor> = {};
  at = 0;
  for (const v of present) {
    out[v.name] = tf.tensor(total.subarray(at, at + v.size), v.shape, 'float32');
    at += v.size;
  }
  return out;
}
