import { it } from 'vitest';
import type { ModelSpec } from '../../../shared/spec/model.js';
import type { ForwardContext } from '../../../electron/engine/nn/layers.js';
import { createModel } from '../../../electron/engine/models/registry.js';
import { crossEntropy } from '../../../electron/engine/train/losses.js';
import { describeWebGpu, expectParity, randomArrays, tf, type Computation } from './helpers.js';

// Every architecture at a tiny size (lavapipe is a CPU pretending to be a GPU): forward output in
// training and inference mode, every tap, the loss, the gradient of every parameter and the new
// BatchNorm statistics, on webgpu against cpu from the same seed.
const SHAPE = [8, 8, 3];
const CLASSES = 5;
const BATCH = 4;
/** Relative tolerance of every compared tensor (of its largest entry for near-zero entries). */
const RTOL = 2e-3;

const SPECS: ModelSpec[] = [
  { arch: 'mlp', hidden: [16, 8] },
  { arch: 'ref-cnn', width: 0.25 },
  { arch: 'wrn', depth: 10, width: 0.25 },
  { arch: 'preact-resnet18', width: 0.125 },
];

function modelStep(spec: ModelSpec): () => Computation {
  return () => {
    const model = createModel(spec, SHAPE, CLASSES, 5);
    return {
      run: ({ x, y }) => {
        const fctx: ForwardContext = { training: true, bnUpdates: [] };
        const taps: tf.Tensor[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(x!, fctx, 'all');
          taps.push(...[...out.taps.values()].map((t) => tf.keep(tf.clone(t))));
          taps.push(tf.keep(tf.clone(out.output)));
          return crossEntropy(out.output, y as tf.Tensor1D);
        }, [...model.params.trainable.values()]);
        const inference = model.forward(x!, { training: false, bnUpdates: [] }).output;
        return [value, ...taps, ...Object.values(grads), ...fctx.bnUpdates.map(([, t]) => t), inference];
      },
      cleanup: () => model.params.dispose(),
    };
  };
}

describeWebGpu('webgpu parity: models (values and gradients against cpu)', () => {
  it.each(SPECS.map((s) => [s.arch, s] as const))('%s', async (_arch, spec) => {
    const inputs = randomArrays({ x: [BATCH, ...SHAPE] }, 11);
    inputs.y = { values: Int32Array.from([0, 1, 2, 3]), shape: [BATCH] };
    const before = tf.memory().numTensors;
    const { cpu } = await expectParity(inputs, modelStep(spec), RTOL);
    // Loss, taps, output, one gradient per parameter, BN statistics, inference output.
    if (cpu.length < 4) throw new Error(`only ${cpu.length} outputs compared`);
    if (tf.memory().numTensors !== before)
      throw new Error(`${tf.memory().numTensors - before} tensors leaked`);
  });
});
