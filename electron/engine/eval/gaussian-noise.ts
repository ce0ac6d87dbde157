import * as tf from '@tensorflow/tfjs-core';
import { Rng, Stream } from '../../../shared/rng.js';
import { clampTo, evaluatePerturbed, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/** Result of one ε of the Gaussian-noise evaluation. */
export interface GaussianRow {
  /** Scale ε of the pattern. */
  epsilon: number;
  /** Mean over draws of the SNR (dB) measured on the clamped images. */
  snrDb: number;
  /** Mean accuracy over draws. */
  accuracy: number;
}

/**
 * The fixed noise pattern of draw `d`: one N(0, σ²) image, the same for every test image (the
 * paper's protocol), seeded so every run of a study sees the same patterns.
 */
export function gaussianPattern(
  shape: readonly number[],
  sigma: number,
  seed: number,
  draw: number,
): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Rng(seed, Stream.noise, 0x6a55, draw).fillNormal(new Float32Array(n), sigma);
}

/** x′ = clamp(x + ε·P) for a batch x [b, …shape] and a pattern P [prod(shape)]. */
export function addPattern(
  x: tf.Tensor,
  pattern: Float32Array,
  epsilon: number,
  set: Pick<EvalSet, 'shape' | 'bounds'>,
): tf.Tensor {
  return tf.tidy(() =>
    clampTo(tf.add(x, tf.mul(tf.tensor(pattern, [1, ...set.shape]), epsilon)), set.bounds),
  );
}

/**
 * Gaussian-noise robustness (METHODS.md §5): for each ε and each draw, one fixed pattern
 * N(0, σ²) scaled by ε is added to every image and the result clamped; accuracy and the SNR of the
 * clamped images are averaged over draws.
 */
export async function gaussianNoise(
  set: EvalSet,
  classifier: Classifier,
  o: { epsilons: readonly number[]; sigma: number; draws: number },
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<GaussianRow[]> {
  const patterns = Array.from({ length: o.draws }, (_, d) => gaussianPattern(set.shape, o.sigma, seed, d));
  const rows: GaussianRow[] = [];
  for (const epsilon of o.epsilons) {
    let acc = 0;
    let snr = 0;
    for (const [d, p] of patterns.entries()) {
      const label = `Gaussian ε=${epsilon}${o.draws > 1 ? ` (draw ${d + 1}/${o.draws})` : ''}`;
      const r = await evaluatePerturbed(set, classifier, io, label, batchSize, (b) =>
        addPattern(b.x, p, epsilon, set),
      );
      acc += r.accuracy;
      snr += r.snrDb;
      if (io.cancelled()) return rows;
    }
    rows.push({ epsilon, snrDb: snr / patterns.length, accuracy: acc / patterns.length });
  }
  return rows;
}
