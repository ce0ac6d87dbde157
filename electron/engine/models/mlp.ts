import * as tf from '@tensorflow/tfjs-core';
import { dense, flatten, type ForwardContext } from '../nn/layers.js';
import { ParamSet } from '../nn/params.js';
import { tapper, type Model, type TapInfo } from './model.js';

/** Multi-layer perceptron on flattened inputs: dense → ReLU per hidden layer, then dense outputs. */
export function createMlp(
  inputShape: readonly number[],
  hidden: readonly number[],
  outputDim: number,
  seed: number,
): Model {
  const params = new ParamSet(seed);
  const inF = inputShape.reduce((a, b) => a * b, 1);
  const widths = [inF, ...hidden];
  const layers = hidden.map((h, i) => dense(params, `fc${i + 1}`, widths[i] ?? inF, h));
  const head = dense(params, `fc${hidden.length + 1}`, hidden[hidden.length - 1] ?? inF, outputDim);
  const taps: TapInfo[] = hidden.map((_, i) => ({
    name: `hidden${i + 1}`,
    kinds: i === hidden.length - 1 ? ['stage', 'relu', 'embedding', 'block'] : ['stage', 'relu', 'block'],
  }));
  return {
    description: `MLP ${[inF, ...hidden, outputDim].join('-')}`,
    inputShape,
    outputDim,
    params,
    taps,
    forward(x: tf.Tensor, ctx: ForwardContext, want) {
      const { taps: out, tap } = tapper(want, ctx);
      let h = flatten(x);
      layers.forEach((layer, i) => {
        h = tap(`hidden${i + 1}`, tf.relu(layer(h)));
      });
      return { output: head(h), taps: out };
    },
  };
}
