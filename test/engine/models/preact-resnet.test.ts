import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ForwardContext } from '../../../electron/engine/nn/layers.js';
import { tapsOfKind } from '../../../electron/engine/models/model.js';
import { createPreActResNet18 } from '../../../electron/engine/models/preact-resnet.js';

const inference = (): ForwardContext => ({ training: false, bnUpdates: [] });
const relu = (a: number, b: number): string[] => Array.from({ length: b - a }, (_, i) => `relu.${a + i}`);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createPreActResNet18', () => {
  it("has PyTorch's PreActResNet18 parameter count (11,171,146) at width 1, 10 classes", () => {
    const m = createPreActResNet18([32, 32, 3], 1, 10, 0);
    expect(m.params.count()).toBe(11_171_146);
    // Pre-activation: BN sizes follow the block input, projections are bare 1×1 convs, no final BN.
    const names = [...m.params.trainable.keys()];
    expect(names[0]).toBe('conv1.weight');
    expect(names[1]).toBe('layer1.0.bn1.weight');
    expect(m.params.trainable.get('layer2.0.bn1.weight')?.shape).toEqual([64]);
    expect(names.filter((n) => n.includes('shortcut'))).toEqual([
      'layer2.0.shortcut.weight',
      'layer3.0.shortcut.weight',
      'layer4.0.shortcut.weight',
    ]);
    expect(names.slice(-3)).toEqual(['layer4.1.conv2.weight', 'linear.weight', 'linear.bias']);
    m.params.dispose();
  });

  it('exposes exactly 17 ReLU taps, 8 block outputs, four stages and the pooled embedding, input side first', () => {
    const m = createPreActResNet18([32, 32, 3], 1, 10, 0);
    const block = (b: number): string[] => [...relu(2 * b, 2 * b + 2), `block.${b}`];
    expect(m.taps.map((t) => t.name)).toEqual([
      ...block(0),
      ...block(1),
      'stage1',
      ...block(2),
      ...block(3),
      'stage2',
      ...block(4),
      ...block(5),
      'stage3',
      ...block(6),
      ...block(7),
      'stage4',
      'relu.16',
      'embedding',
    ]);
    expect(tapsOfKind(m, 'relu')).toEqual(relu(0, 17));
    expect(tapsOfKind(m, 'block')).toEqual(Array.from({ length: 8 }, (_, i) => `block.${i}`));
    expect(tapsOfKind(m, 'stage')).toEqual(['stage1', 'stage2', 'stage3', 'stage4']);
    expect(tapsOfKind(m, 'embedding')).toEqual(['embedding']);
    m.params.dispose();
  });

  it('runs at width 1 on a 2 × 32 × 32 × 3 batch with the documented tap shapes', () => {
    const m = createPreActResNet18([32, 32, 3], 1, 10, 5);
    tf.tidy(() => {
      const { output, taps } = m.forward(tf.randomNormal([2, 32, 32, 3]), inference(), 'all');
      expect(output.shape).toEqual([2, 10]);
      expect([...taps.keys()]).toEqual(m.taps.map((t) => t.name));
      const shapes = Object.fromEntries([...taps].map(([k, v]) => [k, v.shape]));
      expect(shapes).toMatchObject({
        'relu.0': [2, 32, 32, 64],
        'relu.3': [2, 32, 32, 64],
        stage1: [2, 32, 32, 64],
        // relu1 of a down-sampling block still has the block's input shape; relu2 the output's.
        'relu.4': [2, 32, 32, 64],
        'relu.5': [2, 16, 16, 128],
        stage2: [2, 16, 16, 128],
        'relu.9': [2, 8, 8, 256],
        stage3: [2, 8, 8, 256],
        'relu.13': [2, 4, 4, 512],
        stage4: [2, 4, 4, 512],
        'relu.16': [2, 4, 4, 512],
        embedding: [2, 512],
      });
      // The stage outputs are the pre-activation sums; the final ReLU is applied to stage 4.
      const diff = tf.max(tf.abs(tf.sub(tf.relu(taps.get('stage4')!), taps.get('relu.16')!)));
      expect(diff.dataSync()[0]).toBe(0);
      expect(tf.min(taps.get('stage4')!).dataSync()[0]).toBeLessThan(0);
    });
    m.params.dispose();
  });

  it('scales every width by the multiplier', () => {
    const m = createPreActResNet18([8, 8, 3], 0.125, 4, 0);
    tf.tidy(() => {
      const { output, taps } = m.forward(
        tf.zeros([2, 8, 8, 3]),
        inference(),
        new Set(['stage1', 'stage4', 'embedding']),
      );
      expect(output.shape).toEqual([2, 4]);
      expect([...taps.keys()]).toEqual(['stage1', 'stage4', 'embedding']);
      expect(taps.get('stage1')?.shape).toEqual([2, 8, 8, 8]);
      expect(taps.get('stage4')?.shape).toEqual([2, 1, 1, 64]);
      expect(taps.get('embedding')?.shape).toEqual([2, 64]);
    });
    m.params.dispose();
  });
});
