import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model.js';
import { tapsOfKind } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import {
  evaluatePerturbed,
  inputNormalizer,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from './eval-set.js';

/**
 * The model in inference mode with inverted dropout on every `relu` tap: each unit of a ReLU
 * output is zeroed with probability `rate` (independently per example and unit) and the survivors
 * are scaled by 1/(1 − rate), through the forward context's tap transform — the dropped value is
 * what the rest of the network sees. Masks come from seeded draws, so an evaluation repeats.
 * `perturbed` counts the taps transformed so far.
 */
export function dropoutClassifier(
  model: Model,
  normalization: { mean: number[]; std: number[] } | null,
  rate: number,
  rng: Rng,
): Classifier & { perturbed: () => number } {
  const normalize = inputNormalizer(normalization);
  const { transform, perturbed } = dropoutTransform(new Set(tapsOfKind(model, 'relu')), rate, rng);
  const classify = (x: tf.Tensor): tf.Tensor2D =>
    model.forward(normalize(x), { training: false, bnUpdates: [], transform }).output;
  return Object.assign(classify, { perturbed });
}

/** The tap transform of {@link dropoutClassifier}: inverted dropout on the named taps. */
export function dropoutTransform(
  taps: ReadonlySet<string>,
  rate: number,
  rng: Rng,
): { transform: (tap: string, v: tf.Tensor) => tf.Tensor; perturbed: () => number } {
  const keep = 1 - rate;
  let count = 0;
  return {
    transform: (tap, v) => {
      if (!taps.has(tap)) return v;
      count++;
      const u = tf.randomUniform(v.shape, 0, 1, 'float32', rng.nextU32());
      return tf.mul(v, tf.mul(tf.cast(tf.less(u, keep), 'float32'), 1 / keep));
    },
    perturbed: () => count,
  };
}

/** One row of the dropout table. */
export interface DropoutRow {
  /** Dropout probability. */
  rate: number;
  /** ReLU outputs perturbed per forward pass. */
  relus: number;
  /** Accuracy with dropout. */
  accuracy: number;
}

/** Accuracy with test-time dropout at every ReLU, for each rate (one seeded draw of the masks). */
export async function dropoutEvaluation(
  set: EvalSet,
  model: Model,
  normalization: { mean: number[]; std: number[] } | null,
  rates: readonly number[],
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<DropoutRow[]> {
  const rows: DropoutRow[] = [];
  const batches = Math.ceil(set.n / batchSize);
  for (const [k, rate] of rates.entries()) {
    const classifier = dropoutClassifier(model, normalization, rate, new Rng(seed, Stream.noise, 0xd0, k));
    const value = await evaluatePerturbed(set, classifier, io, `test-time dropout p=${rate}`, batchSize);
    if (io.cancelled()) return rows;
    rows.push({
      rate,
      relus: Math.round(classifier.perturbed() / Math.max(1, batches)),
      accuracy: value.accuracy,
    });
  }
  return rows;
}
