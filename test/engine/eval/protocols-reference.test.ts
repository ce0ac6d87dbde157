import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../../electron/common/npy-file.js';
import { deepFoolAttack, deepFoolEvaluation } from '../../../electron/engine/eval/deepfool.js';
import {
  normalizedEvalSet,
  pixelClassifier,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from '../../../electron/engine/eval/eval-set.js';
import { fgsm, fgsmEvaluation, epsilonAtSnr } from '../../../electron/engine/eval/fgsm.js';
import { gaussianNoise } from '../../../electron/engine/eval/gaussian-noise.js';
import { pgdAttack, pgdEvaluation } from '../../../electron/engine/eval/pgd.js';
import {
  quantizeRound,
  quantizeTruncate,
  truncationExponent,
  withQuantizedWeights,
} from '../../../electron/engine/eval/quantization.js';
import { dropoutClassifier, type KeepMask } from '../../../electron/engine/eval/test-time-dropout.js';
import type { Model } from '../../../electron/engine/models/model.js';
import { createPreActResNet18 } from '../../../electron/engine/models/preact-resnet.js';
import { readTidy } from '../../../electron/engine/nn/read.js';
import { useBackend } from '../../helpers/backend.js';

/*
 * The robustness protocols of METHODS.md §7 against a float64 reference computed from the formulas
 * by test/fixtures/protocols-reference/make_fixtures.py (PyTorch): the Parseval network, block and
 * ReLU dropout with given masks, truncating and rounding quantisation, Gaussian noise with given
 * patterns, FGSM in pixel and normalised space, PGD with both countings and DeepFool.
 */

const DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'protocols-reference',
);
interface Expected {
  preact: {
    widths: number[];
    classes: number;
    input: string;
    weights: Record<string, string>;
    normalization: { mean: number[]; std: number[] };
    logits_plain: string;
    logits_parseval: string;
    dropout: {
      rate: number;
      block_masks: string[];
      relu_masks: string[];
      logits_blocks: string;
      logits_relus: string;
    };
    quantisation: {
      bits: number;
      truncate: {
        weights: Record<string, string>;
        exponents: Record<string, number>;
        logits_plain: string;
        logits_parseval: string;
      };
      round: { weights: Record<string, string>; logits_plain: string; logits_parseval: string };
    };
  };
  mlp: {
    shape: number[];
    input: string;
    labels: string;
    w1: string;
    b1: string;
    w2: string;
    b2: string;
    normalization: { mean: number[]; std: number[] };
    gaussian: {
      patterns: string[];
      rows: { epsilon: number; accuracy: number; snrDb: number; snrDbUnclamped: number }[];
    };
    fgsm: {
      epsilon: number;
      snrDb: number;
      pixel_fixed: { adv: string; correct: boolean[] };
      pixel_snr: { adv: string; correct: boolean[]; meanEpsilon: number };
      normalised_snr: { adv: string; correct: boolean[]; meanEpsilon: number };
    };
    pgd: {
      epsilon: number;
      step: number;
      iterations: number;
      final: string;
      firstBroken: number[];
      anyIterate: number;
      finalIterate: number;
      finalCorrect: boolean[];
    };
    deepfool: {
      /** The well-conditioned images the reference keeps (see make_fixtures.py). */
      images: number[];
      steps: number;
      candidates: number;
      overshoot: number;
      outcomes: { clean: boolean; broken: boolean; l2: number; steps: number }[];
      accuracy: number;
      meanL2PerDim: number;
    };
  };
}
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Expected;
const io: EvalIo = { progress: () => undefined, cancelled: () => false };
const mean = (xs: readonly boolean[]): number => xs.filter(Boolean).length / xs.length;

async function array(folder: string, file: string): Promise<{ data: Float32Array; shape: number[] }> {
  const a = await readNpy(path.join(DIR, folder, file));
  return { data: Float32Array.from(a.data as ArrayLike<number>), shape: a.header.shape };
}

/** Largest |a − b| relative to the largest |b|. */
function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs((a[i] ?? Number.NaN) - (b[i] ?? 0)));
    m = Math.max(m, Math.abs(b[i] ?? 0));
  }
  return d / Math.max(m, 1e-12);
}

describe('PreActResNet18 protocols against the float64 reference (width 1/32, 8×8×3)', () => {
  const p = expected.preact;
  let x: tf.Tensor;
  const models: Model[] = [];

  async function build(parseval: boolean): Promise<Model> {
    const m = createPreActResNet18([8, 8, 3], 1 / 32, p.classes, 0, parseval);
    for (const [name, file] of Object.entries(p.weights)) {
      const v = m.params.trainable.get(name) ?? m.params.buffers.get(name);
      if (!v) throw new Error(`the model has no ${name}`);
      const a = await array('preact', file);
      expect(a.shape, name).toEqual(v.shape);
      v.assign(tf.tensor(a.data, v.shape));
    }
    models.push(m);
    return m;
  }

  beforeAll(async () => {
    await useBackend('cpu');
    const a = await array('preact', p.input);
    x = tf.tensor(a.data, a.shape);
    return () => {
      x.dispose();
      for (const m of models) m.params.dispose();
    };
  });

  it('the plain and the Parseval network give the reference logits (same weights, different forward)', async () => {
    for (const [parseval, file] of [
      [false, p.logits_plain],
      [true, p.logits_parseval],
    ] as const) {
      const m = await build(parseval);
      const logits = tf.tidy(() => pixelClassifier(m, p.normalization)(x).dataSync());
      expect(relMaxDiff(logits, (await array('preact', file)).data), `parseval=${parseval}`).toBeLessThan(
        1e-4,
      );
    }
    // The two forward passes really differ.
    const plain = (await array('preact', p.logits_plain)).data;
    const parseval = (await array('preact', p.logits_parseval)).data;
    expect(relMaxDiff(parseval, plain)).toBeGreaterThan(0.1);
  });

  it('test-time dropout acts on the 8 block outputs (dropout-blocks) or the 17 ReLUs (dropout-relus)', async () => {
    const m = await build(false);
    const d = p.dropout;
    for (const [sites, files, file] of [
      ['blocks', d.block_masks, d.logits_blocks],
      ['relus', d.relu_masks, d.logits_relus],
    ] as const) {
      const masks = await Promise.all(files.map((f) => array('preact', f)));
      const used: string[] = [];
      const mask: KeepMask = (tap, shape) => {
        used.push(tap);
        const a = masks[Number(tap.split('.')[1])];
        if (!a) throw new Error(`no mask for ${tap}`);
        expect(shape, tap).toEqual(a.shape);
        return tf.tensor(a.data, a.shape);
      };
      const clf = dropoutClassifier(m, p.normalization, d.rate, sites, mask);
      const logits = tf.tidy(() => clf(x).dataSync());
      expect(relMaxDiff(logits, (await array('preact', file)).data), sites).toBeLessThan(1e-4);
      expect(used).toHaveLength(sites === 'blocks' ? 8 : 17);
    }
  });

  it('quantise-truncate gives the reference weights bit for bit, quantise-round to float32 precision', async () => {
    const m = await build(false);
    const q = p.quantisation;
    for (const [name, file] of Object.entries(q.truncate.weights)) {
      const w = m.params.trainable.get(name)!;
      const maxAbs = tf.tidy(() => tf.max(tf.abs(w)).dataSync()[0]!);
      expect(truncationExponent(maxAbs), name).toBe(q.truncate.exponents[name]);
      const got = await quantizeTruncate(w, q.bits);
      expect(Array.from(got.dataSync()), name).toEqual(Array.from((await array('preact', file)).data));
      got.dispose();
    }
    for (const [name, file] of Object.entries(q.round.weights)) {
      const got = quantizeRound(m.params.trainable.get(name)!, q.bits);
      expect(relMaxDiff(got.dataSync(), (await array('preact', file)).data), name).toBeLessThan(1e-6);
      got.dispose();
    }
    // Every conv and dense weight is quantised (21 tensors at width 1/32), BatchNorm and biases are not.
    expect(Object.keys(q.truncate.weights)).toHaveLength(21);
  });

  it('the quantised plain and Parseval networks give the reference logits, and the weights come back', async () => {
    const q = p.quantisation;
    for (const parseval of [false, true]) {
      const m = await build(parseval);
      const before = m.params.entries().map(([, v]) => Array.from(v.dataSync()));
      for (const scheme of ['truncate', 'round'] as const) {
        const { value } = await withQuantizedWeights(
          m,
          q.bits,
          () => readTidy(() => pixelClassifier(m, p.normalization)(x)),
          scheme,
        );
        const file = parseval ? q[scheme].logits_parseval : q[scheme].logits_plain;
        expect(
          relMaxDiff(value, (await array('preact', file)).data),
          `${scheme}, parseval=${parseval}`,
        ).toBeLessThan(1e-4);
      }
      expect(m.params.entries().map(([, v]) => Array.from(v.dataSync()))).toEqual(before);
    }
  });
});

describe('attack protocols against the float64 reference (tanh MLP on 4×4×3)', () => {
  const r = expected.mlp;
  let set: EvalSet;
  let clfZ: Classifier;
  let clfX: Classifier;
  const held: tf.Tensor[] = [];

  beforeAll(async () => {
    await useBackend('cpu');
    const [xs, ys, w1, b1, w2, b2] = await Promise.all(
      [r.input, r.labels, r.w1, r.b1, r.w2, r.b2].map((f) => array('mlp', f)),
    );
    const t = [w1!, b1!, w2!, b2!].map((a) => tf.tensor(a.data, a.shape));
    held.push(...t);
    const [tw1, tb1, tw2, tb2] = t as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    clfZ = (z) =>
      tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(tf.reshape(z, [z.shape[0], -1]), tw1), tb1)), tw2), tb2);
    const m = tf.tensor1d(r.normalization.mean);
    const s = tf.tensor1d(r.normalization.std);
    held.push(m, s);
    clfX = (xx) => clfZ(tf.div(tf.sub(xx, m), s));
    set = {
      x: xs!.data,
      labels: Int32Array.from(ys!.data),
      shape: r.shape,
      n: ys!.data.length,
      bounds: { lo: 0, hi: 1 },
    };
    return () => tf.dispose(held);
  });

  it('gaussian: given shared patterns × ε, clamped; accuracy and both SNRs', async () => {
    const patterns = await Promise.all(r.gaussian.patterns.map(async (f) => (await array('mlp', f)).data));
    const o = { epsilons: r.gaussian.rows.map((row) => row.epsilon), sigma: 0.5, draws: patterns.length };
    const rows = await gaussianNoise(set, clfX, o, 0, io, 7, patterns);
    rows.forEach((row, i) => {
      const e = r.gaussian.rows[i]!;
      expect(row.accuracy).toBeCloseTo(e.accuracy, 9);
      expect(row.snrDb).toBeCloseTo(e.snrDb, 3);
      expect(row.snrDbUnclamped).toBeCloseTo(e.snrDbUnclamped, 3);
    });
  });

  it('fgsm-pixel: fixed ε and per-image ε at an SNR, clamped to [0, 1]', async () => {
    const f = r.fgsm;
    const x = tf.tensor(set.x, [set.n, ...set.shape]);
    const labels = tf.tensor1d(set.labels, 'int32');
    const eps = epsilonAtSnr(x, f.snrDb);
    for (const [epsilon, ref] of [
      [f.epsilon, f.pixel_fixed],
      [eps, f.pixel_snr],
    ] as const) {
      const adv = fgsm(clfX, x, labels, epsilon, set.bounds);
      expect(relMaxDiff(adv.dataSync(), (await array('mlp', ref.adv)).data)).toBeLessThan(1e-5);
      adv.dispose();
    }
    const [fixed, atSnr] = await fgsmEvaluation(
      set,
      clfX,
      { epsilons: [f.epsilon], snrDb: [f.snrDb] },
      io,
      10,
    );
    expect(fixed!.accuracy).toBeCloseTo(mean(f.pixel_fixed.correct), 9);
    expect(atSnr!.accuracy).toBeCloseTo(mean(f.pixel_snr.correct), 9);
    expect(atSnr!.meanEpsilon).toBeCloseTo(f.pixel_snr.meanEpsilon, 6);
    tf.dispose([x, labels, eps]);
  });

  it('fgsm-normalised: the step on the normalised input, εᵢ from its norm, no clamp', async () => {
    const f = r.fgsm;
    const z = normalizedEvalSet(set, r.normalization);
    expect(z.bounds).toBeNull();
    const zx = tf.tensor(z.x, [z.n, ...z.shape]);
    const labels = tf.tensor1d(z.labels, 'int32');
    const eps = epsilonAtSnr(zx, f.snrDb);
    const adv = fgsm(clfZ, zx, labels, eps, z.bounds);
    expect(relMaxDiff(adv.dataSync(), (await array('mlp', f.normalised_snr.adv)).data)).toBeLessThan(1e-5);
    const [row] = await fgsmEvaluation(z, clfZ, { epsilons: [], snrDb: [f.snrDb] }, io, 10);
    expect(row!.accuracy).toBeCloseTo(mean(f.normalised_snr.correct), 9);
    expect(row!.meanEpsilon).toBeCloseTo(f.normalised_snr.meanEpsilon, 5);
    tf.dispose([zx, labels, eps, adv]);
  });

  it('pgd-any-iterate and pgd-final-iterate: the same attack, Foolbox 1.6 counting beside the final iterate', async () => {
    const g = r.pgd;
    const cfg = { epsilon: g.epsilon, step: g.step, iterations: g.iterations, randomStart: false };
    const x = tf.tensor(set.x, [set.n, ...set.shape]);
    const labels = tf.tensor1d(set.labels, 'int32');
    const { adv, brokenBefore } = pgdAttack(clfX, x, labels, cfg, set.bounds);
    expect(relMaxDiff(adv.dataSync(), (await array('mlp', g.final)).data)).toBeLessThan(1e-5);
    // Among the images classified correctly to begin with, broken at an iterate before the last:
    // exactly those the reference saw broken at 1 … T − 1.
    const before = Array.from(brokenBefore.dataSync()).map(Boolean);
    const attacked = g.firstBroken.flatMap((it, i) => (it === 0 ? [] : [i]));
    expect(attacked.map((i) => before[i])).toEqual(
      attacked.map((i) => g.firstBroken[i]! >= 1 && g.firstBroken[i]! < g.iterations),
    );
    tf.dispose([x, labels, adv, brokenBefore]);
    const [row] = await pgdEvaluation(set, clfX, [cfg], 0, io, 10);
    expect(row!.anyIterate).toBeCloseTo(g.anyIterate, 9);
    expect(row!.finalIterate).toBeCloseTo(g.finalIterate, 9);
  });

  it('deepfool: Foolbox 1.6 defaults, per image (attacked or not, broken, steps, L2), and the summary', async () => {
    const d = r.deepfool;
    const cfg = { steps: d.steps, candidates: d.candidates, overshoot: d.overshoot, every: 1 };
    const per = set.x.length / set.n;
    const sub: EvalSet = {
      ...set,
      n: d.images.length,
      x: Float32Array.from(d.images.flatMap((i) => Array.from(set.x.subarray(i * per, (i + 1) * per)))),
      labels: Int32Array.from(d.images, (i) => set.labels[i]!),
    };
    const got = await deepFoolAttack(clfX, sub.x, sub.labels, sub.shape, cfg, sub.bounds);
    got.forEach((o, i) => {
      const e = d.outcomes[i]!;
      expect([o.clean, o.broken, o.steps], `image ${d.images[i]}`).toEqual([e.clean, e.broken, e.steps]);
      expect(Math.abs(o.l2 - e.l2), `image ${d.images[i]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, e.l2));
    });
    expect(got.some((o) => o.steps > 1) && got.some((o) => !o.clean)).toBe(true);
    const row = (await deepFoolEvaluation(sub, clfX, cfg, io))!;
    expect(row.accuracy).toBeCloseTo(d.accuracy, 9);
    expect(row.meanL2PerDim).toBeCloseTo(d.meanL2PerDim, 6);
    expect(row.examples).toBe(sub.n);
    // every = 3 attacks the 1st, 4th, 7th … example only.
    expect((await deepFoolEvaluation(sub, clfX, { ...cfg, every: 3 }, io))!.examples).toBe(
      Math.ceil(sub.n / 3),
    );
  });
});
