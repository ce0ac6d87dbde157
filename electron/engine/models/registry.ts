import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../../../shared/spec/model.js';
import { createMlp } from './mlp.js';
import type { Model } from './model.js';
import { createPreActResNet18 } from './preact-resnet.js';
import { createRefCnn } from './ref-cnn.js';
import { createWrn } from './wrn.js';

/** Builds the network a spec describes, its parameters initialised from `seed`. */
export function createModel(
  spec: ModelSpec,
  inputShape: readonly number[],
  outputDim: number,
  seed: number,
): Model {
  // Construction creates temporaries (initial values); tidy frees them and keeps the variables.
  let model: Model | undefined;
  tf.tidy(() => {
    model = build(spec, inputShape, outputDim, seed);
  });
  if (!model) throw new Error('model construction returned nothing');
  return model;
}

function build(spec: ModelSpec, inputShape: readonly number[], outputDim: number, seed: number): Model {
  switch (spec.arch) {
    case 'mlp':
      return createMlp(inputShape, spec.hidden, outputDim, seed);
    case 'ref-cnn':
      return createRefCnn(inputShape, spec.width, outputDim, seed);
    case 'wrn':
      return createWrn(inputShape, spec.depth, spec.width, outputDim, seed);
    case 'preact-resnet18':
      return createPreActResNet18(inputShape, spec.width, outputDim, seed, spec.parseval);
    default: {
      // A new arch in the schema must be handled here: this fails to compile until it is.
      const unknown: never = spec;
      throw new Error(`unknown architecture ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Number of trainable scalars of the network a spec describes. Builds it on the current backend
 * (the structure is the single source of truth), then frees it; the seed does not matter.
 */
export function countParameters(spec: ModelSpec, inputShape: readonly number[], outputDim: number): number {
  const model = createModel(spec, inputShape, outputDim, 0);
  try {
    return model.params.count();
  } finally {
    model.params.dispose();
  }
}
