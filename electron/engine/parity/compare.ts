import * as tf from '@tensorflow/tfjs-core';
import { pseudoRandom } from '../kernels/bench-step.js';

/** Tensor data as plain arrays, so the same inputs reach both backends. */
export type Arrays = Record<string, { values: Float32Array | Int32Array; shape: number[] }>;

/** A computation on tensors, and what to free after its outputs are read (e.g. a model's variables). */
export interface Computation {
  run: (t: Record<string, tf.Tensor>) => tf.Tensor[];
  cleanup?: () => void;
}

/** Deterministic values in [-1, 1) for each named shape. */
export function randomArrays(shapes: Record<string, number[]>, seed: number): Arrays {
  const out: Arrays = {};
  let s = seed;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    out[name] = { values: pseudoRandom(size, (s += 101)), shape };
  }
  return out;
}

/**
 * Switches to `backend`, builds the computation there (`make`: models are created on the current
 * backend), runs it on tensors made from `inputs` and returns every output read back.
 */
export async function runOn(
  backend: string,
  inputs: Arrays,
  make: () => Computation,
): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  const c = make();
  try {
    const outs = tf.tidy(() => {
      const t: Record<string, tf.Tensor> = {};
      for (const [name, { values, shape }] of Object.entries(inputs)) {
        t[name] = tf.tensor(values, shape, values instanceof Int32Array ? 'int32' : 'float32');
      }
      return c.run(t);
    });
    try {
      return (await Promise.all(outs.map((o) => o.data()))).map((v) => Float32Array.from(v));
    } finally {
      tf.dispose(outs);
    }
  } finally {
    c.cleanup?.();
  }
}

/** The worst disagreement of one output tensor with its reference. */
export interface Mismatch {
  /** Which output (index in the computation's list). */
  output: number;
  /** Flat index of the worst entry. */
  index: number;
  /** Value on the backend under test. */
  actual: number;
  /** Value on the reference backend. */
  expected: number;
  /**
   * |actual − expected| / max(|expected|, 1e-2 · max|expected|): relative to the entry, or to 1 %
   * of the tensor's largest entry for near-zero entries (sums need not cancel exactly).
   */
  error: number;
}

/** The worst entry over all outputs (NaN or a length mismatch count as infinitely wrong). */
export function worstMismatch(actual: Float32Array[], expected: Float32Array[]): Mismatch {
  let worst: Mismatch = { output: -1, index: -1, actual: 0, expected: 0, error: 0 };
  if (actual.length !== expected.length) return { ...worst, error: Number.POSITIVE_INFINITY };
  expected.forEach((e, o) => {
    const a = actual[o] ?? new Float32Array(0);
    if (a.length !== e.length) {
      worst = { output: o, index: -1, actual: a.length, expected: e.length, error: Number.POSITIVE_INFINITY };
      return;
    }
    let scale = 0;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    const floor = 1e-2 * scale + 1e-12;
    for (let i = 0; i < e.length; i++) {
      const ev = e[i] ?? 0;
      const av = a[i] ?? 0;
      const err = Math.abs(av - ev) / Math.max(Math.abs(ev), floor);
      if (!(err <= worst.error))
        worst = {
          output: o,
          index: i,
          actual: av,
          expected: ev,
          error: Number.isNaN(err) ? Number.POSITIVE_INFINITY : err,
        };
    }
  });
  return worst;
}
