import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../../../shared/spec/model.js';
import { createModel } from '../models/registry.js';
import type { ForwardContext } from '../nn/layers.js';
import { crossEntropy } from '../train/losses.js';
import { randomArrays, type Computation } from './compare.js';
import type { ParityCase } from './cases.js';

// Every architecture at a tiny size (a software adapter is a CPU pretending to be a GPU): the
// forward output in training and inference mode, every tap, the loss, the gradient of every
// parameter and the new BatchNorm statistics, from the same seed on both backends.
/** Input shape of the tiny models (height, width, channels). */
export const TINY_SHAPE = [8, 8, 3] as const;
/** Classes of the tiny models. */
export const TINY_CLASSES = 5;
const BATCH = 4;

/** A tiny version of every architecture, small enough for gradients on the cpu backend. */
export const TINY_MODEL_SPECS: readonly ModelSpec[] = [
  { arch: 'mlp', hidden: [16, 8] },
  { arch: 'ref-cnn', width: 0.25 },
  { arch: 'wrn', depth: 10, width: 0.25 },
  { arch: 'preact-resnet18', width: 0.125, parseval: false },
  { arch: 'preact-resnet18', width: 0.125, parseval: true },
];

function modelStep(spec: ModelSpec): () => Computation {
  return () => {
    const model = createModel(spec, TINY_SHAPE, TINY_CLASSES, 5);
    return {
      run: ({ x, y }) => {
        const fctx: ForwardContext = { training: true, bnUpdates: [] };
        const taps: tf.Tensor[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(x!, fctx, 'all');
          taps.push(...[...out.taps.values(), out.output].map((t) => tf.keep(tf.clone(t))));
          return crossEntropy(out.output, y as tf.Tensor1D);
        }, [...model.params.trainable.values()]);
        const inference = model.forward(x!, { training: false, bnUpdates: [] }).output;
        return [value, ...taps, ...Object.values(grads), ...fctx.bnUpdates.map(([, t]) => t), inference];
      },
      cleanup: () => model.params.dispose(),
    };
  };
}

/** One case per architecture: values, taps, gradients and BatchNorm statistics of a training step. */
export const MODEL_CASES: readonly ParityCase[] = TINY_MODEL_SPECS.map((spec) => ({
  name: `model ${spec.arch}${spec.arch === 'preact-resnet18' && spec.parseval ? ' (Parseval)' : ''}: forward, taps, loss, every gradient, BN statistics`,
  inputs: () => {
    const a = randomArrays({ x: [BATCH, ...TINY_SHAPE] }, 11);
    a.y = { values: Int32Array.from({ length: BATCH }, (_, i) => i % TINY_CLASSES), shape: [BATCH] };
    return a;
  },
  make: modelStep(spec),
}));
