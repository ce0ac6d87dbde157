import * as tf from '@tensorflow/tfjs-core';
import { normalizedGram } from './gram.js';

// Measurement helpers for the wasm training kernels: a self-contained copy of the reference CNN
// (same ops as the engine's model) and timers. Gradients must be registered by the caller
// (scripts/bench-kernels.mjs bundles tfjs-core's register_all_gradients).

const PAD1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/** Deterministic uniform values in [−scale, scale) that are identical on every backend. */
export function pseudoRandom(size: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

export interface RefCnn {
  variables: tf.Variable[];
  logits(x: tf.Tensor4D): tf.Tensor2D;
}

/** conv3×3(32, pad 1)+b → ReLU → maxpool 2 → conv3×3(64, pad 1)+b → ReLU → maxpool 2 → 128 → 10. */
export function createRefCnn(seed: number): RefCnn {
  const make = (name: string, shape: number[], fanIn: number): tf.Variable => {
    const bound = 1 / Math.sqrt(fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.variable(
      tf.tensor(pseudoRandom(size, seed + name.length * 7919 + size, bound), shape),
      true,
      name,
    );
  };
  const w1 = make('w1', [3, 3, 1, 32], 9);
  const b1 = make('b1', [32], 9);
  const w2 = make('w2', [3, 3, 32, 64], 288);
  const b2 = make('b2', [64], 288);
  const w3 = make('w3', [3136, 128], 3136);
  const b3 = make('b3', [128], 3136);
  const w4 = make('w4', [128, 10], 128);
  const b4 = make('b4', [10], 128);
  return {
    variables: [w1, b1, w2, b2, w3, b3, w4, b4],
    logits(x) {
      const r1 = tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, PAD1), b1)) as tf.Tensor4D;
      const z1 = tf.maxPool(r1, 2, 2, 'valid');
      const r2 = tf.relu(tf.add(tf.conv2d(z1, w2 as tf.Tensor4D, 1, PAD1), b2)) as tf.Tensor4D;
      const z2 = tf.maxPool(r2, 2, 2, 'valid');
      const flat = tf.reshape(z2, [x.shape[0], 3136]);
      const h = tf.relu(tf.add(tf.matMul(flat, w3 as tf.Tensor2D), b3));
      return tf.add(tf.matMul(h as tf.Tensor2D, w4 as tf.Tensor2D), b4);
    },
  };
}

/** One SGD-with-momentum step (torch semantics, dampening 0); returns the loss before the update. */
export function makeTrainStep(model: RefCnn, lr: number, momentum: number) {
  const buffers = model.variables.map((v) => tf.variable(tf.zerosLike(v), false));
  return (x: tf.Tensor4D, labels: tf.Tensor2D): number => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(labels, model.logits(x)),
      model.variables,
    );
    tf.tidy(() => {
      model.variables.forEach((v, i) => {
        const g = grads[v.name];
        const buf = buffers[i];
        if (g === undefined || buf === undefined) return;
        const b = tf.add(tf.mul(buf, momentum), g);
        buf.assign(b);
        v.assign(tf.sub(v, tf.mul(b, lr)));
      });
    });
    const loss = value.dataSync()[0] ?? Number.NaN;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
}

export function syntheticBatch(batch: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.tensor4d(pseudoRandom(batch * 784, seed), [batch, 28, 28, 1]);
  const labels = Array.from({ length: batch }, (_, i) => (i * 7 + seed) % 10);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D;
  return { x, y: tf.cast(y, 'float32') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

export interface StepTiming {
  batch: number;
  medianMs: number;
  samplesPerSec: number;
}

export function timeTrainStep(batch: number, steps = 20, warmup = 3): StepTiming {
  const model = createRefCnn(1);
  const step = makeTrainStep(model, 0.01, 0.9);
  const { x, y } = syntheticBatch(batch, 3);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    step(x, y);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  tf.dispose([x, y, ...model.variables]);
  const medianMs = median(times);
  return { batch, medianMs, samplesPerSec: (batch * 1000) / medianMs };
}

/** Total kernel time per kernel name over one training step, largest first. */
export async function profileTrainStep(batch: number): Promise<[string, number, number][]> {
  const model = createRefCnn(1);
  const step = makeTrainStep(model, 0.01, 0.9);
  const { x, y } = syntheticBatch(batch, 3);
  step(x, y);
  const info = await tf.profile(() => {
    step(x, y);
  });
  const totals = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const [t, c] = totals.get(k.name) ?? [0, 0];
    totals.set(k.name, [t + ms, c + 1]);
  }
  tf.dispose([x, y, ...model.variables]);
  return [...totals]
    .map(([name, [ms, count]]): [string, number, number] => [name, ms, count])
    .sort((a, b) => b[1] - a[1]);
}

/** Median ms of the LGG op pattern: row-normalise X [b, d], then X̂ X̂ᵀ via matMul(…, transposeB). */
export function timeGram(b: number, d: number, reps = 5): { transposeB: number; explicit: number } {
  const x = tf.tensor2d(pseudoRandom(b * d, 11), [b, d]);
  const run = (f: () => tf.Tensor): number => {
    tf.dispose(f());
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const g = f();
      g.dataSync();
      times.push(performance.now() - t0);
      g.dispose();
    }
    return median(times);
  };
  const transposeB = run(() =>
    tf.tidy(() => {
      const xn = tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24)));
      return tf.matMul(xn, xn, false, true);
    }),
  );
  const explicit = run(() => normalizedGram(x));
  x.dispose();
  return { transposeB, explicit };
}
