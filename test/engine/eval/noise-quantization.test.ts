import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluatePerturbed,
  snrDb,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from '../../../electron/engine/eval/eval-set.js';
import { addPattern, gaussianNoise, gaussianPattern } from '../../../electron/engine/eval/gaussian-noise.js';
import { corruptImages, IN_APP_NAMES } from '../../../electron/engine/eval/in-app-corruptions.js';
import {
  quantizeRound,
  quantizeTruncate,
  truncationExponent,
  withQuantizedWeights,
} from '../../../electron/engine/eval/quantization.js';
import {
  dropoutClassifier,
  dropoutTransform,
  randomKeepMask,
} from '../../../electron/engine/eval/test-time-dropout.js';
import { createModel } from '../../../electron/engine/models/registry.js';
import { Rng } from '../../../shared/rng.js';
import { useBackend } from '../../helpers/backend.js';

const io: EvalIo = { progress: () => undefined, cancelled: () => false };

describe('Gaussian noise', () => {
  beforeAll(() => useBackend('cpu'));

  it('SNR is 10·log10(Σ‖x‖² / Σ‖x′ − x‖²) on the clamped images', async () => {
    expect(snrDb(100, 1)).toBeCloseTo(20, 10);
    expect(snrDb(2, 2)).toBe(0);
    expect(snrDb(1, 0)).toBe(Number.POSITIVE_INFINITY);
    // Images [0.5, 1] and [0, 0.25]; pattern (+1, −1) × ε = 0.5 → [1, 0.5] and [0.5, 0] after clamping:
    // noise = 0.25 + 0.25 + 0.25 + 0.0625, signal = 0.25 + 1 + 0 + 0.0625.
    const set: EvalSet = {
      x: Float32Array.from([0.5, 1, 0, 0.25]),
      labels: Int32Array.from([0, 0]),
      shape: [2],
      n: 2,
      bounds: { lo: 0, hi: 1 },
    };
    const clf: Classifier = (x) => tf.concat([tf.ones([x.shape[0], 1]), tf.zeros([x.shape[0], 1])], 1);
    const r = await evaluatePerturbed(set, clf, io, 'test', 10, (b) =>
      addPattern(b.x, Float32Array.from([1, -1]), 0.5, set),
    );
    expect(r.snrDb).toBeCloseTo(10 * Math.log10(1.3125 / 0.8125), 5);
    expect(r.accuracy).toBe(1);
  });

  it('uses one fixed N(0, σ²) pattern per draw, seeded, and averages accuracy over draws', async () => {
    const p = gaussianPattern([8, 8, 1], 0.5, 3, 0);
    expect(p).toEqual(gaussianPattern([8, 8, 1], 0.5, 3, 0));
    expect(p).not.toEqual(gaussianPattern([8, 8, 1], 0.5, 3, 1));
    const std = Math.sqrt(p.reduce((a, v) => a + v * v, 0) / p.length);
    expect(std).toBeGreaterThan(0.35);
    expect(std).toBeLessThan(0.65);
    const n = 20;
    const set: EvalSet = {
      x: new Float32Array(n * 64).fill(0.5),
      labels: new Int32Array(n),
      shape: [8, 8, 1],
      n,
      bounds: { lo: 0, hi: 1 },
    };
    // Correct iff the first pixel is ≥ 0.5 after noise: the same for every image of a draw.
    const clf: Classifier = (x) => {
      const first = tf.slice(tf.reshape(x, [x.shape[0], -1]), [0, 0], [-1, 1]);
      return tf.concat([tf.sub(first, 0.5), tf.zeros([x.shape[0], 1])], 1) as tf.Tensor2D;
    };
    const draws = 4;
    const [row] = await gaussianNoise(set, clf, { epsilons: [0.2], sigma: 0.5, draws }, 3, io, 7);
    const expected =
      Array.from({ length: draws }, (_, d) =>
        gaussianPattern([8, 8, 1], 0.5, 3, d)[0]! >= 0 ? 1 : 0,
      ).reduce<number>((a, b) => a + b, 0) / draws;
    expect(row!.accuracy).toBeCloseTo(expected, 10);
  });
});

describe('in-app corruptions', () => {
  it('are seeded, stay in [0, 1] and get stronger with severity', () => {
    const rng = new Rng(1);
    const img = Float32Array.from({ length: 4 * 8 * 8 * 3 }, () => rng.uniform());
    for (const name of IN_APP_NAMES) {
      const dist = [1, 3, 5].map((s) => {
        const out = corruptImages(Float32Array.from(img), [8, 8, 3], name, s, new Rng(9, s));
        expect(out).toEqual(corruptImages(Float32Array.from(img), [8, 8, 3], name, s, new Rng(9, s)));
        for (const v of out) expect(v >= 0 && v <= 1).toBe(true);
        return out.reduce((a, v, i) => a + (v - img[i]!) ** 2, 0);
      });
      expect(dist[0]!).toBeGreaterThan(0);
      expect(dist[2]!).toBeGreaterThan(dist[0]!);
    }
  });
});

describe('weight quantisation', () => {
  beforeAll(() => useBackend('cpu'));

  it('quantise-round is uniform, symmetric and per tensor', () => {
    const w = tf.tensor1d([0.7, -0.35, 0.1, 0]);
    // 3 bits: 3 levels each side, scale 0.7 / 3.
    const q = Array.from(quantizeRound(w, 3).dataSync());
    const s = 0.7 / 3;
    [3 * s, -2 * s, 0, 0].forEach((e, i) => expect(q[i]).toBeCloseTo(e, 6));
    w.dispose();
  });

  it('quantise-truncate: power-of-two step from max|w|, truncation toward zero (hand-computed)', async () => {
    // M = 0.7: 0.7·2¹ ≥ 1, so e = 1 − 1 = 0 and v = 2^(3−1+0) = 4 at 3 bits.
    expect(truncationExponent(0.7)).toBe(0);
    expect(truncationExponent(0.3)).toBe(1); // 0.3·4 ≥ 1: n = 2
    expect(truncationExponent(0.5)).toBe(0); // 0.5·2 = 1: n = 1
    expect(truncationExponent(1)).toBe(-1); // already ≥ 1: n = 0
    expect(truncationExponent(3)).toBe(-1);
    const w = tf.tensor1d([0.7, -0.35, 0.1, -0.26, 0]);
    const qt = await quantizeTruncate(w, 3);
    const q = Array.from(qt.dataSync());
    // w·4 = 2.8, −1.4, 0.4, −1.04, 0 → trunc 2, −1, 0, −1, 0 → ÷ 4
    expect(q).toEqual([0.5, -0.25, 0, -0.25, 0]);
    const zero = tf.zeros([3]);
    const qz = await quantizeTruncate(zero, 5);
    expect(Array.from(qz.dataSync())).toEqual([0, 0, 0]);
    expect(() => truncationExponent(0)).toThrow(/positive/);
    tf.dispose([w, zero, qt, qz]);
  });

  it('restores every weight bit-exactly after evaluating', async () => {
    const model = createModel({ arch: 'ref-cnn', width: 0.25 }, [12, 12, 1], 4, 3);
    const snapshot = (): Uint32Array[] =>
      model.params.entries().map(([, v]) => new Uint32Array(Float32Array.from(v.dataSync()).buffer));
    const before = snapshot();
    const { value, maxRelChange } = await withQuantizedWeights(model, 5, () => {
      const changed = model.params
        .entries()
        .some(
          ([, v], i) =>
            !new Uint32Array(Float32Array.from(v.dataSync()).buffer).every((u, k) => u === before[i]![k]),
        );
      return Promise.resolve(changed);
    });
    expect(value).toBe(true);
    expect(maxRelChange).toBeGreaterThan(0);
    expect(maxRelChange).toBeLessThan(1 / 15);
    const after = snapshot();
    after.forEach((a, i) => expect(a).toEqual(before[i]));
    model.params.dispose();
  });
});

describe('test-time dropout', () => {
  beforeAll(() => useBackend('cpu'));

  it('drops tapped ReLU outputs with probability p and scales survivors by 1/(1 − p)', () => {
    const { transform, perturbed } = dropoutTransform(new Set(['relu.0']), 0.25, randomKeepMask(new Rng(4)));
    const x = tf.ones([2000]);
    const values = tf.tidy(() => Array.from(transform('relu.0', x).dataSync()));
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.2);
    expect(zeros).toBeLessThan(0.3);
    for (const v of values) expect(v === 0 || Math.abs(v - 1 / 0.75) < 1e-6).toBe(true);
    expect(transform('stage1', x)).toBe(x);
    expect(perturbed()).toBe(1);
    x.dispose();
  });

  it('perturbs exactly the relu taps of the reference CNN, changes the output, and leaks nothing', () => {
    const model = createModel({ arch: 'ref-cnn', width: 0.25 }, [12, 12, 1], 4, 3);
    const x = tf.randomUniform([3, 12, 12, 1]);
    const c = dropoutClassifier(model, null, 0.4, 'relus', randomKeepMask(new Rng(2)));
    const before = tf.memory().numTensors;
    const [plain, dropped] = tf.tidy(() => [
      model.forward(x, { training: false, bnUpdates: [] }).output.dataSync(),
      c(x).dataSync(),
    ]);
    expect(c.perturbed()).toBe(model.taps.filter((t) => t.kinds.includes('relu')).length);
    expect(Array.from(dropped)).not.toEqual(Array.from(plain));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.params.dispose();
  });
});
