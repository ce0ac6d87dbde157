import * as tf from '@tensorflow/tfjs-core';
import { Rng, Stream } from '../../../shared/rng.js';
import { clampTo, evaluatePerturbed, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/** Result of one ε of the Gaussian-noise evaluation. */
export interface GaussianRow {
  /** Scale ε of the pattern. */
  epsilon: number;
  /** Mean over draws of the SNR (dB) measured on the clamped images. */
  snrDb: number;
  /**
   * The authors' SNR: mean over images and draws of 20·log10(‖xᵢ‖ / ‖ε·P‖), the pattern before
   * clamping (≈ 14.1 dB at ε = 0.2 on CIFAR-10).
   */
  snrDbUnclamped: number;
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

/** Mean over examples of 20·log10(‖xᵢ‖ / noiseNorm) in dB. */
function meanImageSnrDb(set: EvalSet, noiseNorm: number): number {
  if (noiseNorm <= 0) return Number.POSITIVE_INFINITY;
  const per = set.shape.reduce((a, b) => a * b, 1);
  let sum = 0;
  for (let i = 0; i < set.n; i++) {
    let s = 0;
    for (let j = i * per; j < (i + 1) * per; j++) s += (set.x[j] ?? 0) ** 2;
    sum += 20 * Math.log10(Math.sqrt(s) / noiseNorm);
  }
  return sum / Math.max(1, set.n);
}

/**
 * Gaussian-noise robustness (METHODS.md §5, §7; the authors' protocol): for each ε and each draw,
 * one fixed pattern N(0, σ²) scaled by ε is added to every image and the result clamped; accuracy
 * and the SNR are averaged over draws. `patterns` replaces the seeded draws (reference tests).
 */
export async function gaussianNoise(
  set: EvalSet,
  classifier: Classifier,
  o: { epsilons: readonly number[]; sigma: number; draws: number },
  seed: number,
  io: EvalIo,
  batchSize: number,
  patterns: readonly Float32Array[] = Array.from({ length: o.draws }, (_, d) =>
    gaussianPattern(set.shape, o.sigma, seed, d),
  ),
): Promise<GaussianRow[]> {
  const norms = patterns.map((p) => Math.sqrt(p.reduce((a, v) => a + v * v, 0)));
  const rows: GaussianRow[] = [];
  for (const epsilon of o.epsilons) {
    let acc = 0;
    let snr = 0;
    let snrUnclamped = 0;
    for (const [d, p] of patterns.entries()) {
      snrUnclamped += meanImageSnrDb(set, epsilon * (norms[d] ?? 0));
      const label = `Gaussian ε=${epsilon}${patterns.length > 1 ? ` (draw ${d + 1}/${patterns.length})` : ''}`;
      const r = await evaluatePerturbed(set, classifier, io, label, batchSize, (b) =>
        addPattern(b.x, p, epsilon, set),
      );
      acc += r.accuracy;
      snr += r.snrDb;
      if (io.cancelled()) return rows;
    }
    rows.push({
      epsilon,
      snrDb: snr / patterns.length,
      snrDbUnclamped: snrUnclamped / patterns.length,
      accuracy: acc / patterns.length,
    });
  }
  return rows;
}
