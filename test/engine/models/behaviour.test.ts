import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { modelLabel } from '../../../shared/spec/index.js';
import type { ModelSpec } from '../../../shared/spec/model.js';
import type { ForwardContext } from '../../../electron/engine/nn/layers.js';
import type { Model } from '../../../electron/engine/models/model.js';
import { createModel } from '../../../electron/engine/models/registry.js';
import { TINY_CLASSES, TINY_MODEL_SPECS, TINY_SHAPE } from '../../../electron/engine/parity/models.js';

// Tiny versions of every architecture (the parity suite's), small enough for gradients on the cpu backend.
const SHAPE = TINY_SHAPE;
const CLASSES = TINY_CLASSES;
const SPECS = TINY_MODEL_SPECS;
const ctx = (training: boolean): ForwardContext => ({ training, bnUpdates: [] });
const input = (b = 4, seed = 7): tf.Tensor4D => tf.randomNormal([b, ...SHAPE], 0, 1, 'float32', seed);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

function withModel(spec: ModelSpec, seed: number, f: (m: Model) => void): void {
  const m = createModel(spec, SHAPE, CLASSES, seed);
  try {
    f(m);
  } finally {
    m.params.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(SPECS.map((s) => [modelLabel(s), s] as const))('%s', (_label, spec) => {
  it('is deterministic in its seed', () => {
    const values = (m: Model): Float32Array[] =>
      m.params.entries().map(([, v]) => v.dataSync() as Float32Array);
    withModel(spec, 11, (a) =>
      withModel(spec, 11, (b) =>
        withModel(spec, 12, (c) => {
          const [va, vb, vc] = [values(a), values(b), values(c)];
          expect(vb).toEqual(va);
          // Every randomly initialised weight (not BN's ones and zeros) changes with the seed.
          const weights = a.params
            .entries()
            .flatMap(([name], i) => (name.endsWith('.weight') && !/bn\d?\.|\.bn\./.test(name) ? [i] : []));
          expect(weights.length).toBeGreaterThan(0);
          for (const i of weights) expect(vc[i]).not.toEqual(va[i]);
        }),
      ),
    );
  });

  it('updates BatchNorm running statistics only in training mode, and uses them in inference', () => {
    withModel(spec, 3, (m) => {
      const buffers = [...m.params.buffers.values()];
      const x = input();
      const eval0 = ctx(false);
      const before = tf.tidy(() => m.forward(x, eval0).output);
      expect(eval0.bnUpdates).toEqual([]);

      const train = ctx(true);
      const trainOut = tf.tidy(() => m.forward(x, train).output);
      // Two updates (mean, variance) per BN layer, on the model's own buffers, not yet assigned.
      expect(train.bnUpdates.length).toBe(buffers.length);
      expect(new Set(train.bnUpdates.map(([v]) => v))).toEqual(new Set(buffers));
      for (const [name, v] of m.params.buffers)
        expect(tf.tidy(() => tf.mean(v).dataSync()[0])).toBe(name.endsWith('running_var') ? 1 : 0);

      for (const [v, t] of train.bnUpdates) {
        v.assign(t);
        t.dispose();
      }
      const after = tf.tidy(() => m.forward(x, ctx(false)).output);
      // Inference is per-sample (running statistics); training normalises over the batch.
      const single = tf.tidy(() => m.forward(tf.slice(x, 0, 1), ctx(false)).output);
      const singleTrain = tf.tidy(() => m.forward(tf.slice(x, 0, 2), ctx(true)).output);
      expect(maxAbsDiff(single, tf.slice(after, 0, 1))).toBeLessThan(1e-4);
      if (buffers.length > 0) {
        // Relative to the output's scale: the Parseval variant's convolutions shrink it.
        const scale = tf.tidy(() => tf.max(tf.abs(after)).dataSync()[0]!);
        expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-4 * scale);
        expect(maxAbsDiff(singleTrain, tf.slice(trainOut, 0, 2))).toBeGreaterThan(1e-4 * scale);
      } else {
        expect(maxAbsDiff(before, after)).toBe(0);
        expect(maxAbsDiff(before, trainOut)).toBe(0);
      }
      tf.dispose([x, before, trainOut, after, single, singleTrain]);
    });
  });

  it('sends a gradient to every trainable parameter', () => {
    withModel(spec, 5, (m) => {
      const x = input();
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), CLASSES);
      const train = ctx(true);
      const vars = [...m.params.trainable.values()];
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, m.forward(x, train).output),
        vars,
      );
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      for (const [name, v] of m.params.trainable) {
        const g = grads[v.name];
        expect(g, name).toBeDefined();
        expect(g!.shape, name).toEqual(v.shape);
        expect(
          tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]),
          name,
        ).toBeGreaterThan(0);
      }
      tf.dispose([x, labels, value, ...Object.values(grads), ...train.bnUpdates.map(([, t]) => t)]);
    });
  });

  it('leaks no tensor across repeated forward passes inside tf.tidy', () => {
    withModel(spec, 9, (m) => {
      const x = input(2);
      for (const training of [false, true]) {
        const start = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) {
          const c = ctx(training);
          const out = tf.tidy(() => {
            const r = m.forward(x, c, 'all');
            expect(r.taps.size).toBe(m.taps.length);
            return r.output;
          });
          out.dispose();
          // The running-statistics updates are kept for the trainer, which disposes them after assigning.
          tf.dispose(c.bnUpdates.map(([, t]) => t));
        }
        expect(tf.memory().numTensors).toBe(start);
      }
      x.dispose();
    });
  });
});
