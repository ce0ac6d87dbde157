import * as tf from '@tensorflow/tfjs-core';
import { BatchAssembler } from '../data/batches.js';
import type { SplitData } from '../data/dataset.js';
import type { Model } from '../models/model.js';
import { readTidy } from '../nn/read.js';
import { correctCount } from '../train/losses.js';
import { batchRunner, columnSums, type BatchRunner } from '../train/batch-loop.js';

/** Valid range of an input value (pixels: [0, 1]); null = unbounded features. */
export type Bounds = { lo: number; hi: number } | null;

/** Examples of an evaluation, in input space (pixels in [0, 1], not normalised). */
export interface EvalSet {
  /** Inputs, row-major [n, …shape]. */
  x: Float32Array;
  /** Labels. */
  labels: Int32Array;
  /** Per-example shape. */
  shape: readonly number[];
  /** Number of examples. */
  n: number;
  /** Range every perturbed input is clamped to. */
  bounds: Bounds;
}

/**
 * Logits of a batch given in input space. Perturbations act on pixels in [0, 1], so the network's
 * per-channel normalisation lives inside this function (and inside every gradient through it).
 */
export type Classifier = (x: tf.Tensor) => tf.Tensor2D;

/** Where long evaluations report to. */
export interface EvalIo {
  /** A progress line, e.g. "PGD ε=0.01: 300/1000". */
  progress(detail: string): void;
  /** True once the host asked to stop: evaluations return what they have. */
  cancelled(): boolean;
  /** The batch loops of the phase (shared by the replicas); absent: this thread alone. */
  batches?: BatchRunner;
}

/** The run's per-channel normalisation as a differentiable function of input-space batches. */
export function inputNormalizer(
  normalization: { mean: number[]; std: number[] } | null,
): (x: tf.Tensor) => tf.Tensor {
  if (!normalization) return (x) => x;
  const { mean, std } = normalization;
  return (x) => {
    // Same constants as the BatchAssembler (last axis = channels or features).
    const c = x.shape[x.shape.length - 1] ?? 1;
    const m = Array.from({ length: c }, (_, i) => mean[i] ?? 0);
    const inv = Array.from({ length: c }, (_, i) => {
      const s = std[i] ?? 1;
      return s > 1e-12 ? 1 / s : 1;
    });
    return tf.mul(tf.sub(x, tf.tensor1d(m)), tf.tensor1d(inv));
  };
}

/** The model in inference mode on inputs already normalised (differentiable in its input). */
export function normalizedClassifier(model: Model): Classifier {
  return (z) => model.forward(z, { training: false, bnUpdates: [] }).output;
}

/**
 * The eval set in the network's normalised input space, z = (x − mean) / std per channel, unbounded
 * (no clamp applies there): where the authors' "after normalisation" FGSM steps.
 */
export function normalizedEvalSet(
  set: EvalSet,
  normalization: { mean: number[]; std: number[] } | null,
): EvalSet {
  if (!normalization) return { ...set, bounds: null };
  const c = set.shape[set.shape.length - 1] ?? 1;
  const x = new Float32Array(set.x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    const s = normalization.std[ch] ?? 1;
    x[i] = ((set.x[i] ?? 0) - (normalization.mean[ch] ?? 0)) * (s > 1e-12 ? 1 / s : 1);
  }
  return { ...set, x, bounds: null };
}

/** The model in inference mode on un-normalised inputs (differentiable in x). */
export function pixelClassifier(
  model: Model,
  normalization: { mean: number[]; std: number[] } | null,
): Classifier {
  const normalize = inputNormalizer(normalization);
  return (x) => model.forward(normalize(x), { training: false, bnUpdates: [] }).output;
}

/** Gathers examples of a split in input space (images scaled to [0, 1], no normalisation). */
export async function gatherEvalSet(
  split: SplitData,
  shape: readonly number[],
  indices: Int32Array,
): Promise<EvalSet> {
  const assembler = new BatchAssembler(split, shape, null);
  const per = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  const chunk = 1000;
  for (let s = 0; s < indices.length; s += chunk) {
    const b = assembler.make(indices.subarray(s, s + chunk));
    try {
      x.set(await b.x.data(), s * per);
    } finally {
      tf.dispose([b.x, b.labels]);
    }
    labels.set(b.labelArray, s);
  }
  return {
    x,
    labels,
    shape,
    n: indices.length,
    bounds: split.x instanceof Uint8Array ? { lo: 0, hi: 1 } : null,
  };
}

/** An eval set built from uint8 pixels (e.g. rows of a corruption suite). */
export function evalSetFromPixels(pixels: Uint8Array, labels: Int32Array, shape: readonly number[]): EvalSet {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = (pixels[i] ?? 0) / 255;
  return { x, labels, shape, n: labels.length, bounds: { lo: 0, hi: 1 } };
}

/** Clamps to the valid input range. */
export function clampTo(x: tf.Tensor, bounds: Bounds): tf.Tensor {
  return bounds ? tf.clipByValue(x, bounds.lo, bounds.hi) : x;
}

/** 10·log10(signal / noise) in dB; +∞ for a zero noise power. */
export function snrDb(signalPower: number, noisePower: number): number {
  if (noisePower <= 0) return Number.POSITIVE_INFINITY;
  return 10 * Math.log10(signalPower / noisePower);
}

/** A batch of an eval set handed to a perturbation. */
export interface EvalBatch {
  /** Clean inputs [b, …shape]. */
  x: tf.Tensor;
  /** Labels [b]. */
  labels: tf.Tensor1D;
  /** The same inputs on the host, row-major. */
  pixels: Float32Array;
  /** Index of the first example in the set. */
  start: number;
}

/** Accuracy and measured SNR of the model on a perturbed eval set. */
export interface PerturbedResult {
  /** Top-1 accuracy in [0, 1] over the examples evaluated. */
  accuracy: number;
  /** 10·log10(Σ‖x‖² / Σ‖x′ − x‖²) over the examples evaluated, on the actual (clamped) inputs. */
  snrDb: number;
  /** Examples evaluated (fewer than the set's when cancelled). */
  evaluated: number;
}

/**
 * Evaluates the classifier on `perturb(batch)` for every batch of the set (the identity when
 * `perturb` is omitted), measuring accuracy and the SNR of the perturbation actually applied.
 * `perturb` must depend on its batch only: under replicas, any thread may compute any batch.
 */
export async function evaluatePerturbed(
  set: EvalSet,
  classifier: Classifier,
  io: EvalIo,
  label: string,
  batchSize: number,
  perturb?: (b: EvalBatch) => tf.Tensor,
): Promise<PerturbedResult> {
  const per = set.shape.reduce((a, b) => a * b, 1);
  const { values, done } = await batchRunner(io).run(Math.ceil(set.n / batchSize), 3, (b) => {
    const s = b * batchSize;
    io.progress(`${label}: ${s}/${set.n}`);
    const e = Math.min(set.n, s + batchSize);
    const pixels = set.x.subarray(s * per, e * per);
    return readTidy(() => {
      const x = tf.tensor(pixels, [e - s, ...set.shape], 'float32');
      const labels = tf.tensor1d(set.labels.subarray(s, e), 'int32');
      const xp = perturb ? perturb({ x, labels, pixels, start: s }) : x;
      return tf.stack([
        correctCount(classifier(xp), labels),
        tf.sum(tf.square(x)),
        tf.sum(tf.square(tf.sub(xp, x))),
      ]);
    });
  });
  const [correct = 0, signal = 0, noise = 0] = columnSums(values, 3);
  const evaluated = Math.min(set.n, done * batchSize);
  return { accuracy: correct / Math.max(1, evaluated), snrDb: snrDb(signal, noise), evaluated };
}
