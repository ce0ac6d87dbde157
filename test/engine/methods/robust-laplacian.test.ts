import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  laplacianRegulariser,
  layerSigma,
  smoothnessVariation,
} from '../../../electron/engine/methods/laplacian.js';
import { interClassPairs, oneHot } from '../../../electron/engine/lgg/smoothness.js';
import { Rng } from '../../../shared/rng.js';
import { useBackend } from '../../helpers/backend.js';
import { fixtureArray, referenceCases, relErr } from '../../helpers/fixtures.js';

/** Float64 reference of the regulariser: dense cosine LGG with self-loops, L = D − W, σ = Σ_c ‖L^m y_c‖-style trace. */
function referenceRegulariser(
  layers: Float64Array[],
  dims: number[],
  labels: number[],
  classes: number,
  gamma: number,
  m: 1 | 2,
): number {
  const b = labels.length;
  const sigmas = layers.map((x, l) => {
    const d = dims[l]!;
    const xn = new Float64Array(b * d);
    for (let i = 0; i < b; i++) {
      let n = 0;
      for (let k = 0; k < d; k++) n += x[i * d + k]! ** 2;
      const norm = Math.max(Math.sqrt(n), 1e-12);
      for (let k = 0; k < d; k++) xn[i * d + k] = x[i * d + k]! / norm;
    }
    const w = new Float64Array(b * b);
    for (let i = 0; i < b; i++)
      for (let j = 0; j < b; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += xn[i * d + k]! * xn[j * d + k]!;
        w[i * b + j] = s;
      }
    const deg = Array.from({ length: b }, (_, i) =>
      w.subarray(i * b, (i + 1) * b).reduce((a, v) => a + v, 0),
    );
    const lap = (z: Float64Array): Float64Array => {
      const out = new Float64Array(b * classes);
      for (let i = 0; i < b; i++)
        for (let c = 0; c < classes; c++) {
          let s = deg[i]! * z[i * classes + c]!;
          for (let j = 0; j < b; j++) s -= w[i * b + j]! * z[j * classes + c]!;
          out[i * classes + c] = s;
        }
      return out;
    };
    const y = new Float64Array(b * classes);
    labels.forEach((l, i) => (y[i * classes + l] = 1));
    let z = lap(y);
    if (m === 2) z = lap(z);
    return y.reduce((a, v, i) => a + v * z[i]!, 0);
  });
  let delta = 0;
  for (let l = 1; l < sigmas.length; l++) delta += Math.abs(sigmas[l]! - sigmas[l - 1]!);
  return gamma ** m * (delta / Math.max(1, sigmas.length - 1));
}

describe('Laplacian smoothness-variation regulariser', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(Object.entries(referenceCases()))(
    '%s: σ per layer and the regulariser match the PyTorch reference',
    async (name, c) => {
      const labels = await fixtureArray(name, 'labels.npy');
      const labelArray = Int32Array.from(labels.data);
      const classes = Math.max(...labelArray) + 1;
      const reps: tf.Tensor[] = [];
      for (const layer of c.layers) {
        const a = await fixtureArray(name, layer.file);
        reps.push(tf.tensor(a.data, a.shape));
      }
      const { sigmas, reg } = tf.tidy(() => {
        const y = oneHot(tf.tensor1d(labelArray, 'int32'), classes);
        const t = laplacianRegulariser(reps, y, labelArray, {
          gamma: c.laplacian.gamma,
          m: c.laplacian.m,
          sigma: 'raw',
        });
        return { sigmas: t.sigmas.map((s) => s.dataSync()[0]!), reg: t.weighted.dataSync()[0]! };
      });
      expect(sigmas).toHaveLength(c.laplacian.sigma_per_layer.length);
      sigmas.forEach((s, i) => expect(relErr(s, c.laplacian.sigma_per_layer[i]!)).toBeLessThan(1e-4));
      expect(relErr(reg, c.laplacian.regulariser)).toBeLessThan(1e-4);
      tf.dispose(reps);
    },
  );

  it('divides every σ by the inter-class ordered pairs in `pairs` mode', async () => {
    const name = 'dense_sym';
    const c = referenceCases()[name]!;
    const labels = Int32Array.from((await fixtureArray(name, 'labels.npy')).data);
    const a = await fixtureArray(name, c.layers[0]!.file);
    const pairs = interClassPairs(labels);
    const v = tf.tidy(
      () =>
        layerSigma(
          tf.tensor(a.data, a.shape),
          oneHot(tf.tensor1d(labels, 'int32'), Math.max(...labels) + 1),
          2,
          pairs,
        ).dataSync()[0]!,
    );
    expect(relErr(v, c.laplacian.sigma_per_layer[0]! / pairs)).toBeLessThan(1e-4);
  });

  it('Δ is the mean absolute difference of consecutive σ, 0 for one layer', () => {
    const v = tf.tidy(() => smoothnessVariation([tf.scalar(3), tf.scalar(7), tf.scalar(2)]).dataSync()[0]);
    expect(v).toBeCloseTo((4 + 5) / 2, 6);
    expect(tf.tidy(() => smoothnessVariation([tf.scalar(3)]).dataSync()[0])).toBe(0);
  });

  it.each([1, 2] as const)(
    'its gradient (m = %i) matches central finite differences of a float64 reference',
    (m) => {
      const rng = new Rng(11);
      const b = 7;
      const dims = [5, 4, 6];
      const labels = [0, 1, 2, 0, 1, 2, 1];
      const classes = 3;
      const gamma = 0.5;
      // Positive inputs (ReLU outputs) away from zero; σ values differ so |·| is differentiable there.
      const layers = dims.map((d) => Float64Array.from({ length: b * d }, () => 0.1 + rng.uniform()));
      const gradTensors = tf.tidy(() => {
        const y = oneHot(tf.tensor1d(labels, 'int32'), classes);
        const f = (...xs: tf.Tensor[]): tf.Scalar =>
          laplacianRegulariser(xs, y, labels, { gamma, m, sigma: 'raw' }).weighted;
        const ts = layers.map((x, l) => tf.tensor2d(Float32Array.from(x), [b, dims[l]!]));
        return tf.grads(f)(ts);
      });
      const grads = gradTensors.map((g) => Float64Array.from(g.dataSync()));
      tf.dispose(gradTensors);
      const h = 1e-6;
      let worst = 0;
      let scale = 0;
      layers.forEach((x, l) => {
        for (let k = 0; k < x.length; k++) {
          const orig = x[k]!;
          x[k] = orig + h;
          const up = referenceRegulariser(layers, dims, labels, classes, gamma, m);
          x[k] = orig - h;
          const down = referenceRegulariser(layers, dims, labels, classes, gamma, m);
          x[k] = orig;
          const fd = (up - down) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - grads[l]![k]!));
          scale = Math.max(scale, Math.abs(fd));
        }
      });
      expect(scale).toBeGreaterThan(1e-3);
      expect(worst / scale).toBeLessThan(2e-3);
    },
  );
});
