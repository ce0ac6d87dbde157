import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ForwardContext } from '../../../electron/engine/nn/layers.js';
import { tapsOfKind } from '../../../electron/engine/models/model.js';
import { createWrn } from '../../../electron/engine/models/wrn.js';

const inference = (): ForwardContext => ({ training: false, bnUpdates: [] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createWrn', () => {
  it('has the parameter counts of METHODS.md (WRN-28-1 = 369,690, WRN-28-0.5 = 94,154)', () => {
    for (const [width, expected] of [
      [1, 369_690],
      [0.5, 94_154],
    ] as const) {
      const m = createWrn([32, 32, 3], 28, width, 10, 0);
      expect(m.params.count()).toBe(expected);
      expect(m.description).toBe(`WRN-28-${width}`);
      m.params.dispose();
    }
  });

  it('follows the reference layout: stem BN, projection = 1×1 conv + BN, no conv biases', () => {
    const m = createWrn([32, 32, 3], 28, 0.5, 10, 0);
    const names = [...m.params.trainable.keys()];
    expect(names.slice(0, 3)).toEqual(['conv1.weight', 'bn.weight', 'bn.bias']);
    expect(names.filter((n) => n.includes('conv') && n.endsWith('.bias'))).toEqual([]);
    // w = 0.5 changes the channels 16 → 8 at the start of stage 1, so every stage starts with a projection.
    expect(names.filter((n) => n.endsWith('shortcut.conv.weight'))).toEqual([
      'layer1.0.shortcut.conv.weight',
      'layer2.0.shortcut.conv.weight',
      'layer3.0.shortcut.conv.weight',
    ]);
    expect(m.params.trainable.get('layer1.0.shortcut.conv.weight')?.shape).toEqual([1, 1, 16, 8]);
    expect(m.params.trainable.get('linear.weight')?.shape).toEqual([32, 10]);
    m.params.dispose();
    const w1 = createWrn([32, 32, 3], 28, 1, 10, 0);
    // At w = 1 stage 1 keeps 16 channels: identity shortcuts there.
    expect([...w1.params.trainable.keys()].filter((n) => n.endsWith('shortcut.conv.weight'))).toHaveLength(2);
    w1.params.dispose();
  });

  it('lists every ReLU, the stage outputs and the pooled stage 3, input side first', () => {
    const m = createWrn([32, 32, 3], 28, 1, 10, 0);
    const relu = (a: number, b: number): string[] => Array.from({ length: b - a }, (_, i) => `relu.${a + i}`);
    expect(m.taps.map((t) => t.name)).toEqual([
      ...relu(0, 9),
      'stage1',
      ...relu(9, 17),
      'stage2',
      ...relu(17, 25),
      'stage3',
    ]);
    expect(tapsOfKind(m, 'stage')).toEqual(['stage1', 'stage2', 'stage3']);
    expect(tapsOfKind(m, 'embedding')).toEqual(['stage3']);
    expect(tapsOfKind(m, 'relu')).toHaveLength(25);
    m.params.dispose();
  });

  it('runs WRN-28-1 on a 2 × 32 × 32 × 3 batch with the documented tap shapes', () => {
    const m = createWrn([32, 32, 3], 28, 1, 10, 3);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 32, 32, 3]);
      const { output, taps } = m.forward(x, inference(), 'all');
      expect(output.shape).toEqual([2, 10]);
      expect([...taps.keys()]).toEqual(m.taps.map((t) => t.name));
      expect(taps.get('relu.0')?.shape).toEqual([2, 32, 32, 16]);
      expect(taps.get('stage1')?.shape).toEqual([2, 32, 32, 16]);
      expect(taps.get('stage2')?.shape).toEqual([2, 16, 16, 32]);
      expect(taps.get('relu.24')?.shape).toEqual([2, 8, 8, 64]);
      expect(taps.get('stage3')?.shape).toEqual([2, 64]);
      // The stage output is the last block's ReLU; stage 3 is its spatial mean.
      expect(taps.get('stage1')).toBe(taps.get('relu.8'));
      const pooled = tf.mean(taps.get('relu.24')!, [1, 2]);
      expect(tf.max(tf.abs(tf.sub(pooled, taps.get('stage3')!))).dataSync()[0]).toBeLessThan(1e-6);
    });
    m.params.dispose();
  });

  it('gives fractional widths int(16w), int(32w), int(64w) with a 16-channel stem', () => {
    const m = createWrn([8, 8, 3], 10, 0.5, 7, 0);
    tf.tidy(() => {
      const { output, taps } = m.forward(
        tf.zeros([2, 8, 8, 3]),
        inference(),
        new Set(['relu.0', 'stage1', 'stage2', 'stage3']),
      );
      expect(output.shape).toEqual([2, 7]);
      expect([...taps.keys()]).toEqual(['relu.0', 'stage1', 'stage2', 'stage3']);
      expect(taps.get('relu.0')?.shape).toEqual([2, 8, 8, 16]);
      expect(taps.get('stage1')?.shape).toEqual([2, 8, 8, 8]);
      expect(taps.get('stage2')?.shape).toEqual([2, 4, 4, 16]);
      expect(taps.get('stage3')?.shape).toEqual([2, 32]);
    });
    m.params.dispose();
  });

  it('puts PyTorch running-statistics updates of the stem BN into ctx.bnUpdates', () => {
    const m = createWrn([8, 8, 3], 10, 0.25, 3, 2);
    const ctx: ForwardContext = { training: true, bnUpdates: [] };
    tf.tidy(() => {
      const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 1);
      m.forward(x, ctx);
      const z = tf.conv2d(x as tf.Tensor4D, m.params.trainable.get('conv1.weight') as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(z, [0, 1, 2]);
      const n = 3 * 8 * 8;
      const [mean0, var0] = ctx.bnUpdates;
      expect(mean0?.[0]).toBe(m.params.buffers.get('bn.running_mean'));
      expect(var0?.[0]).toBe(m.params.buffers.get('bn.running_var'));
      expect(tf.max(tf.abs(tf.sub(mean0![1], tf.mul(mean, 0.1)))).dataSync()[0]).toBeLessThan(1e-5);
      const expectedVar = tf.add(0.9, tf.mul(variance, (0.1 * n) / (n - 1)));
      expect(tf.max(tf.abs(tf.sub(var0![1], expectedVar))).dataSync()[0]).toBeLessThan(1e-4);
    });
    tf.dispose(ctx.bnUpdates.map(([, t]) => t));
    m.params.dispose();
  });

  it('rejects depths that are not 6n + 4', () => {
    expect(() => createWrn([32, 32, 3], 12, 1, 10, 0)).toThrow(/6n \+ 4/);
  });
});
