import * as tf from '@tensorflow/tfjs-core';
import { conv2d, dense, flatten, type ForwardContext } from '../nn/layers.js';
import { ParamSet } from '../nn/params.js';
import { tapper, type Model } from './model.js';

/**
 * The reference CNN of the PyTorch anchor: conv3×3 (32w, pad 1) → ReLU → maxpool 2 →
 * conv3×3 (64w) → ReLU → maxpool 2 → dense 128w → ReLU → dense outputs. Taps: the two pooled
 * conv blocks and the hidden dense layer (the three latents of the anchor's GKD mode), plus the
 * ReLU outputs before pooling. The blocks (where block-output test-time dropout acts) are the two
 * pooled conv units and the hidden dense layer.
 */
export function createRefCnn(
  inputShape: readonly number[],
  width: number,
  outputDim: number,
  seed: number,
): Model {
  const [h = 28, w = 28, c = 1] = inputShape;
  const c1 = Math.max(1, Math.floor(32 * width));
  const c2 = Math.max(1, Math.floor(64 * width));
  const hid = Math.max(1, Math.floor(128 * width));
  const params = new ParamSet(seed);
  const conv1 = conv2d(params, 'conv1', { inC: c, outC: c1, k: 3 });
  const conv2 = conv2d(params, 'conv2', { inC: c1, outC: c2, k: 3 });
  const h2 = Math.floor(Math.floor(h / 2) / 2);
  const w2 = Math.floor(Math.floor(w / 2) / 2);
  const fc1 = dense(params, 'fc1', c2 * h2 * w2, hid);
  const fc2 = dense(params, 'fc2', hid, outputDim);
  return {
    description: `CNN ${c1}-${c2}-${hid}`,
    inputShape,
    outputDim,
    params,
    taps: [
      { name: 'relu1', kinds: ['relu'] },
      { name: 'block1', kinds: ['stage', 'block'] },
      { name: 'relu2', kinds: ['relu'] },
      { name: 'block2', kinds: ['stage', 'block'] },
      { name: 'hidden', kinds: ['stage', 'relu', 'embedding', 'block'] },
    ],
    forward(x: tf.Tensor, ctx: ForwardContext, want) {
      const { taps, tap } = tapper(want, ctx);
      const r1 = tap('relu1', tf.relu(conv1(x as tf.Tensor4D)));
      const z1 = tap('block1', tf.maxPool(r1, 2, 2, 'valid'));
      const r2 = tap('relu2', tf.relu(conv2(z1)));
      const z2 = tap('block2', tf.maxPool(r2, 2, 2, 'valid'));
      const z3 = tap('hidden', tf.relu(fc1(flatten(z2))));
      return { output: fc2(z3), taps };
    },
  };
}
