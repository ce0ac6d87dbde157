import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ARCHS, ModelSpecSchema, type ModelSpec } from '../../../shared/spec/model.js';
import { modelTaps } from '../../../shared/spec/model-taps.js';
import { countParameters, createModel } from '../../../electron/engine/models/registry.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model registry', () => {
  it('counts parameters like PyTorch for the small models', () => {
    // MLP 784-256-128-10: 784·256+256 + 256·128+128 + 128·10+10.
    expect(countParameters({ arch: 'mlp', hidden: [256, 128] }, [28, 28, 1], 10)).toBe(235_146);
    // Reference CNN on 28×28×1: 32·9+32 + 64·288+64 + 3136·128+128 + 128·10+10.
    expect(32 * 9 + 32 + (64 * 288 + 64) + (3136 * 128 + 128) + (128 * 10 + 10)).toBe(421_642);
    expect(countParameters({ arch: 'ref-cnn', width: 1 }, [28, 28, 1], 10)).toBe(421_642);
  });

  it('counts the paper networks and frees what it built', () => {
    const before = tf.memory();
    expect(countParameters({ arch: 'wrn', depth: 28, width: 1 }, [32, 32, 3], 10)).toBe(369_690);
    expect(countParameters({ arch: 'wrn', depth: 28, width: 0.5 }, [32, 32, 3], 10)).toBe(94_154);
    expect(countParameters({ arch: 'preact-resnet18', width: 1, parseval: false }, [32, 32, 3], 10)).toBe(
      11_171_146,
    );
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('builds every architecture of the schema from its defaults', () => {
    for (const arch of ARCHS) {
      const spec: ModelSpec = ModelSpecSchema.parse({ arch });
      const m = createModel(spec, [32, 32, 3], 10, 1);
      expect(m.outputDim).toBe(10);
      expect(m.inputShape).toEqual([32, 32, 3]);
      expect(m.taps.length).toBeGreaterThan(0);
      m.params.dispose();
    }
  });

  it('builds exactly the taps the host reads from a spec (modelTaps) before a run exists', () => {
    const specs: ModelSpec[] = [
      { arch: 'mlp', hidden: [8] },
      { arch: 'mlp', hidden: [8, 6, 4] },
      { arch: 'ref-cnn', width: 0.25 },
      { arch: 'wrn', depth: 10, width: 0.25 },
      { arch: 'wrn', depth: 16, width: 0.25 },
      { arch: 'preact-resnet18', width: 0.125, parseval: false },
      { arch: 'preact-resnet18', width: 0.125, parseval: true },
    ];
    for (const spec of specs) {
      const m = createModel(spec, [16, 16, 3], 4, 1);
      expect(modelTaps(spec), spec.arch).toEqual(m.taps);
      m.params.dispose();
    }
  });
});
